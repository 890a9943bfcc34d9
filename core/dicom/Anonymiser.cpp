// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/Anonymiser.h"

#include "core/util/AtomicFile.h"
#include "core/util/FileList.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/oflog/oflog.h>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace lightbox {

namespace {

enum class Action { Remove, Empty, Dummy };

/// PS3.15 table E.1-1 (Basic Profile), the attributes met in CT, MR, PET, SEG, SR, KOS and
/// Encapsulated PDF: X (removed), Z (emptied) or D (a dummy value: type 1 in some IOD, e.g. the
/// SEG's Enhanced General Equipment). `description`: kept by the Clean Descriptors option.
struct Rule {
  DcmTagKey tag;
  Action action;
  bool description;
};

const std::vector<Rule>& basicProfile() {
  static const std::vector<Rule> rules = {
      {DCM_AccessionNumber, Action::Empty, false},
      // Free text and people's details that other vendors' objects carry (E.1-1: X), by number.
      {DcmTagKey(0x0008, 0x0055), Action::Remove, false}, // Station AE Title
      {DcmTagKey(0x0008, 0x1041), Action::Remove, false}, // Institutional Department Type Code Sequence
      {DcmTagKey(0x0010, 0x0101), Action::Remove, false}, // Patient's Primary Language Code Sequence
      {DcmTagKey(0x0010, 0x2203), Action::Remove, false}, // Patient's Sex Neutered
      {DcmTagKey(0x0010, 0x2297), Action::Remove, false}, // Responsible Person
      {DcmTagKey(0x0010, 0x2299), Action::Remove, false}, // Responsible Organization
      {DcmTagKey(0x0018, 0x4000), Action::Remove, false}, // Acquisition Comments
      {DcmTagKey(0x0032, 0x1030), Action::Remove, false}, // Reason for Study
      {DcmTagKey(0x0032, 0x4000), Action::Remove, false}, // Study Comments
      {DcmTagKey(0x0038, 0x0014), Action::Remove, false}, // Issuer of Admission ID Sequence
      {DcmTagKey(0x0038, 0x0060), Action::Remove, false}, // Service Episode ID
      {DcmTagKey(0x0040, 0x0001), Action::Remove, false}, // Scheduled Station AE Title
      {DcmTagKey(0x0040, 0x0006), Action::Remove, false}, // Scheduled Performing Physician's Name
      {DcmTagKey(0x0040, 0x0007), Action::Remove, false}, // Scheduled Procedure Step Description
      {DcmTagKey(0x0040, 0x0009), Action::Remove, false}, // Scheduled Procedure Step ID
      {DcmTagKey(0x0040, 0x0010), Action::Remove, false}, // Scheduled Station Name
      {DcmTagKey(0x0040, 0x0280), Action::Remove, false}, // Comments on the Performed Procedure Step
      {DcmTagKey(0x0040, 0x1002), Action::Remove, false}, // Reason for the Requested Procedure
      {DcmTagKey(0x0040, 0x1004), Action::Remove, false}, // Patient Transport Arrangements
      {DcmTagKey(0x0040, 0x1005), Action::Remove, false}, // Requested Procedure Location
      {DcmTagKey(0x0040, 0x1400), Action::Remove, false}, // Requested Procedure Comments
      {DcmTagKey(0x0040, 0x2400), Action::Remove, false}, // Imaging Service Request Comments
      {DcmTagKey(0x0040, 0x3001), Action::Remove, false}, // Confidentiality Constraint on Patient Data
      {DcmTagKey(0x0050, 0x0020), Action::Remove, false}, // Device Description
      {DCM_InstitutionName, Action::Remove, false},
      {DCM_InstitutionAddress, Action::Remove, false},
      {DCM_InstitutionCodeSequence, Action::Remove, false},
      {DCM_ReferringPhysicianName, Action::Empty, false},
      {DCM_ReferringPhysicianAddress, Action::Remove, false},
      {DCM_ReferringPhysicianTelephoneNumbers, Action::Remove, false},
      {DCM_ReferringPhysicianIdentificationSequence, Action::Remove, false},
      {DCM_ConsultingPhysicianName, Action::Remove, false},
      {DCM_StationName, Action::Remove, false},
      {DCM_StudyDescription, Action::Remove, true},
      {DCM_SeriesDescription, Action::Remove, true},
      {DCM_InstitutionalDepartmentName, Action::Remove, false},
      {DCM_PhysiciansOfRecord, Action::Remove, false},
      {DCM_PhysiciansOfRecordIdentificationSequence, Action::Remove, false},
      {DCM_PerformingPhysicianName, Action::Remove, false},
      {DCM_PerformingPhysicianIdentificationSequence, Action::Remove, false},
      {DCM_NameOfPhysiciansReadingStudy, Action::Remove, false},
      {DCM_PhysiciansReadingStudyIdentificationSequence, Action::Remove, false},
      {DCM_OperatorsName, Action::Remove, false},
      {DCM_OperatorIdentificationSequence, Action::Remove, false},
      {DCM_AdmittingDiagnosesDescription, Action::Remove, true},
      {DCM_AdmittingDiagnosesCodeSequence, Action::Remove, false},
      {DCM_ReferencedPatientSequence, Action::Remove, false},
      {DCM_DerivationDescription, Action::Remove, true},
      {DCM_RETIRED_IdentifyingComments, Action::Remove, false},
      {DCM_IssuerOfPatientID, Action::Remove, false},
      {DCM_PatientBirthDate, Action::Empty, false},
      {DCM_PatientBirthTime, Action::Remove, false},
      {DCM_PatientSex, Action::Empty, false},
      {DCM_PatientInsurancePlanCodeSequence, Action::Remove, false},
      {DCM_OtherPatientIDsSequence, Action::Remove, false},
      {DCM_OtherPatientNames, Action::Remove, false},
      {DCM_PatientBirthName, Action::Remove, false},
      {DCM_PatientAge, Action::Remove, false},
      {DCM_PatientSize, Action::Remove, false},
      {DCM_PatientWeight, Action::Remove, false},
      {DCM_PatientAddress, Action::Remove, false},
      {DCM_PatientMotherBirthName, Action::Remove, false},
      {DCM_MilitaryRank, Action::Remove, false},
      {DCM_BranchOfService, Action::Remove, false},
      {DCM_RETIRED_MedicalRecordLocator, Action::Remove, false},
      {DCM_CountryOfResidence, Action::Remove, false},
      {DCM_RegionOfResidence, Action::Remove, false},
      {DCM_PatientTelephoneNumbers, Action::Remove, false},
      {DCM_EthnicGroup, Action::Remove, false},
      {DCM_Occupation, Action::Remove, false},
      {DCM_SmokingStatus, Action::Remove, false},
      {DCM_AdditionalPatientHistory, Action::Remove, false},
      {DCM_PregnancyStatus, Action::Remove, false},
      {DCM_LastMenstrualDate, Action::Remove, false},
      {DCM_PatientReligiousPreference, Action::Remove, false},
      {DCM_PatientComments, Action::Remove, false},
      {DCM_DeviceSerialNumber, Action::Dummy, false},
      {DCM_ProtocolName, Action::Remove, true},
      {DCM_DetectorID, Action::Remove, false},
      {DCM_RETIRED_AcquisitionComments, Action::Remove, true},
      {DCM_StudyID, Action::Empty, false},
      {DCM_ImageComments, Action::Remove, true},
      {DCM_RequestingPhysician, Action::Remove, false},
      {DCM_RequestingService, Action::Remove, false},
      {DCM_RequestedProcedureDescription, Action::Remove, true},
      {DCM_RequestedContrastAgent, Action::Remove, false},
      {DCM_RETIRED_StudyComments, Action::Remove, false},
      {DCM_AdmissionID, Action::Remove, false},
      {DCM_CurrentPatientLocation, Action::Remove, false},
      {DCM_PatientInstitutionResidence, Action::Remove, false},
      {DCM_PatientState, Action::Remove, false},
      {DCM_PerformedProcedureStepID, Action::Remove, false},
      {DCM_PerformedProcedureStepDescription, Action::Remove, true},
      {DCM_RequestAttributesSequence, Action::Remove, false},
      {DCM_RequestedProcedureID, Action::Remove, false},
      {DCM_PlacerOrderNumberImagingServiceRequest, Action::Empty, false},
      {DCM_FillerOrderNumberImagingServiceRequest, Action::Empty, false},
      {DCM_AuthorObserverSequence, Action::Remove, false},
      {DCM_PersonIdentificationCodeSequence, Action::Remove, false},
      {DCM_OriginalAttributesSequence, Action::Remove, false},
      {DCM_ModifiedAttributesSequence, Action::Remove, false},
      {DCM_EncryptedAttributesSequence, Action::Remove, false},
      {DCM_ReferencedPatientAliasSequence, Action::Remove, false},
      {DCM_RETIRED_ScheduledPatientInstitutionResidence, Action::Remove, false},
      {DCM_PerformedLocation, Action::Remove, false},
      {DCM_RETIRED_OtherPatientIDs, Action::Remove, false},
      {DCM_MedicalAlerts, Action::Remove, false},
      {DCM_Allergies, Action::Remove, false},
      {DCM_PerformedStationAETitle, Action::Remove, false},
      {DCM_PerformedStationName, Action::Remove, false},
      {DCM_AcquisitionDeviceProcessingDescription, Action::Remove, true},
      {DCM_IssuerOfAccessionNumberSequence, Action::Remove, false},
      {DCM_VerifyingObserverIdentificationCodeSequence, Action::Remove, false},
      {DCM_FrameComments, Action::Remove, true},
      {DCM_ScheduledProcedureStepLocation, Action::Remove, false},
  };
  return rules;
}

/// UI attributes that name a kind of thing, never an instance: kept as they are.
bool keepUid(const DcmTagKey& tag, const std::string& value) {
  static const std::set<DcmTagKey> keep = {
      DCM_SOPClassUID, DCM_ReferencedSOPClassUID, DCM_MediaStorageSOPClassUID, DCM_TransferSyntaxUID,
      DCM_ImplementationClassUID, DCM_CodingSchemeUID, DCM_ContextUID, DCM_ContextGroupExtensionCreatorUID,
      DCM_RelatedGeneralSOPClassUID, DCM_OriginalSpecializedSOPClassUID, DCM_ReferencedSOPClassUIDInFile,
      DCM_ReferencedTransferSyntaxUIDInFile, DCM_SOPClassesInStudy, DCM_AffectedSOPClassUID,
      DCM_RequestedSOPClassUID, DCM_MappingResourceUID};
  return keep.count(tag) > 0 || value.rfind("1.2.840.10008.", 0) == 0;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

/// HMAC-free keyed hash: SHA-256 of key + "\n" + text (the key is secret and per mapping).
std::array<unsigned char, 32> keyedHash(const std::string& key, const std::string& text) {
  std::array<unsigned char, 32> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int len = 0;
  const std::string all = key + "\n" + text;
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, all.data(), all.size()) != 1 || EVP_DigestFinal_ex(ctx, out.data(), &len) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("anonymise: SHA-256 failed");
  }
  EVP_MD_CTX_free(ctx);
  return out;
}

