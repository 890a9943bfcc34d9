// SPDX-License-Identifier: Apache-2.0
#include "core/net/DicomNetwork.h"

#include "core/net/DicomWeb.h"
#include "core/net/NetInternal.h"

#include "core/dicom/DcmtkText.h"
#include "core/util/AtomicFile.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/scp.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace lightbox {

namespace net {

/// dcmnet logs to the console at WARN by default: the caller reports what matters.
void quietDcmtkLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* level = std::getenv("LIGHTBOX_DCMNET_LOG");
    OFLog::configure(level && *level ? OFLogger::DEBUG_LOG_LEVEL : OFLogger::FATAL_LOG_LEVEL);
  });
}

std::string hex4(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "%04X", v & 0xffffu);
  return b;
}

/// Why an association could not be made or used, in words a reader can act on.
std::string reasonOf(const OFCondition& cond, const PacsNode& node, const LocalAe& local) {
  if (cond == DUL_ASSOCIATIONREJECTED) {
    return "the archive refused the association (it may not know our AE title " + local.aeTitle +
           " or its own AE title is not " + node.aeTitle + ")";
  }
  if (cond == NET_EC_NoAcceptablePresentationContexts) {
    return "the archive accepted none of the proposed services";
  }
  if (cond == DUL_NETWORKCLOSED || cond == DUL_PEERABORTEDASSOCIATION) return "the archive closed the connection";
  if (cond == DIMSE_NODATAAVAILABLE || cond == DUL_READTIMEOUT) return "timed out waiting for the archive";
  const std::string text = cond.text();
  if (text.find("Connection refused") != std::string::npos) return "connection refused (nothing listens on that port)";
  if (text.find("timed out") != std::string::npos || text.find("Timeout") != std::string::npos) {
    return "timed out: " + text;
  }
  return text;
}

[[noreturn]] void fail(const PacsNode& node, const std::string& what, const std::string& reason) {
  throw PacsError(node.label() + ": " + what + ": " + reason);
}

std::string elementText(DcmItem& item, const DcmTagKey& key) {
  OFString v;
  if (item.findAndGetOFStringArray(key, v).good()) {
    std::string s = v.c_str();
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s;
  }
  return {};
}

} // namespace net

using net::elementText;
using net::fail;
using net::hex4;
using net::quietDcmtkLogging;
using net::reasonOf;

namespace {

// Study Root and Patient Root query/retrieve information models (PS3.4 C.6).
constexpr const char* kStudyRootFind = UID_FINDStudyRootQueryRetrieveInformationModel;
constexpr const char* kPatientRootFind = UID_FINDPatientRootQueryRetrieveInformationModel;
constexpr const char* kStudyRootMove = UID_MOVEStudyRootQueryRetrieveInformationModel;
constexpr const char* kStudyRootGet = UID_GETStudyRootQueryRetrieveInformationModel;

/// What we accept when receiving, in order of preference: the lossless compressed syntaxes the
/// decoder reads first (a sender proposing its own lossless compressed syntax is taken as it is,
/// never made to re-encode), then the uncompressed ones, and the lossy ones last (only when the
/// sender offers nothing else: an uncompressed image is never made lossy here).
const OFList<OFString>& receiveSyntaxes() {
  static const OFList<OFString> list = [] {
    OFList<OFString> l;
    for (const char* uid :
         {UID_JPEGLSLosslessTransferSyntax, UID_JPEGProcess14SV1TransferSyntax, UID_JPEGProcess14TransferSyntax,
          UID_JPEG2000LosslessOnlyTransferSyntax, UID_RLELosslessTransferSyntax,
          UID_DeflatedExplicitVRLittleEndianTransferSyntax, UID_LittleEndianExplicitTransferSyntax,
          UID_LittleEndianImplicitTransferSyntax, UID_BigEndianExplicitTransferSyntax, UID_JPEGProcess1TransferSyntax,
          UID_JPEGProcess2_4TransferSyntax, UID_JPEG2000TransferSyntax, UID_JPEGLSLossyTransferSyntax}) {
      l.push_back(uid);
    }
    return l;
  }();
  return list;
}

const OFList<OFString>& uncompressedSyntaxes() {
  static const OFList<OFString> list = [] {
    OFList<OFString> l;
    l.push_back(UID_LittleEndianExplicitTransferSyntax);
    l.push_back(UID_LittleEndianImplicitTransferSyntax);
    return l;
  }();
  return list;
}

bool safeUid(const std::string& uid) {
  return !uid.empty() && uid.size() <= 64 && uid.find_first_not_of("0123456789.") == std::string::npos &&
         uid.front() != '.' && uid.find("..") == std::string::npos;
}


/// The SCU both C-GET and everything else use: a DcmSCU whose received objects (C-GET's C-STORE
/// sub-operations) go through fileReceived before they are acknowledged.
class Scu : public DcmSCU {
public:
  Scu(const PacsNode& node, const LocalAe& local, const NetworkTimeouts& t) : node_(node), local_(local) {
    quietDcmtkLogging();
    setAETitle(local.aeTitle.c_str());
    setPeerAETitle(node.aeTitle.c_str());
    setPeerHostName(node.host.c_str());
    setPeerPort(static_cast<Uint16>(node.port));
    setConnectionTimeout(t.connectSeconds);
    setACSETimeout(static_cast<Uint32>(t.dimseSeconds));
    setDIMSETimeout(static_cast<Uint32>(t.dimseSeconds));
    setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    setStorageMode(DCMSCU_STORAGE_BIT_PRESERVING);
  }

