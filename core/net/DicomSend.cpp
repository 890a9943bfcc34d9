// SPDX-License-Identifier: Apache-2.0
// C-STORE SCU (issue 27): each file in a presentation context of its own transfer syntax, written
// with its own length encoding; DICOMweb nodes go to STOW-RS.
#include "core/net/DicomNetwork.h"

#include "core/net/DicomWeb.h"
#include "core/net/NetInternal.h"
#include "core/util/FileList.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcstack.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmnet/diutil.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace lightbox {

using net::elementText;
using net::fail;
using net::hex4;
using net::quietDcmtkLogging;
using net::reasonOf;

namespace {

/// A file to send: its SOP class, instance and transfer syntax, from its meta header and data set.
struct Outgoing {
  std::string path, sopClass, sopInstance, syntax;
};

bool uncompressed(const std::string& ts) {
  return ts == UID_LittleEndianExplicitTransferSyntax || ts == UID_LittleEndianImplicitTransferSyntax ||
         ts == UID_BigEndianExplicitTransferSyntax;
}

std::mutex& sendEncodingMutex() {
  static std::mutex m;
  return m;
}

/// Whether the data set as read used undefined lengths for its sequences and items.
bool undefinedLengths(DcmDataset& ds) {
  DcmStack stack;
  std::size_t undefined = 0, defined = 0;
  while (ds.nextObject(stack, OFTrue).good()) {
    DcmObject* o = stack.top();
    if (o->ident() == EVR_SQ || o->ident() == EVR_item) {
      (o->getLengthField() == DCM_UndefinedLength ? undefined : defined) += 1;
    }
  }
  return undefined > defined;
}

/// One association of the sender (ASC/DIMSE directly, so each file goes in a presentation context of
/// its own transfer syntax, and the rejection reasons can be read).
class SendAssociation {
public:
  SendAssociation(const PacsNode& node, const LocalAe& local, const NetworkTimeouts& t) : node_(node), local_(local), t_(t) {}
  ~SendAssociation() {
    if (assoc_) {
      ASC_abortAssociation(assoc_);
      ASC_destroyAssociation(&assoc_);
    }
    if (net_) ASC_dropNetwork(&net_);
  }

  /// Proposes, for each (SOP class, transfer syntax) of `files`, that syntax alone, and for each
  /// uncompressed one a second context with both little-endian syntaxes (taken only when the
  /// archive refuses the file's own). Returns the files that fit in this association.
  std::vector<Outgoing> open(std::vector<Outgoing>& files) {
    dcmConnectionTimeout.set(t_.connectSeconds);
    OFCondition c = ASC_initializeNetwork(NET_REQUESTOR, 0, t_.dimseSeconds, &net_);
    if (c.bad()) fail(node_, "C-STORE", std::string("cannot set up the network: ") + c.text());
    T_ASC_Parameters* params = nullptr;
    ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU);
    ASC_setAPTitles(params, local_.aeTitle.c_str(), node_.aeTitle.c_str(), nullptr);
    const std::string peer = node_.host + ":" + std::to_string(node_.port);
    ASC_setPresentationAddresses(params, "localhost", peer.c_str());
    std::vector<Outgoing> taken, rest;
    int id = 1;
    for (const Outgoing& f : files) {
      const auto key = std::make_pair(f.sopClass, f.syntax);
      if (!exact_.count(key)) {
        const int needed = uncompressed(f.syntax) && !fallback_.count(f.sopClass) ? 2 : 1;
        if (id + 2 * (needed - 1) > 255) {
          rest.push_back(f);
          continue;
        }
        const char* own[] = {f.syntax.c_str()};
        ASC_addPresentationContext(params, T_ASC_PresentationContextID(id), f.sopClass.c_str(), own, 1);
        exact_[key] = id;
        id += 2;
        if (needed == 2) {
          const char* both[] = {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax};
          ASC_addPresentationContext(params, T_ASC_PresentationContextID(id), f.sopClass.c_str(), both, 2);
          fallback_[f.sopClass] = id;
          id += 2;
        }
      }
      taken.push_back(f);
    }
    files = rest;
    c = ASC_requestAssociation(net_, params, &assoc_);
    if (c.bad()) {
      std::string reason = reasonOf(c, node_, local_);
      if (c == DUL_ASSOCIATIONREJECTED) {
        T_ASC_RejectParameters rej;
        ASC_getRejectParameters(params, &rej);
        OFString text;
        ASC_printRejectParameters(text, &rej);
        std::string t = text.c_str();
        for (char& ch : t) ch = ch == '\n' ? ';' : ch;
        reason += " [" + t + "]";
      }
      if (!assoc_) ASC_destroyAssociationParameters(&params);
      fail(node_, "C-STORE", reason);
    }
    return taken;
  }