/// "2.25." and the first 16 bytes of the hash as a decimal number (PS3.5 B.2).
std::string uidFromHash(const std::array<unsigned char, 32>& h) {
  std::vector<unsigned> digits{0};  // little-endian base 10^9
  for (int i = 0; i < 16; ++i) {
    unsigned long long carry = h[i];
    for (unsigned& d : digits) {
      const unsigned long long v = static_cast<unsigned long long>(d) * 256 + carry;
      d = static_cast<unsigned>(v % 1000000000ULL);
      carry = v / 1000000000ULL;
    }
    while (carry) {
      digits.push_back(static_cast<unsigned>(carry % 1000000000ULL));
      carry /= 1000000000ULL;
    }
  }
  std::string s = std::to_string(digits.back());
  for (int i = int(digits.size()) - 2; i >= 0; --i) {
    char b[16];
    std::snprintf(b, sizeof b, "%09u", digits[i]);
    s += b;
  }
  return "2.25." + s;
}

std::string hex(const std::array<unsigned char, 32>& h, int bytes) {
  std::string s;
  char b[3];
  for (int i = 0; i < bytes; ++i) {
    std::snprintf(b, sizeof b, "%02X", h[i]);
    s += b;
  }
  return s;
}

/// A YYYYMMDD date moved by `days` (calendar arithmetic on a UTC day count); the rest of a DT
/// (time, offset) is kept. A DT of only a year or a year and month is moved from its first day and
/// cut to its own length.
std::string shiftDate(const std::string& date, int days) {
  if (date.empty() || date.find_first_not_of("0123456789") < std::min<std::size_t>(date.size(), 8)) return date;
  std::string full = date.size() >= 8 ? date.substr(0, 8) : date + std::string("00000101").substr(date.size());
  if (full.substr(4, 2) == "00") full.replace(4, 2, "01");
  std::tm t{};
  t.tm_year = std::stoi(full.substr(0, 4)) - 1900;
  t.tm_mon = std::stoi(full.substr(4, 2)) - 1;
  t.tm_mday = std::stoi(full.substr(6, 2)) + days;
  t.tm_hour = 12;
  const std::time_t when = timegm(&t);
  std::tm out{};
  gmtime_r(&when, &out);
  char b[40];
  std::snprintf(b, sizeof b, "%04d%02d%02d", out.tm_year + 1900, out.tm_mon + 1, out.tm_mday);
  const std::string shifted = b;
  return date.size() >= 8 ? shifted + date.substr(8) : shifted.substr(0, date.size());
}

