// SPDX-License-Identifier: Apache-2.0
#include "core/report/EncapsulatedPdf.h"

#include "core/dicom/DcmtkText.h"

#include "core/report/ReportDicom.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>
#include <vector>

namespace lightbox {
namespace {

/// Patient, Patient Study, General Study and Clinical Trial attributes the new object shares with
/// its source images (copied when the source has them).
const DcmTagKey kCopiedFromSource[] = {
    DCM_SpecificCharacterSet,
    // Patient
    DCM_PatientName,
    DCM_PatientID,
    DCM_IssuerOfPatientID,
    DCM_IssuerOfPatientIDQualifiersSequence,
    DCM_PatientBirthDate,
    DCM_PatientBirthTime,
    DCM_PatientSex,
    DCM_OtherPatientIDsSequence,
    DCM_EthnicGroup,
    DCM_PatientComments,
    DCM_PatientSpeciesDescription,
    DCM_PatientBreedDescription,
    DCM_ResponsiblePerson,
    DCM_ResponsiblePersonRole,
    DCM_ResponsibleOrganization,
    DCM_PatientIdentityRemoved,
    DCM_DeidentificationMethod,
    DCM_DeidentificationMethodCodeSequence,
    // Clinical Trial Subject
    DCM_ClinicalTrialSponsorName,
    DCM_ClinicalTrialProtocolID,
    DCM_ClinicalTrialProtocolName,
    DCM_ClinicalTrialSiteID,
    DCM_ClinicalTrialSiteName,
    DCM_ClinicalTrialSubjectID,
    DCM_ClinicalTrialSubjectReadingID,
    // General Study
    DCM_StudyInstanceUID,
    DCM_StudyDate,
    DCM_StudyTime,
    DCM_ReferringPhysicianName,
    DCM_StudyID,
    DCM_AccessionNumber,
    DCM_IssuerOfAccessionNumberSequence,
    DCM_StudyDescription,
    DCM_PhysiciansOfRecord,
    DCM_NameOfPhysiciansReadingStudy,
    DCM_ProcedureCodeSequence,
    // Patient Study
    DCM_AdmittingDiagnosesDescription,
    DCM_PatientAge,
    DCM_PatientSize,
    DCM_PatientWeight,
    DCM_Occupation,
    DCM_AdditionalPatientHistory,
    DCM_LastMenstrualDate,
    DCM_SmokingStatus,
    DCM_PregnancyStatus,
    // Clinical Trial Study
    DCM_ClinicalTrialTimePointID,
    DCM_ClinicalTrialTimePointDescription,
};

/// Type 2 attributes of the modules above: present, empty when the source lacks them.
const DcmTagKey kRequiredEmpty[] = {
    DCM_PatientName,    DCM_PatientID, DCM_PatientBirthDate,       DCM_PatientSex,
    DCM_StudyDate,      DCM_StudyTime, DCM_ReferringPhysicianName, DCM_StudyID,
    DCM_AccessionNumber};

/// checkDcmtk with this file's argument order (what, then path).
void check(const OFCondition& status, const std::string& what, const std::string& path) { checkDcmtk(status, path, what); }

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value, const std::string& path) {
  check(item.putAndInsertString(tag, value.c_str()),
        "setting " + std::string(DcmTag(tag).getTagName()), path);
}

std::vector<std::uint8_t> readPdf(const std::string& pdfPath, const std::string& path) {
  std::ifstream in(pdfPath, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot write the Encapsulated PDF " + path + ": cannot read " +
                             pdfPath);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  const std::string magic = "%PDF-";
  if (bytes.size() < magic.size() || !std::equal(magic.begin(), magic.end(), bytes.begin())) {
    throw std::runtime_error("cannot write the Encapsulated PDF " + path + ": " + pdfPath +
                             " is not a PDF file");
  }
  return bytes;
}


} // namespace