  void connect(const std::string& what) {
    OFCondition c = initNetwork();
    if (c.bad()) fail(node_, what, "cannot set up the network: " + std::string(c.text()));
    c = negotiateAssociation();
    if (c.bad()) fail(node_, what, reasonOf(c, node_, local_));
  }

  void release() {
    if (isConnected()) releaseAssociation();
  }

  ~Scu() override {
    if (isConnected()) abortAssociation();
  }

  std::string store;
  ReceivedCallback onReceived;
  std::vector<ReceivedObject> received;
  std::string receiveError;
  const std::atomic<bool>* cancel = nullptr;

protected:
  OFCondition handleSTORERequestFile(T_ASC_PresentationContextID* presID, const OFString& /*filename*/,
                                     T_DIMSE_C_StoreRQ* request) override;

private:
  PacsNode node_;
  LocalAe local_;
};

std::atomic<unsigned long> incomingCounter{0};

std::string incomingPath(const std::string& store) {
  const fs::path dir = fs::path(store) / ".incoming";
  std::error_code ec;
  fs::create_directories(dir, ec);
  // The naming of writeFileAtomically's temporaries, so removeStaleTemporaries finds a killed
  // process's half-received objects.
  return (dir / (atomicTemporaryPrefix("obj") + writerTag() + "." + std::to_string(++incomingCounter))).string();
}

/// Files an object received into `tmp` (DCMTK wrote it byte for byte as it came): checks that it is
/// a DICOM object whose SOP Instance UID is the one announced and whose UIDs are safe as file
/// names, flushes it, then renames it to `<store>/<study>/<sop>.dcm` (replacing an earlier copy of
/// the same object). Returns the DIMSE status to answer with; `error` says why when not 0.
Uint16 fileReceived(const std::string& tmp, const std::string& store, const std::string& announcedSop,
                    const std::string& sender, ReceivedObject& out, std::string& error) {
  DcmFileFormat file;
  OFCondition c = file.loadFileUntilTag(tmp.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                                        DCM_PixelData);
  auto reject = [&](const std::string& why, Uint16 status) {
    error = why;
    std::remove(tmp.c_str());
    return status;
  };
  if (c.bad()) return reject("not a readable DICOM object: " + std::string(c.text()), STATUS_STORE_Error_CannotUnderstand);
  DcmDataset& ds = *file.getDataset();
  out.sopInstanceUid = elementText(ds, DCM_SOPInstanceUID);
  out.sopClassUid = elementText(ds, DCM_SOPClassUID);
  out.studyUid = elementText(ds, DCM_StudyInstanceUID);
  out.seriesUid = elementText(ds, DCM_SeriesInstanceUID);
  out.transferSyntaxUid = elementText(*file.getMetaInfo(), DCM_TransferSyntaxUID);
  out.sender = sender;
  if (!announcedSop.empty() && out.sopInstanceUid != announcedSop) {
    return reject("its SOP Instance UID '" + out.sopInstanceUid + "' is not the announced '" + announcedSop + "'",
                  STATUS_STORE_Error_DataSetDoesNotMatchSOPClass);
  }
  if (!safeUid(out.sopInstanceUid) || !safeUid(out.studyUid)) {
    return reject("its SOP Instance UID or Study Instance UID is missing or not a UID",
                  STATUS_STORE_Error_DataSetDoesNotMatchSOPClass);
  }
  const fs::path dir = fs::path(store) / out.studyUid;
  std::error_code ec;
  const bool newFolder = !fs::is_directory(dir, ec);
  fs::create_directories(dir, ec);
  // A new study folder is made durable in the store before anything in it is acknowledged.
  if (newFolder && !syncToDisk(store).empty()) {
    return reject("cannot flush the store folder " + store, STATUS_STORE_Refused_OutOfResources);
  }
  const fs::path final = dir / (out.sopInstanceUid + ".dcm");
  out.path = final.string();
  out.replaced = fs::exists(final, ec);
  if (!syncToDisk(tmp).empty()) return reject("cannot flush it to the disk", STATUS_STORE_Refused_OutOfResources);
  if (std::rename(tmp.c_str(), final.c_str()) != 0) {
    return reject("cannot move it into " + dir.string(), STATUS_STORE_Refused_OutOfResources);
  }
  if (!syncToDisk(dir.string()).empty()) {
    // The object is there but its name may not survive a power cut: not acknowledged.
    error = "cannot flush the folder " + dir.string();
    return STATUS_STORE_Refused_OutOfResources;
  }
  return STATUS_Success;
}

OFCondition Scu::handleSTORERequestFile(T_ASC_PresentationContextID* presID, const OFString&,
                                        T_DIMSE_C_StoreRQ* request) {
  const std::string tmp = incomingPath(store);
  OFCondition c = DcmSCU::handleSTORERequestFile(presID, tmp.c_str(), request);
  if (c.bad()) {
    receiveError = std::string("receiving ") + request->AffectedSOPInstanceUID + " failed: " + c.text();
    std::remove(tmp.c_str());
    return c;
  }
  ReceivedObject obj;
  std::string error;
  if (fileReceived(tmp, store, request->AffectedSOPInstanceUID, node_.aeTitle, obj, error) != STATUS_Success) {
    receiveError = std::string("object ") + request->AffectedSOPInstanceUID + " refused: " + error;
    return EC_IllegalCall;  // answered with a failure status by DcmSCU
  }
  received.push_back(obj);
  if (onReceived) onReceived(obj);
  if (cancel && cancel->load()) {
    receiveError = "cancelled";
    return EC_IllegalCall;  // DcmSCU ends the C-GET session; the caller aborts the association
  }
  return EC_Normal;
}

void putKey(DcmDataset& ds, const DcmTagKey& key, const std::string& value = {}) {
  ds.putAndInsertString(key, value.c_str());
}

DcmDataset queryKeys(const FindQuery& q) {
  DcmDataset ds;
  putKey(ds, DCM_SpecificCharacterSet, "ISO_IR 192");
  const char* level = q.level == QueryLevel::Patient ? "PATIENT" : q.level == QueryLevel::Study ? "STUDY" : "SERIES";
  putKey(ds, DCM_QueryRetrieveLevel, level);
  if (q.level != QueryLevel::Series) {  // at series level only the unique keys of the levels above
    putKey(ds, DCM_PatientName, q.patientName);
    putKey(ds, DCM_PatientID, q.patientId);
  }
  if (q.level == QueryLevel::Patient) {
    putKey(ds, DCM_PatientBirthDate);
    putKey(ds, DCM_PatientSex);
    putKey(ds, DCM_NumberOfPatientRelatedStudies);
    return ds;
  }
  putKey(ds, DCM_StudyInstanceUID, q.studyUid);
  if (q.level == QueryLevel::Study) {
    putKey(ds, DCM_PatientBirthDate);
    putKey(ds, DCM_PatientSex);
    putKey(ds, DCM_StudyDate, q.studyDate);
    putKey(ds, DCM_StudyTime);
    putKey(ds, DCM_AccessionNumber, q.accession);
    putKey(ds, DCM_StudyDescription);
    putKey(ds, DCM_ModalitiesInStudy, q.modality);
    putKey(ds, DCM_NumberOfStudyRelatedSeries);
    putKey(ds, DCM_NumberOfStudyRelatedInstances);
    return ds;
  }
  putKey(ds, DCM_SeriesInstanceUID);
  putKey(ds, DCM_SeriesNumber);
  putKey(ds, DCM_Modality, q.modality);
  putKey(ds, DCM_SeriesDescription);
  putKey(ds, DCM_NumberOfSeriesRelatedInstances);
  return ds;
}

int intOr(DcmItem& item, const DcmTagKey& key) {
  const std::string s = elementText(item, key);
  if (s.empty() || s.find_first_not_of(" 0123456789") != std::string::npos) return -1;
  return std::stoi(s);
}

FindMatch matchOf(DcmDataset& ds, QueryLevel level) {
  decodeTextToUtf8(ds);
  FindMatch m;
  m.level = level;
  m.patientName = elementText(ds, DCM_PatientName);
  m.patientId = elementText(ds, DCM_PatientID);
  m.patientBirthDate = elementText(ds, DCM_PatientBirthDate);
  m.patientSex = elementText(ds, DCM_PatientSex);
  m.studyUid = elementText(ds, DCM_StudyInstanceUID);
  m.studyDate = elementText(ds, DCM_StudyDate);
  m.studyTime = elementText(ds, DCM_StudyTime);
  m.studyDescription = elementText(ds, DCM_StudyDescription);
  m.accession = elementText(ds, DCM_AccessionNumber);
  m.modalitiesInStudy = elementText(ds, DCM_ModalitiesInStudy);
  m.seriesUid = elementText(ds, DCM_SeriesInstanceUID);
  m.seriesNumber = elementText(ds, DCM_SeriesNumber);
  m.modality = elementText(ds, DCM_Modality);
  m.seriesDescription = elementText(ds, DCM_SeriesDescription);
  m.relatedStudies = intOr(ds, DCM_NumberOfPatientRelatedStudies);
  m.relatedSeries = intOr(ds, DCM_NumberOfStudyRelatedSeries);
  m.relatedInstances =
      intOr(ds, level == QueryLevel::Series ? DCM_NumberOfSeriesRelatedInstances : DCM_NumberOfStudyRelatedInstances);
  return m;
}

std::vector<FindMatch> findOnce(const PacsNode& node, const LocalAe& local, const FindQuery& query,
                                const NetworkTimeouts& timeouts) {
  Scu scu(node, local, timeouts);
  const char* model = query.level == QueryLevel::Patient ? kPatientRootFind : kStudyRootFind;
  scu.addPresentationContext(model, uncompressedSyntaxes());
  scu.connect("C-FIND");
  const T_ASC_PresentationContextID pc = scu.findAnyPresentationContextID(model, UID_LittleEndianExplicitTransferSyntax);
  if (pc == 0) fail(node, "C-FIND", "the archive does not offer this query model");
  DcmDataset keys = queryKeys(query);
  OFList<QRResponse*> responses;
  const OFCondition c = scu.sendFINDRequest(pc, &keys, &responses);
  std::vector<FindMatch> out;
  Uint16 finalStatus = 0;
  for (QRResponse* r : responses) {
    if (r->m_dataset && DICOM_PENDING_STATUS(r->m_status)) out.push_back(matchOf(*r->m_dataset, query.level));
    finalStatus = r->m_status;
    delete r;
  }
  if (c.bad()) fail(node, "C-FIND", reasonOf(c, node, local));
  if (finalStatus != STATUS_Success && !DICOM_PENDING_STATUS(finalStatus)) {
    fail(node, "C-FIND", "the archive answered with status 0x" + hex4(finalStatus) + " (" +
                             DU_cfindStatusString(finalStatus) + ")");
  }
  scu.release();
  return out;
}

} // namespace