/// Each value of a multi-valued string (backslash-separated) through `f`.
template <typename F> std::string eachValue(const std::string& values, F f) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = values.find('\\', start);
    const std::string one = values.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (start > 0) out += "\\";
    out += one.empty() ? one : f(one);
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

class Session {
public:
  Session(const AnonymiseOptions& o) : options_(o) {
    if (!o.mappingPath.empty() && fs::exists(o.mappingPath)) readMapping();
    if (key_.empty()) {
      std::random_device rd;
      std::ostringstream k;
      for (int i = 0; i < 8; ++i) k << std::hex << rd();
      key_ = k.str();
    }
  }

  std::string uid(const std::string& old) {
    auto it = uids_.find(old);
    if (it != uids_.end()) return it->second;
    const std::string fresh = uidFromHash(keyedHash(key_, "uid:" + old));
    uids_[old] = fresh;
    return fresh;
  }

  std::string pseudonym(const std::string& patientId, const std::string& name) {
    const std::string original = patientId + "|" + name;
    auto it = patients_.find(original);
    if (it != patients_.end()) return it->second;
    const std::string code = hex(keyedHash(key_, "patient:" + original), 5);
    patients_[original] = code;
    return code;
  }

  void writeMapping() const {
    if (options_.mappingPath.empty()) return;
    std::ostringstream out;
    out << "kind,original,replacement\n";
    out << "key,," << key_ << "\n";
    for (const auto& [a, b] : patients_) out << "patient,\"" << escape(a) << "\"," << b << "\n";
    for (const auto& [a, b] : uids_) out << "uid," << a << "," << b << "\n";
    if (options_.dates == AnonymiseOptions::Dates::Shift) out << "date_shift_days,," << options_.shiftDays << "\n";
    // It holds the key and the original names and IDs: readable by its owner only.
    if (const std::string problem = writeFileAtomically(options_.mappingPath, out.str(), 0600); !problem.empty()) {
      throw std::runtime_error(options_.mappingPath + ": cannot write the mapping file: " + problem);
    }
  }