ExportedObject writeEncapsulatedPdf(const ReportContent& content, const std::string& pdfPath,
                                    const ExportedObject& sr, const std::string& path) {
  std::vector<std::uint8_t> document = readPdf(pdfPath, path);
  const Uint32 documentLength = Uint32(document.size());
  if (document.size() % 2)
    document.push_back(0); // OB values have even length

  const std::string& sourceFile = content.source.representativeFile;
  if (sourceFile.empty()) {
    throw std::runtime_error(
        "cannot write the Encapsulated PDF " + path +
        ": the series has no source DICOM file to take the patient and study from");
  }
  DcmFileFormat source;
  const OFCondition read = source.loadFile(sourceFile.c_str());
  if (read.bad()) {
    throw std::runtime_error("cannot write the Encapsulated PDF " + path +
                             ": cannot read the source image " + sourceFile + " (" + read.text() +
                             ")");
  }
  DcmDataset& src = *source.getDataset();
  decodeTextToUtf8(src); // copied below as UTF-8, like the document's own text (issue 28)

  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  for (const DcmTagKey& tag : kCopiedFromSource) {
    if (src.tagExistsWithValue(tag))
      check(src.findAndInsertCopyOfElement(tag, &ds), "copying from the source", path);
  }
  // A de-identified source that does not say how (an empty Deidentification Method, seen in real
  // data): the 1C attribute is required once Patient Identity Removed is YES.
  OFString removed;
  if (ds.findAndGetOFString(DCM_PatientIdentityRemoved, removed).good() && removed == "YES" &&
      !ds.tagExistsWithValue(DCM_DeidentificationMethod) && !ds.tagExistsWithValue(DCM_DeidentificationMethodCodeSequence)) {
    put(ds, DCM_DeidentificationMethod, "not stated in the source images", path);
  }
  for (const DcmTagKey& tag : kRequiredEmpty) {
    if (!ds.tagExists(tag))
      check(ds.insertEmptyElement(tag), "adding an empty type 2 attribute", path);
  }
  if (!ds.tagExists(DCM_StudyInstanceUID)) {
    if (content.source.studyInstanceUid.empty()) {
      throw std::runtime_error("cannot write the Encapsulated PDF " + path +
                               ": the series has no Study Instance UID");
    }
    put(ds, DCM_StudyInstanceUID, content.source.studyInstanceUid, path);
  }

  // SOP Common
  const std::string sopInstanceUid = newDicomUid(), seriesInstanceUid = newDicomUid();
  put(ds, DCM_SOPClassUID, UID_EncapsulatedPDFStorage, path);
  put(ds, DCM_SOPInstanceUID, sopInstanceUid, path);
  const std::string now = currentIsoTime();
  put(ds, DCM_InstanceCreationDate, dicomDate(now), path);
  put(ds, DCM_InstanceCreationTime, dicomTime(now), path);

  // Encapsulated Document Series
  put(ds, DCM_Modality, "DOC", path);
  put(ds, DCM_SeriesInstanceUID, seriesInstanceUid, path);
  put(ds, DCM_SeriesNumber, std::to_string(kPdfSeriesNumber), path);
  put(ds, DCM_SeriesDescription, "Lightbox report (PDF)", path);

  // General Equipment and SC Equipment
  put(ds, DCM_Manufacturer, kReportManufacturer, path);
  put(ds, DCM_ManufacturerModelName, kReportModelName, path);
  put(ds, DCM_DeviceSerialNumber, kReportDeviceSerial, path);
  put(ds, DCM_SoftwareVersions, kReportSoftwareVersion, path);
  put(ds, DCM_ConversionType, "WSD", path); // workstation
  put(ds, DCM_SecondaryCaptureDeviceManufacturer, kReportManufacturer, path);
  put(ds, DCM_SecondaryCaptureDeviceManufacturerModelName, kReportModelName, path);
  put(ds, DCM_SecondaryCaptureDeviceSoftwareVersions, kReportSoftwareVersion, path);

  // Encapsulated Document
  put(ds, DCM_InstanceNumber, std::to_string(content.version), path);
  put(ds, DCM_ContentDate, dicomDate(content.finalizedAt), path);
  put(ds, DCM_ContentTime, dicomTime(content.finalizedAt), path);
  check(ds.insertEmptyElement(DCM_AcquisitionDateTime), "adding Acquisition DateTime", path);
  put(ds, DCM_BurnedInAnnotation, "YES", path); // the key images carry the patient's identity
  put(ds, DCM_DocumentTitle, "Lightbox report, version " + std::to_string(content.version), path);
  DcmItem* concept = nullptr;
  check(ds.findOrCreateSequenceItem(DCM_ConceptNameCodeSequence, concept, 0),
        "adding the concept name", path);
  put(*concept, DCM_CodeValue, "18748-4", path);
  put(*concept, DCM_CodingSchemeDesignator, "LN", path);
  put(*concept, DCM_CodeMeaning, "Diagnostic imaging report", path);
  put(ds, DCM_MIMETypeOfEncapsulatedDocument, "application/pdf", path);
  // What the document was made from: the SR of the same version and the key images' source slices.
  std::vector<std::pair<std::string, std::string>> sources;
  if (!sr.kind.empty())
    sources.emplace_back(sr.sopClassUid, sr.sopInstanceUid);
  std::set<std::string> seen;
  for (const ReportFinding& f : content.findings) {
    if (f.keySlice >= content.source.slices.size())
      continue;
    const SourceImage& s = content.source.slices[f.keySlice];
    if (s.sopInstanceUid.empty() || !seen.insert(s.sopInstanceUid).second)
      continue;
    sources.emplace_back(s.sopClassUid, s.sopInstanceUid);
  }
  for (std::size_t n = 0; n < sources.size(); ++n) {
    DcmItem* item = nullptr;
    check(ds.findOrCreateSequenceItem(DCM_SourceInstanceSequence, item, long(n)),
          "adding a source instance", path);
    put(*item, DCM_ReferencedSOPClassUID, sources[n].first, path);
    put(*item, DCM_ReferencedSOPInstanceUID, sources[n].second, path);
  }
  check(ds.putAndInsertUint8Array(DCM_EncapsulatedDocument, document.data(),
                                  static_cast<unsigned long>(document.size())),
        "adding the document", path);
  check(ds.putAndInsertUint32(DCM_EncapsulatedDocumentLength, documentLength),
        "adding the document length", path);

  markUtf8CharacterSet(ds); // ISO_IR 192 when any text is not ASCII
  saveDicomFile(file, path, path);

  ExportedObject out;
  out.kind = "PDF";
  out.path = path;
  out.sopClassUid = UID_EncapsulatedPDFStorage;
  out.sopInstanceUid = sopInstanceUid;
  out.seriesInstanceUid = seriesInstanceUid;
  OFString studyUid;
  ds.findAndGetOFString(DCM_StudyInstanceUID, studyUid);
  out.studyInstanceUid = studyUid.c_str();
  return out;
}

} // namespace lightbox