  SentObject send(const Outgoing& f) {
    SentObject s;
    s.path = f.path;
    s.sopInstanceUid = f.sopInstance;
    T_ASC_PresentationContextID pc = 0;
    bool convert = false;
    if (auto it = exact_.find({f.sopClass, f.syntax}); it != exact_.end() && accepted(it->second)) {
      pc = T_ASC_PresentationContextID(it->second);
    } else if (auto fb = fallback_.find(f.sopClass); fb != fallback_.end() && accepted(fb->second)) {
      pc = T_ASC_PresentationContextID(fb->second);
      convert = true;
    }
    if (pc == 0) {
      s.status = "not sent: the archive accepts neither its SOP class nor its transfer syntax";
      return s;
    }
    T_DIMSE_C_StoreRQ req{};
    T_DIMSE_C_StoreRSP rsp{};
    req.MessageID = assoc_->nextMsgID++;
    OFStandard::strlcpy(req.AffectedSOPClassUID, f.sopClass.c_str(), sizeof req.AffectedSOPClassUID);
    OFStandard::strlcpy(req.AffectedSOPInstanceUID, f.sopInstance.c_str(), sizeof req.AffectedSOPInstanceUID);
    req.DataSetType = DIMSE_DATASET_PRESENT;
    req.Priority = DIMSE_PRIORITY_MEDIUM;
    DcmDataset* detail = nullptr;
    OFCondition c;
    DcmFileFormat file;
    c = file.loadFile(f.path.c_str());
    if (c.bad()) {
      s.status = std::string("not sent: cannot read it: ") + c.text();
      return s;
    }
    {
      if (convert) {
        // The archive refused the file's own (uncompressed) syntax: the other little-endian one.
        T_ASC_PresentationContext info;
        ASC_findAcceptedPresentationContext(assoc_->params, pc, &info);
        file.getDataset()->chooseRepresentation(DcmXfer(info.acceptedTransferSyntax).getXfer(), nullptr);
      }
      // DIMSE writes the parsed data set again; with the file's own length encoding of sequences
      // and items (undefined or explicit) the bytes on the wire are the file's.
      const std::lock_guard<std::mutex> lock(sendEncodingMutex());
      g_dimse_send_sequenceType_encoding = undefinedLengths(*file.getDataset()) ? EET_UndefinedLength : EET_ExplicitLength;
      c = DIMSE_storeUser(assoc_, pc, &req, nullptr, file.getDataset(), nullptr, nullptr, DIMSE_NONBLOCKING,
                          t_.dimseSeconds, &rsp, &detail);
    }
    delete detail;
    if (c.bad()) fail(node_, "C-STORE of " + f.path, reasonOf(c, node_, local_));
    const Uint16 st = rsp.DimseStatus;
    if (st == STATUS_Success) {
      s.stored = true;
      s.status = convert ? "success (sent in the other uncompressed syntax: the archive refused the file's own)" : "success";
    } else if ((st & 0xf000) == 0xb000) {
      s.stored = true;
      s.status = "warning 0x" + hex4(st);
    } else {
      s.status = "refused 0x" + hex4(st) + " (" + DU_cstoreStatusString(st) + ")";
    }
    return s;
  }

  void release() {
    if (assoc_) {
      ASC_releaseAssociation(assoc_);
      ASC_destroyAssociation(&assoc_);
      assoc_ = nullptr;
    }
  }

private:
  bool accepted(int id) {
    T_ASC_PresentationContext info;
    return ASC_findAcceptedPresentationContext(assoc_->params, T_ASC_PresentationContextID(id), &info).good() &&
           info.resultReason == ASC_P_ACCEPTANCE;
  }

  PacsNode node_;
  LocalAe local_;
  NetworkTimeouts t_;
  T_ASC_Network* net_ = nullptr;
  T_ASC_Association* assoc_ = nullptr;
  std::map<std::pair<std::string, std::string>, int> exact_;
  std::map<std::string, int> fallback_;
};

} // namespace

std::vector<SentObject> sendToNode(const PacsNode& node, const LocalAe& local, const std::vector<std::string>& paths,
                                   const NetworkTimeouts& timeouts) {
  quietDcmtkLogging();
  if (node.isDicomWeb()) return dicomweb::send(node, paths, timeouts);
  const std::vector<std::string> files = regularFilesUnder(paths);
  std::vector<SentObject> out;
  std::vector<Outgoing> outgoing;
  for (const std::string& f : files) {
    DcmFileFormat file;
    const OFCondition c = file.loadFileUntilTag(f.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_fileOnly,
                                                DCM_PixelData);
    Outgoing o{f, {}, {}, {}};
    if (c.good()) {
      o.sopClass = elementText(*file.getMetaInfo(), DCM_MediaStorageSOPClassUID);
      o.sopInstance = elementText(*file.getMetaInfo(), DCM_MediaStorageSOPInstanceUID);
      o.syntax = elementText(*file.getMetaInfo(), DCM_TransferSyntaxUID);
    }
    if (c.bad() || o.sopClass.empty() || o.sopInstance.empty() || o.syntax.empty()) {
      SentObject s;
      s.path = f;
      s.skipped = true;
      s.status = "skipped: not a DICOM file with its meta header";
      out.push_back(s);
      continue;
    }
    outgoing.push_back(o);
  }
  while (!outgoing.empty()) {
    SendAssociation assoc(node, local, timeouts);
    for (const Outgoing& f : assoc.open(outgoing)) out.push_back(assoc.send(f));
    assoc.release();
  }
  return out;
}

} // namespace lightbox