  std::size_t uidCount() const { return uids_.size(); }

private:
  static std::string escape(const std::string& s) {
    std::string o;
    for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o;
  }

  void readMapping() {
    std::ifstream in(options_.mappingPath);
    std::string line;
    std::getline(in, line);
    if (line != "kind,original,replacement") {
      throw std::runtime_error(options_.mappingPath + ": not a Lightbox anonymisation mapping (first line '" + line + "')");
    }
    while (std::getline(in, line)) {
      const std::size_t a = line.find(','), b = line.rfind(',');
      if (a == std::string::npos || b == a) continue;
      const std::string kind = line.substr(0, a), value = line.substr(b + 1);
      std::string original = line.substr(a + 1, b - a - 1);
      if (original.size() >= 2 && original.front() == '"') {
        original = original.substr(1, original.size() - 2);
        std::string u;
        for (std::size_t i = 0; i < original.size(); ++i) {
          u += original[i];
          if (original[i] == '"' && i + 1 < original.size() && original[i + 1] == '"') ++i;
        }
        original = u;
      }
      if (kind == "date_shift_days" && options_.dates == AnonymiseOptions::Dates::Shift &&
          value != std::to_string(options_.shiftDays)) {
        throw std::runtime_error(options_.mappingPath + ": made with --shift-days " + value + ", not " +
                                 std::to_string(options_.shiftDays) + ": the dates would not agree across runs");
      }
      if (kind == "key") key_ = value;
      else if (kind == "uid") uids_[original] = value;
      else if (kind == "patient") patients_[original] = value;
    }
  }