double echoNode(const PacsNode& node, const LocalAe& local, const NetworkTimeouts& timeouts) {
  quietDcmtkLogging();
  if (node.isDicomWeb()) return dicomweb::echo(node, timeouts);
  const auto t0 = std::chrono::steady_clock::now();
  Scu scu(node, local, timeouts);
  scu.addPresentationContext(UID_VerificationSOPClass, uncompressedSyntaxes());
  scu.connect("C-ECHO");
  const OFCondition c = scu.sendECHORequest(0);
  if (c.bad()) fail(node, "C-ECHO", reasonOf(c, node, local));
  scu.release();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<FindMatch> findOnNode(const PacsNode& node, const LocalAe& local, const FindQuery& query,
                                  const NetworkTimeouts& timeouts) {
  quietDcmtkLogging();
  auto once = [&](const FindQuery& q) {
    return node.isDicomWeb() ? dicomweb::find(node, q, timeouts) : findOnce(node, local, q, timeouts);
  };
  if (query.level != QueryLevel::Series || !query.studyUid.empty()) return once(query);
  // Series under the studies that match the study-level keys (hierarchical query, PS3.4 C.4.1.3.1;
  // QIDO-RS the same way).
  FindQuery studies = query;
  studies.level = QueryLevel::Study;
  std::vector<FindMatch> out;
  for (const FindMatch& st : once(studies)) {
    FindQuery series;
    series.level = QueryLevel::Series;
    series.studyUid = st.studyUid;
    series.modality = query.modality;
    for (FindMatch m : once(series)) {
      m.patientName = st.patientName;
      m.patientId = st.patientId;
      m.studyDate = st.studyDate;
      m.studyDescription = st.studyDescription;
      m.accession = st.accession;
      out.push_back(m);
    }
  }
  return out;
}

namespace {

DcmDataset retrieveKeys(const RetrieveRequest& r) {
  DcmDataset ds;
  putKey(ds, DCM_QueryRetrieveLevel, r.seriesUid.empty() ? "STUDY" : "SERIES");
  putKey(ds, DCM_StudyInstanceUID, r.studyUid);
  if (!r.seriesUid.empty()) putKey(ds, DCM_SeriesInstanceUID, r.seriesUid);
  return ds;
}

void readFinalCounts(OFList<RetrieveResponse*>& responses, RetrieveResult& result, Uint16& finalStatus) {
  for (RetrieveResponse* r : responses) {
    finalStatus = r->m_status;
    result.completed = r->m_numberOfCompletedSubops;
    result.failed = r->m_numberOfFailedSubops;
    result.warnings = r->m_numberOfWarningSubops;
    delete r;
  }
  responses.clear();
}

void checkRetrieveStatus(const PacsNode& node, const char* what, Uint16 status, const RetrieveResult& result,
                         const std::string& receiveError) {
  if (status == STATUS_Success) return;
  if (status == STATUS_GET_Warning_SubOperationsCompleteOneOrMoreFailures && !result.objects.empty()) return;
  std::string reason = "the archive answered with status 0x" + hex4(status);
  if (status == STATUS_MOVE_Failed_MoveDestinationUnknown) {
    reason += " (it does not know our AE title as a move destination)";
  } else if (std::string(what) == "C-MOVE" && result.objects.empty()) {
    reason += " (does the archive know our AE title as a move destination, with this host and our port?)";
  }
  if (!receiveError.empty()) reason += "; " + receiveError;
  reason += "; " + std::to_string(result.objects.size()) + " objects received before that stay in the store";
  fail(node, what, reason);
}

} // namespace

RetrieveResult retrieveFromNode(const PacsNode& node, const LocalAe& local, const RetrieveRequest& request,
                                const std::string& store, const NetworkTimeouts& timeouts,
                                const ReceivedCallback& onReceived) {
  quietDcmtkLogging();
  if (!safeUid(request.studyUid)) fail(node, "retrieve", "'" + request.studyUid + "' is not a Study Instance UID");
  if (!request.seriesUid.empty() && !safeUid(request.seriesUid)) {
    fail(node, "retrieve", "'" + request.seriesUid + "' is not a Series Instance UID");
  }
  std::error_code ec;
  fs::create_directories(store, ec);
  if (ec) fail(node, "retrieve", "cannot create the store " + store + ": " + ec.message());
  removeStaleTemporaries((fs::path(store) / ".incoming" / "obj").string());
  if (node.isDicomWeb()) return dicomweb::retrieve(node, request, store, timeouts, onReceived);
  RetrieveResult result;

  if (request.method == RetrieveMethod::Get) {
    Scu scu(node, local, timeouts);
    scu.store = store;
    scu.onReceived = onReceived;
    scu.cancel = request.cancel;
    scu.addPresentationContext(kStudyRootGet, uncompressedSyntaxes());
    // Storage SOP classes we take the SCP role for (127 contexts at most with the GET one).
    for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs && i < 120; ++i) {
      scu.addPresentationContext(dcmLongSCUStorageSOPClassUIDs[i], receiveSyntaxes(), ASC_SC_ROLE_SCP);
    }
    scu.connect("C-GET");
    const T_ASC_PresentationContextID pc = scu.findAnyPresentationContextID(kStudyRootGet, UID_LittleEndianExplicitTransferSyntax);
    if (pc != 0) {
      DcmDataset keys = retrieveKeys(request);
      OFList<RetrieveResponse*> responses;
      const OFCondition c = scu.sendCGETRequest(pc, &keys, &responses);
      Uint16 status = 0xffff;
      readFinalCounts(responses, result, status);
      result.objects = scu.received;
      if (request.cancel && request.cancel->load()) {
        fail(node, "C-GET", "cancelled; the " + std::to_string(result.objects.size()) +
                                " objects received stay in the store (a retry completes it)");
      }
      if (c.bad()) {
        fail(node, "C-GET", reasonOf(c, node, local) + "; " + std::to_string(result.objects.size()) +
                                " objects received before that stay in the store");
      }
      if (!scu.receiveError.empty()) {
        // DcmSCU ends the session at an object we could not keep (answered 0xC000).
        fail(node, "C-GET", scu.receiveError + "; the retrieve stopped there, the " +
                                std::to_string(result.objects.size()) + " objects received before stay in the store");
      }
      checkRetrieveStatus(node, "C-GET", status, result, scu.receiveError);
      scu.release();
      result.methodUsed = RetrieveMethod::Get;
      return result;
    }
    scu.release();
    result.note = "the archive does not accept C-GET: retrieved by C-MOVE to " + local.aeTitle + " on port " +
                  std::to_string(local.port);
  }

  // C-MOVE: our storage receiver listens while the archive sends.
  std::mutex mutex;
  StorageReceiver receiver(local, store, [&](const ReceivedObject& o) {
    std::lock_guard<std::mutex> lock(mutex);
    result.objects.push_back(o);
    if (onReceived) onReceived(o);
  }, timeouts);
  receiver.start();
  Scu scu(node, local, timeouts);
  scu.addPresentationContext(kStudyRootMove, uncompressedSyntaxes());
  scu.connect("C-MOVE");
  const T_ASC_PresentationContextID pc = scu.findAnyPresentationContextID(kStudyRootMove, UID_LittleEndianExplicitTransferSyntax);
  if (pc == 0) fail(node, "C-MOVE", "the archive accepts neither C-GET nor C-MOVE from us");
  DcmDataset keys = retrieveKeys(request);
  OFList<RetrieveResponse*> responses;
  const OFCondition c = scu.sendMOVERequest(pc, local.aeTitle.c_str(), &keys, &responses);
  Uint16 status = 0xffff;
  readFinalCounts(responses, result, status);
  scu.release();
  // The archive's last association to the receiver may still be closing.
  for (int i = 0; i < 50 && receiver.busy(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  receiver.stop();
  if (c.bad()) {
    fail(node, "C-MOVE", reasonOf(c, node, local) + "; " + std::to_string(result.objects.size()) +
                             " objects received before that stay in the store");
  }
  checkRetrieveStatus(node, "C-MOVE", status, result, {});
  result.methodUsed = RetrieveMethod::Move;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Storage receiver

namespace {

class ReceiverScp : public DcmSCP {
public:
  std::string store;
  ReceivedCallback onReceived;
  RefusedCallback onRefused;
  std::atomic<bool> stop{false};
  std::atomic<bool> inAssociation{false};
  std::atomic<std::size_t> count{0};

protected:
  OFCondition handleIncomingCommand(T_DIMSE_Message* msg, const DcmPresentationContextInfo& info) override {
    if (msg->CommandField != DIMSE_C_STORE_RQ) return DcmSCP::handleIncomingCommand(msg, info);
    T_DIMSE_C_StoreRQ& req = msg->msg.CStoreRQ;
    const std::string tmp = incomingPath(store);
    OFCondition c = receiveSTORERequest(req, info.presentationContextID, tmp.c_str());
    if (c.bad()) {
      std::remove(tmp.c_str());
      return c;
    }
    ReceivedObject obj;
    std::string error;
    const Uint16 status = fileReceived(tmp, store, req.AffectedSOPInstanceUID, getPeerAETitle().c_str(), obj, error);
    if (status == STATUS_Success) {
      ++count;
      if (onReceived) onReceived(obj);
    } else if (onRefused) {
      onRefused(req.AffectedSOPInstanceUID, getPeerAETitle().c_str(), error);
    }
    return sendSTOREResponse(info.presentationContextID, req, status);
  }
  void notifyAssociationAcknowledge() override { inAssociation = true; }
  void notifyAssociationTermination() override { inAssociation = false; }
  OFBool stopAfterConnectionTimeout() override { return stop.load(); }
  OFBool stopAfterCurrentAssociation() override { return stop.load(); }
};

} // namespace

struct StorageReceiver::Impl {
  ReceiverScp scp;
  std::thread thread;
  LocalAe local;
  OFCondition result;
};

StorageReceiver::StorageReceiver(const LocalAe& local, std::string store, ReceivedCallback onReceived,
                                 const NetworkTimeouts& timeouts, RefusedCallback onRefused)
    : impl_(std::make_unique<Impl>()) {
  quietDcmtkLogging();
  impl_->local = local;
  ReceiverScp& s = impl_->scp;
  s.store = std::move(store);
  s.onReceived = std::move(onReceived);
  s.onRefused = std::move(onRefused);
  s.setAETitle(local.aeTitle.c_str());
  s.setPort(static_cast<Uint16>(local.port));
  s.setConnectionBlockingMode(DUL_NOBLOCK);
  s.setConnectionTimeout(1);  // check stop() once a second
  s.setACSETimeout(static_cast<Uint32>(timeouts.dimseSeconds));
  s.setDIMSETimeout(static_cast<Uint32>(timeouts.dimseSeconds));
  s.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  s.setHostLookupEnabled(OFFalse);
  OFList<OFString> echoSyntaxes = uncompressedSyntaxes();
  s.addPresentationContext(UID_VerificationSOPClass, echoSyntaxes);
  for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; ++i) {
    s.addPresentationContext(dcmAllStorageSOPClassUIDs[i], receiveSyntaxes());
  }
}

StorageReceiver::~StorageReceiver() { stop(); }

void StorageReceiver::start() {
  std::error_code ec;
  fs::create_directories(impl_->scp.store, ec);
  if (ec) throw PacsError("storage receiver: cannot create " + impl_->scp.store + ": " + ec.message());
  removeStaleTemporaries((fs::path(impl_->scp.store) / ".incoming" / "obj").string());
  const OFCondition c = impl_->scp.openListenPort();
  if (c.bad()) {
    throw PacsError("storage receiver " + impl_->local.aeTitle + " on port " + std::to_string(impl_->local.port) +
                    ": cannot listen: " + c.text() + " (is the port in use by another program?)");
  }
  impl_->thread = std::thread([this] { impl_->result = impl_->scp.acceptAssociations(); });
}

void StorageReceiver::stop() {
  impl_->scp.stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool StorageReceiver::busy() const { return impl_->scp.inAssociation.load(); }

std::size_t StorageReceiver::received() const { return impl_->scp.count.load(); }

std::string defaultReceiveStore(const std::string& indexPath) {
  return (fs::path(indexPath).parent_path() / "received").string();
}

namespace net {

std::string incomingFile(const std::string& store) { return incomingPath(store); }

unsigned short fileIncoming(const std::string& tmp, const std::string& store, const std::string& sender,
                            ReceivedObject& out, std::string& error) {
  return fileReceived(tmp, store, {}, sender, out, error);
}

} // namespace net

} // namespace lightbox