  AnonymiseOptions options_;
  std::string key_;
  std::map<std::string, std::string> uids_, patients_;
};

class Cleaner {
public:
  Cleaner(Session& s, const AnonymiseOptions& o) : session_(s), options_(o) {}

  void clean(DcmItem& item, bool topLevel) {
    // Private attributes, curves, overlay data and comments.
    for (unsigned long i = item.card(); i-- > 0;) {
      DcmElement* e = item.getElement(i);
      const DcmTagKey t = e->getTag();
      const Uint16 g = t.getGroup();
      // Private groups, curves, overlay data; and any public element of unknown VR (UN: an
      // attribute DCMTK's dictionary does not know, which may hold a name the rules below miss).
      if ((g & 1) || e->ident() == EVR_UN || (g >= 0x5000 && g <= 0x50ff) ||
          (g >= 0x6000 && g <= 0x60ff && (t.getElement() == 0x3000 || t.getElement() == 0x4000))) {
        delete item.remove(e);
      }
    }
    for (const Rule& r : basicProfile()) {
      if (r.description && options_.keepDescriptions) continue;
      if (!item.tagExists(r.tag)) continue;
      if (r.action == Action::Remove) {
        item.findAndDeleteElement(r.tag);
      } else {
        item.putAndInsertString(r.tag, r.action == Action::Dummy ? "ANONYMIZED" : "");
      }
    }
    // Names in structured content and observers: a dummy (the attributes are type 1 there).
    if (item.tagExists(DCM_PersonName)) item.putAndInsertString(DCM_PersonName, "ANONYMOUS");
    if (item.tagExists(DCM_VerifyingObserverName)) item.putAndInsertString(DCM_VerifyingObserverName, "ANONYMOUS");
    if (item.tagExists(DCM_VerifyingOrganization)) item.putAndInsertString(DCM_VerifyingOrganization, "ANONYMOUS");
    if (item.tagExists(DCM_TextValue) && !options_.keepDescriptions) item.putAndInsertString(DCM_TextValue, "(removed)");
    if (item.tagExists(DCM_ContentCreatorName)) item.putAndInsertString(DCM_ContentCreatorName, "ANONYMOUS");

    for (unsigned long i = 0; i < item.card(); ++i) {
      DcmElement* e = item.getElement(i);
      const DcmEVR vr = e->ident();
      const DcmTagKey t = e->getTag();
      if (vr == EVR_SQ) {
        DcmSequenceOfItems* sq = static_cast<DcmSequenceOfItems*>(e);
        for (unsigned long k = 0; k < sq->card(); ++k) clean(*sq->getItem(k), false);
        continue;
      }
      OFString v;
      if (e->getLength() == 0 || e->getOFStringArray(v).bad()) continue;
      const std::string value = trim(v.c_str());
      if (vr == EVR_UI) {
        if (!keepUid(t, value)) {
          e->putString(eachValue(value, [this](const std::string& uid) { return session_.uid(uid); }).c_str());
        }
      } else if (vr == EVR_DA || vr == EVR_DT) {
        if (options_.dates == AnonymiseOptions::Dates::Dummy) {
          e->putString(eachValue(value, [vr](const std::string&) {
                         return std::string(vr == EVR_DA ? "19000101" : "19000101000000");
                       }).c_str());
        } else if (options_.dates == AnonymiseOptions::Dates::Shift) {
          const int days = options_.shiftDays;
          e->putString(eachValue(value, [days](const std::string& d) { return shiftDate(d, days); }).c_str());
        }
      } else if (vr == EVR_TM && options_.dates == AnonymiseOptions::Dates::Dummy) {
        e->putString(eachValue(value, [](const std::string&) { return std::string("000000"); }).c_str());
      } else if (vr == EVR_PN) {
        // A person's name the table above does not list (another vendor's, a newer attribute):
        // a dummy, never the name (the patient's own is set after this).
        e->putString("ANONYMOUS");
      }
    }
    (void)topLevel;
  }

private:
  Session& session_;
  const AnonymiseOptions& options_;
};

void putCode(DcmItem& item, const char* value, const char* meaning) {
  item.putAndInsertString(DCM_CodeValue, value);
  item.putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
  item.putAndInsertString(DCM_CodeMeaning, meaning);
}

} // namespace

AnonymiseResult anonymiseDicom(const std::vector<std::string>& sources, const std::string& outDir,
                               const AnonymiseOptions& options) {
  for (const std::string& s : sources) {
    std::error_code ec;
    if (!fs::exists(s, ec)) throw std::runtime_error(s + ": no such file or folder");
  }
  const std::vector<std::string> files = regularFilesUnder(sources);
  // Files that are not DICOM are skipped and said; DCMTK's own parse messages are not.
  OFLogger log = OFLog::getLogger("dcmtk.dcmdata");
  const OFLogger::LogLevel level = log.getChainedLogLevel();
  log.setLogLevel(OFLogger::FATAL_LOG_LEVEL);
  struct Restore {
    OFLogger& log;
    OFLogger::LogLevel level;
    ~Restore() { log.setLogLevel(level); }
  } restore{log, level};
  Session session(options);
  Cleaner cleaner(session, options);
  AnonymiseResult result;
  std::error_code ec;
  fs::create_directories(outDir, ec);
  if (ec) throw std::runtime_error(outDir + ": cannot create the output folder: " + ec.message());
  for (const std::string& f : files) {
    AnonymisedFile out;
    out.source = f;
    DcmFileFormat file;
    if (file.loadFile(f.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect).bad() ||
        !file.getDataset()->tagExists(DCM_SOPInstanceUID)) {
      out.note = "skipped: not a DICOM object";
      ++result.skipped;
      result.files.push_back(out);
      continue;
    }
    DcmDataset& ds = *file.getDataset();
    OFString sopClass;
    ds.findAndGetOFString(DCM_SOPClassUID, sopClass);
    if (std::string(sopClass.c_str()).rfind("1.2.840.10008.5.1.4.1.1.104.", 0) == 0) {
      // An Encapsulated PDF or CDA: the document itself (compressed text the profile cannot read,
      // e.g. our report's PDF with the patient's name on every page) would carry the identity.
      out.note = "skipped: an encapsulated document (PDF/CDA) whose own text may name the patient "
                 "(a KOS or SR of this run that lists it still points at its new UID)";
      ++result.skipped;
      result.files.push_back(out);
      continue;
    }
    OFString id, name, modality, burned;
    ds.findAndGetOFStringArray(DCM_PatientID, id);
    ds.findAndGetOFStringArray(DCM_PatientName, name);
    ds.findAndGetOFString(DCM_Modality, modality);
    ds.findAndGetOFString(DCM_BurnedInAnnotation, burned);
    const std::string code = session.pseudonym(trim(id.c_str()), trim(name.c_str()));

    cleaner.clean(ds, true);
    ds.putAndInsertString(DCM_PatientID, ("ANON-" + code).c_str());
    ds.putAndInsertString(DCM_PatientName, ("ANONYMOUS^" + code).c_str());
    ds.putAndInsertString(DCM_PatientIdentityRemoved, "YES");
    // LO, one value per option (each at most 64 characters).
    std::string method = "PS3.15 Basic Application Confidentiality Profile (Lightbox)";
    ds.findAndDeleteElement(DCM_DeidentificationMethodCodeSequence);
    DcmItem* c = nullptr;
    ds.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, c, -2);
    if (c) putCode(*c, "113100", "Basic Application Confidentiality Profile");
    if (options.dates == AnonymiseOptions::Dates::Keep) {
      method += "\\Retain Longitudinal Temporal Info Full Dates Option";
      if (ds.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, c, -2).good())
        putCode(*c, "113106", "Retain Longitudinal Temporal Information Full Dates Option");
    } else if (options.dates == AnonymiseOptions::Dates::Shift) {
      method += "\\Retain Longitudinal Temporal Info Modified Dates Opt.";
      if (ds.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, c, -2).good())
        putCode(*c, "113107", "Retain Longitudinal Temporal Information Modified Dates Option");
    }
    if (options.keepDescriptions) {
      // Kept as they were, not cleaned: the Clean Descriptors option (113105) is not claimed.
      method += "\\Descriptions retained, not cleaned";
    }
    ds.putAndInsertString(DCM_DeidentificationMethod, method.c_str());
    ds.putAndInsertString(DCM_LongitudinalTemporalInformationModified,
                          options.dates == AnonymiseOptions::Dates::Keep    ? "UNMODIFIED"
                          : options.dates == AnonymiseOptions::Dates::Shift ? "MODIFIED"
                                                                            : "REMOVED");
    // Burned-in text is in the pixels, which are never changed: flag it.
    static const std::set<std::string> oftenBurned = {"US", "SC", "OT", "XA", "RF", "DX", "CR", "ES", "XC", "MG", "IO"};
    const std::string b = trim(burned.c_str());
    if (b == "YES") {
      out.burnedInAnnotation = true;
      out.note = "Burned In Annotation is YES: names or dates may be in the pixels (not changed)";
    } else if (b.empty() && oftenBurned.count(trim(modality.c_str())) && ds.tagExists(DCM_PixelData)) {
      out.burnedInAnnotation = true;
      out.note = "modality " + trim(modality.c_str()) + " without Burned In Annotation: check the pixels for text";
    }
    result.flagged += out.burnedInAnnotation ? 1 : 0;

    OFString study, series, sop;
    ds.findAndGetOFString(DCM_StudyInstanceUID, study);
    ds.findAndGetOFString(DCM_SeriesInstanceUID, series);
    ds.findAndGetOFString(DCM_SOPInstanceUID, sop);
    const fs::path dir = fs::path(outDir) / (study.empty() ? "no-study" : study.c_str()) /
                         (series.empty() ? "no-series" : series.c_str());
    fs::create_directories(dir, ec);
    const fs::path target = dir / (std::string(sop.c_str()) + ".dcm");
    // The meta header is written again from the data set (new SOP Instance UID), the data set in
    // its own transfer syntax (pixel data unchanged); the AE titles and private information of the
    // source's meta header go.
    for (const DcmTagKey& k : {DCM_SourceApplicationEntityTitle, DCM_SendingApplicationEntityTitle,
                               DCM_ReceivingApplicationEntityTitle, DCM_PrivateInformationCreatorUID,
                               DCM_PrivateInformation}) {
      file.getMetaInfo()->findAndDeleteElement(k);
    }
    const OFCondition saved = file.saveFile((target.string() + ".partial").c_str(), EXS_Unknown, EET_UndefinedLength,
                                            EGL_recalcGL, EPD_noChange, 0, 0, EWM_updateMeta);
    if (saved.bad() || std::rename((target.string() + ".partial").c_str(), target.c_str()) != 0) {
      std::remove((target.string() + ".partial").c_str());
      throw std::runtime_error(target.string() + ": cannot write: " + saved.text());
    }
    out.output = target.string();
    ++result.written;
    result.files.push_back(out);
  }
  session.writeMapping();
  result.uidsReplaced = session.uidCount();
  return result;
}

} // namespace lightbox
