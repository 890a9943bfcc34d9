// SPDX-License-Identifier: Apache-2.0
#include "core/report/MeasurementReportSr.h"

#include "core/annotation/ScoreText.h"
#include "core/dicom/DcmtkText.h"
#include "core/dicom/DicomText.h"

#include "core/report/ReportDicom.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/codes/dcm.h>
#include <dcmtk/dcmsr/codes/ucum.h>
#include <dcmtk/dcmsr/dsrdoc.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace lightbox {
namespace {

// Concepts of the measurement groups (SNOMED CT and DICOM codes).
const DSRCodedEntryValue kNodule("27925004", "SCT", "Nodule");
const DSRCodedEntryValue kLung("39607008", "SCT", "Lung");
const DSRCodedEntryValue kLongAxis("103339001", "SCT", "Long Axis");
const DSRCodedEntryValue kShortAxis("103340004", "SCT", "Short Axis");
const DSRCodedEntryValue kVolume("118565006", "SCT", "Volume");
const DSRCodedEntryValue kDiameter("81827009", "SCT", "Diameter");
const DSRCodedEntryValue kMean("373098007", "SCT", "Mean");
const DSRCodedEntryValue kStandardDeviation("386136009", "SCT", "Standard Deviation");
const DSRCodedEntryValue kSumOfVoxelVolumes("126030", "DCM", "Sum of segmented voxel volumes");
const DSRCodedEntryValue kSourceOfMeasurement("121112", "DCM", "Source of Measurement");
const DSRCodedEntryValue kCtOfChest("169069000", "SCT", "CT of chest");
const DSRCodedEntryValue kMillilitre("ml", "UCUM", "milliliter");
const DSRCodedEntryValue kNoUnits("1", "UCUM", "no units");

// What DICOM has no code for: Lightbox's private coding scheme.
constexpr const char* kPrivateScheme = "99LBX";
const DSRCodedEntryValue kAiScore("1001", kPrivateScheme, "AI detection score");
const DSRCodedEntryValue kAiOperatingPoint("1002", kPrivateScheme, "AI operating point");
const DSRCodedEntryValue kReaderDecision("1003", kPrivateScheme, "Reader decision");
const DSRCodedEntryValue kLungRadsCategory("1004", kPrivateScheme, "Lung-RADS category");
const DSRCodedEntryValue kDiameterSource("1005", kPrivateScheme, "Diameter source");
const DSRCodedEntryValue kReportedDiameter("1006", kPrivateScheme, "Reported diameter");
const DSRCodedEntryValue kNoduleType("1007", kPrivateScheme, "Nodule type");
const DSRCodedEntryValue kAiNoduleType("1008", kPrivateScheme, "AI nodule type");
const DSRCodedEntryValue kLungRadsManagement("1009", kPrivateScheme, "Lung-RADS management");
// Growth against a registered prior: TEXT evaluations with the numbers and units in the text (TID
// 1500's numeric measurements take CID 7181 units, which has no "days").
const DSRCodedEntryValue kGrowthStatus("1010", kPrivateScheme, "Growth since prior");
const DSRCodedEntryValue kPriorFinding("1011", kPrivateScheme, "Matched prior finding");
const DSRCodedEntryValue kDiameterChange("1012", kPrivateScheme, "Mean diameter change");
const DSRCodedEntryValue kVolumeChange("1013", kPrivateScheme, "Volume change");
const DSRCodedEntryValue kDoublingTime("1014", kPrivateScheme, "Volume doubling time");

constexpr const char* kSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";

using Units = CID7181_AbstractMultiDimensionalImageModelComponentUnits;
using Roi = CMR_TID1411_in_TID1500;
using Group = CMR_TID1501_in_TID1500;

/// Throws on a DCMTK failure, naming the file and what was being done.

/// A DS value (at most 16 characters).
std::string ds(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string decisionOf(FindingState state) {
  switch (state) {
  case FindingState::Accepted:
    return "accepted";
  case FindingState::Edited:
    return "edited";
  case FindingState::Rejected:
    return "rejected";
  case FindingState::Proposed:
    return "undecided";
  }
  return "undecided";
}

/// The source file every object copies its patient and study from.
std::unique_ptr<DcmFileFormat> loadSource(const ReportContent& content, const std::string& path) {
  if (content.source.representativeFile.empty()) {
    throw std::runtime_error("cannot write " + path +
                             ": the report has no source DICOM file to take the study from");
  }
  auto file = std::make_unique<DcmFileFormat>();
  const OFCondition status = file->loadFile(content.source.representativeFile.c_str());
  if (status.bad()) {
    throw std::runtime_error("cannot write " + path + ": cannot read the source image " +
                             content.source.representativeFile + " (" + status.text() + ")");
  }
  return file;
}

/// The key slices of the findings, each once, in the findings' order.
std::vector<const SourceImage*> keyImages(const ReportContent& content) {
  std::vector<const SourceImage*> out;
  for (const ReportFinding& f : content.findings) {
    if (f.keySlice >= content.source.slices.size())
      continue;
    const SourceImage* img = &content.source.slices[f.keySlice];
    const bool seen = std::any_of(out.begin(), out.end(), [&](const SourceImage* s) {
      return s->sopInstanceUid == img->sopInstanceUid && s->frameNumber == img->frameNumber;
    });
    if (!seen)
      out.push_back(img);
  }
  return out;
}

DSRImageReferenceValue imageReference(const SourceImage& img) {
  DSRImageReferenceValue ref(img.sopClassUid, img.sopInstanceUid);
  if (img.frameNumber > 0)
    ref.getFrameList().addItem(Sint32(img.frameNumber));
  return ref;
}

/// Patient, study and the maker of the object, common to the SR and the KOS.
void setCommonAttributes(DSRDocument& doc, DcmDataset& source, const ReportContent& content,
                         int seriesNumber, const std::string& seriesDescription,
                         const std::string& path) {
  // The patient's and study's text decoded into UTF-8 first: the document's text is UTF-8 (the
  // reader's impression, finding labels), and save() marks ISO_IR 192 when any is not ASCII.
  decodeTextToUtf8(source);
  checkDcmtk(doc.readStudyData(source), path,
        "reading patient and study of " + content.source.representativeFile);
  // DCMTK checks the values it is given against the document's character set.
  checkDcmtk(doc.setSpecificCharacterSet("ISO_IR 192"), path, "Specific Character Set");
  checkDcmtk(doc.setSeriesNumber(std::to_string(seriesNumber).c_str()), path, "Series Number");
  checkDcmtk(doc.setInstanceNumber(std::to_string(content.version).c_str()), path, "Instance Number");
  checkDcmtk(doc.setSeriesDescription(seriesDescription.c_str()), path, "Series Description");
  checkDcmtk(doc.setManufacturer(kReportManufacturer), path, "Manufacturer");
  checkDcmtk(doc.setManufacturerModelName(kReportModelName), path, "Manufacturer's Model Name");
  checkDcmtk(doc.setDeviceSerialNumber(kReportDeviceSerial), path, "Device Serial Number");
  checkDcmtk(doc.setSoftwareVersions(kReportSoftwareVersion), path, "Software Versions");
  if (!content.finalizedAt.empty()) {
    checkDcmtk(doc.setContentDate(dicomDate(content.finalizedAt).c_str()), path, "Content Date");
    checkDcmtk(doc.setContentTime(dicomTime(content.finalizedAt).c_str()), path, "Content Time");
  }
}

/// Writes `doc` with our own series and instance UIDs (DSRDocument makes its own otherwise).
ExportedObject save(DSRDocument& doc, const std::string& kind, const std::string& path) {
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  checkDcmtk(doc.write(ds), path, "encoding the document");
  markUtf8CharacterSet(ds); // ISO_IR 192 when any text is not ASCII (issue 28)
  ExportedObject out;
  out.kind = kind;
  out.path = path;
  out.seriesInstanceUid = newDicomUid();
  out.sopInstanceUid = newDicomUid();
  checkDcmtk(ds.putAndInsertString(DCM_SeriesInstanceUID, out.seriesInstanceUid.c_str()), path,
        "Series Instance UID");
  checkDcmtk(ds.putAndInsertString(DCM_SOPInstanceUID, out.sopInstanceUid.c_str()), path,
        "SOP Instance UID");
  OFString value;
  ds.findAndGetOFString(DCM_SOPClassUID, value);
  out.sopClassUid = value.c_str();
  ds.findAndGetOFString(DCM_StudyInstanceUID, value);
  out.studyInstanceUid = value.c_str();
  saveDicomFile(file, path, path);
  return out;
}

/// The reading of one finding: what the reader decided and the AI proposed.
template <typename T>
void addFindingEvaluations(T& group, const ReportFinding& f, const ReportContent& content,
                           const std::string& path) {
  const auto text = [&](const DSRCodedEntryValue& concept, const std::string& value) {
    if (!value.empty())
      checkDcmtk(group.addQualitativeEvaluation(concept, OFString(value.c_str())), path,
            f.id + " evaluation");
  };
  text(kReaderDecision, decisionOf(f.state));
  text(kNoduleType, f.type);
  if (content.hasRun) {
    text(kAiNoduleType, f.aiType);
    // As every display shows it (core/annotation/ScoreText), with at least three decimals.
    std::vector<double> scores;
    for (const ReportFinding& o : content.findings) scores.push_back(o.score);
    text(kAiScore, scoreText(f.score, std::max(3, scoreDecimals(scores))));
    text(kAiOperatingPoint, ds(content.run.fpPerScan) +
                                " false positives per scan (score threshold " +
                                ds(content.run.threshold()) + ")");
  }
  text(kDiameterSource, f.diameterSource);
  if (f.diameterMm > 0)
    text(kReportedDiameter, fixed(f.diameterMm, 1) + " mm");
  text(kLungRadsCategory, f.lungRadsCategory);
  if (const GrowthResult* g = growthOf(content, f.id)) {
    text(kGrowthStatus, toString(g->status));
    if (!g->priorId.empty()) {
      const auto sign = [](double v) { return std::string(v >= 0 ? "+" : ""); };
      text(kPriorFinding, g->priorId + " (" + fixed(g->matchDistanceMm, 1) + " mm from the registered centre" +
                              (g->priorConfirmed ? "" : ", an AI proposal") + ")");
      text(kDiameterChange, sign(g->diameterChangeMm) + fixed(g->diameterChangeMm, 1) + " mm (" +
                                fixed(g->priorDiameterMm, 1) + " -> " + fixed(g->diameterMm, 1) + " mm)");
      text(kVolumeChange, sign(g->volumeChangePercent) + fixed(g->volumeChangePercent, 0) + " % (" +
                              sign(g->volumeChangeMm3) + fixed(g->volumeChangeMm3, 0) + " mm3, " + g->volumeSource + ")");
      text(kDoublingTime, g->doublingTimeDays ? fixed(*g->doublingTimeDays, 0) + " days" : g->doublingNote);
    }
  }
}

/// A finding with a mask: TID 1411 referencing its segment, measured on the mask.
void addVolumetricGroup(Roi& g, const ReportFinding& f, const ReportContent& content,
                        const ExportedObject& seg, const std::string& path) {
  const std::string what = f.id + " measurement group";
  checkDcmtk(g.setTrackingIdentifier(f.id.c_str()), path, what);
  checkDcmtk(g.setTrackingUniqueIdentifier(f.trackingUid.c_str()), path, what);
  checkDcmtk(g.setFinding(kNodule), path, what);
  DSRImageReferenceValue segment(seg.sopClassUid.empty() ? kSegmentationStorage
                                                         : seg.sopClassUid.c_str(),
                                 seg.sopInstanceUid.c_str());
  segment.getSegmentList().addItem(Uint16(f.segmentNumber));
  checkDcmtk(g.setReferencedSegment(segment), path, what + ": referenced segment");
  checkDcmtk(g.setSourceSeriesForSegmentation(content.source.seriesInstanceUid.c_str()), path, what);
  checkDcmtk(g.addFindingSite(kLung), path, what);
  const auto measure = [&](const DSRCodedEntryValue& concept, double value, const Units& unit) {
    checkDcmtk(g.addMeasurement(concept, Roi::MeasurementValue(ds(value).c_str(), unit)), path, what);
    if (!f.maskAlgorithm.empty()) {
      checkDcmtk(g.getMeasurement().setAlgorithmIdentification(
                f.maskAlgorithm.c_str(),
                f.maskAlgorithmVersion.empty() ? "unknown" : f.maskAlgorithmVersion.c_str()),
            path, what + ": algorithm");
    }
  };
  measure(kLongAxis, f.mask.longAxisMm, Units(Units::Millimeter));
  measure(kShortAxis, f.mask.shortAxisMm, Units(Units::Millimeter));
  measure(kVolume, f.mask.volumeMl, Units(kMillilitre));
  checkDcmtk(g.getMeasurement().setMeasurementMethod(kSumOfVoxelVolumes), path, what);
  const Units intensity =
      content.source.modality == "CT" ? Units(Units::HounsfieldUnit) : Units(kNoUnits);
  measure(DSRCodedEntryValue(CODE_DCM_AttenuationCoefficient), f.mask.mean, intensity);
  checkDcmtk(g.getMeasurement().setDerivation(kMean), path, what);
  measure(DSRCodedEntryValue(CODE_DCM_AttenuationCoefficient), f.mask.sd, intensity);
  checkDcmtk(g.getMeasurement().setDerivation(kStandardDeviation), path, what);
  addFindingEvaluations(g, f, content, path);
}

/// A finding without a mask: TID 1501, its diameter inferred from the key image.
void addPlainGroup(Group& g, const ReportFinding& f, const ReportContent& content,
                   const std::string& path) {
  const std::string what = f.id + " measurement group";
  checkDcmtk(g.setTrackingIdentifier(f.id.c_str()), path, what);
  checkDcmtk(g.setTrackingUniqueIdentifier(f.trackingUid.c_str()), path, what);
  checkDcmtk(g.setFinding(kNodule), path, what);
  checkDcmtk(g.addFindingSite(kLung), path, what);
  if (f.diameterMm > 0) {
    checkDcmtk(g.addMeasurement(kDiameter, Group::MeasurementValue(ds(f.diameterMm).c_str(),
                                                              Units(Units::Millimeter))),
          path, what);
    if (f.keySlice < content.source.slices.size()) {
      checkDcmtk(g.getMeasurement().addImage(kSourceOfMeasurement,
                                        imageReference(content.source.slices[f.keySlice])),
            path, what + ": key image");
    }
  }
  addFindingEvaluations(g, f, content, path);
}

CID100_QuantitativeDiagnosticImagingProcedures procedureOf(const std::string& modality) {
  using Procedures = CID100_QuantitativeDiagnosticImagingProcedures;
  if (modality == "CT")
    return Procedures(kCtOfChest);
  if (modality == "MR")
    return Procedures(Procedures::MRIUnspecifiedBodyRegion);
  if (modality == "PT")
    return Procedures(Procedures::PETUnspecifiedBodyRegion);
  return Procedures(Procedures::ImagingProcedure);
}

} // namespace

ExportedObject writeMeasurementReportSr(const ReportContent& content, const ExportedObject& seg,
                                        const std::string& path) {
  std::unique_ptr<DcmFileFormat> source = loadSource(content, path);
  TID1500_MeasurementReport report(
      CID7021_MeasurementReportDocumentTitles::ImagingMeasurementReport);
  checkDcmtk(report.setLanguage(CID5000_Languages::English_US), path, "language");
  TID1001_ObservationContext& observers = report.getObservationContext();
  if (content.hasRun && !content.run.model.empty()) {
    const std::string deviceUid =
        hashedDicomUid("lightbox-model/" + content.run.model + "/" + content.run.modelVersion +
                       "/" + content.run.modelSha256);
    checkDcmtk(observers.addDeviceObserver(deviceUid.c_str(), content.run.model.c_str(),
                                      kReportManufacturer,
                                      (content.run.model + " " + content.run.modelVersion).c_str(),
                                      content.run.modelSha256.c_str()),
          path, "device observer (the AI model)");
  }
  if (!(content.hasRun && !content.run.model.empty()) && content.reader.empty()) {
    // No AI run and no named reader: the observer is Lightbox itself (TID 1001 needs one).
    checkDcmtk(observers.addDeviceObserver(hashedDicomUid(std::string("lightbox-software/") + kReportSoftwareVersion).c_str(),
                                           kReportModelName, kReportManufacturer, kReportModelName,
                                           kReportDeviceSerial),
               path, "device observer (Lightbox)");
  }
  // The person after the device: in the other order DCMTK 3.6.7 puts the device's items between the
  // person's Observer Type and name.
  if (!content.reader.empty())
    checkDcmtk(observers.addPersonObserver(content.reader.c_str()), path, "person observer");
  checkDcmtk(report.addProcedureReported(procedureOf(content.source.modality)), path,
        "procedure reported");

  // Image library: the key image of each finding.
  std::vector<const SourceImage*> keys = keyImages(content);
  // A report without findings (a negative read) still says which images were read: TID 1500's
  // image library is mandatory, so it lists the series' middle slice.
  if (keys.empty() && !content.source.slices.empty()) keys.push_back(&content.source.slices[content.source.slices.size() / 2]);
  TID1600_ImageLibrary& library = report.getImageLibrary();
  for (std::size_t n = 0; n < keys.size(); ++n) {
    DcmFileFormat image;
    const OFCondition loaded = image.loadFile(keys[n]->file.c_str());
    if (loaded.bad()) {
      throw std::runtime_error("cannot write " + path + ": cannot read the key image " +
                               keys[n]->file + " (" + loaded.text() + ")");
    }
    if (n == 0) {
      checkDcmtk(library.createNewImageLibrary(), path, "image library");
      checkDcmtk(library.addImageGroup(), path, "image library");
    }
    decodeTextToUtf8(*image.getDataset()); // its descriptors' text (e.g. Code Meanings) in UTF-8 too
    checkDcmtk(library.addImageEntry(*image.getDataset(), TID1600_ImageLibrary::withAllDescriptors),
          path, "image library entry " + keys[n]->file);
  }
  // What all key images share (modality, dates, spacing) is said once for the group; each
  // entry keeps its own position.
  if (!keys.empty()) {
    checkDcmtk(library.moveCommonImageDescriptorsToImageGroups(), path, "image library descriptors");
  }

  bool firstRoi = true, firstGroup = true;
  for (const ReportFinding& f : content.findings) {
    if (f.segmentNumber > 0 && seg.sopInstanceUid.empty()) {
      throw std::runtime_error("cannot write " + path + ": " + f.id + " has segment " +
                               std::to_string(f.segmentNumber) +
                               " but no SEG was written to reference");
    }
    if (f.segmentNumber > 0) {
      if (!firstRoi)
        checkDcmtk(report.addVolumetricROIMeasurements(), path, "measurement group");
      addVolumetricGroup(report.getVolumetricROIMeasurements(), f, content, seg, path);
      firstRoi = false;
    } else {
      if (!firstGroup)
        checkDcmtk(report.addIndividualMeasurements(), path, "measurement group");
      addPlainGroup(report.getIndividualMeasurements(), f, content, path);
      firstGroup = false;
    }
  }
  if (!content.lungRads.category.empty()) {
    checkDcmtk(report.addQualitativeEvaluation(kLungRadsCategory,
                                          OFString(content.lungRads.category.c_str())),
          path, "Lung-RADS");
    if (!content.lungRads.management.empty()) {
      checkDcmtk(report.addQualitativeEvaluation(kLungRadsManagement,
                                            OFString(content.lungRads.management.c_str())),
            path, "Lung-RADS management");
    }
  }
  if (!content.impression.empty()) {
    checkDcmtk(
        report.addQualitativeEvaluation(CODE_DCM_Impression, OFString(content.impression.c_str())),
        path, "impression");
  }
  if (!report.isValid()) {
    throw std::runtime_error("cannot write " + path +
                             ": the measurement report does not satisfy TID 1500");
  }

  DSRDocument doc(DSRTypes::DT_Comprehensive3DSR);
  checkDcmtk(doc.setTreeFromRootTemplate(report), path, "TID 1500 content tree");
  // The template's tree is typed Comprehensive SR; 3D keeps room for SCOORD3D axis end points.
  checkDcmtk(doc.changeDocumentType(DSRTypes::DT_Comprehensive3DSR), path, "document type");
  setCommonAttributes(doc, *source->getDataset(), content, kSrSeriesNumber,
                      "Lightbox measurement report", path);
  checkDcmtk(doc.getCodingSchemeIdentification().addItem(kPrivateScheme), path, "coding scheme");
  checkDcmtk(doc.getCodingSchemeIdentification().setCodingSchemeName("Lightbox private codes"), path,
        "coding scheme");
  checkDcmtk(doc.getCodingSchemeIdentification().setCodingSchemeResponsibleOrganization(
            kReportManufacturer),
        path, "coding scheme");
  for (const ExportedObject& p : content.previous) {
    if (p.kind != "SR")
      continue;
    checkDcmtk(doc.getPredecessorDocuments().addItem(p.studyInstanceUid.c_str(),
                                                p.seriesInstanceUid.c_str(), p.sopClassUid.c_str(),
                                                p.sopInstanceUid.c_str()),
          path, "predecessor document " + p.path);
  }
  DSRSOPInstanceReferenceList& evidence = doc.getCurrentRequestedProcedureEvidence();
  for (const SourceImage* img : keys) {
    checkDcmtk(evidence.addItem(content.source.studyInstanceUid.c_str(),
                           content.source.seriesInstanceUid.c_str(), img->sopClassUid.c_str(),
                           img->sopInstanceUid.c_str()),
          path, "evidence");
  }
  const bool anySegment = std::any_of(content.findings.begin(), content.findings.end(),
                                      [](const ReportFinding& f) { return f.segmentNumber > 0; });
  if (anySegment) {
    checkDcmtk(evidence.addItem(seg.studyInstanceUid.empty() ? content.source.studyInstanceUid.c_str()
                                                        : seg.studyInstanceUid.c_str(),
                           seg.seriesInstanceUid.c_str(), seg.sopClassUid.c_str(),
                           seg.sopInstanceUid.c_str()),
          path, "evidence (SEG)");
  }
  // An AI draft stays PARTIAL and UNVERIFIED: nobody has read it.
  if (!content.aiDraft) checkDcmtk(doc.completeDocument(), path, "completion");
  if (!content.reader.empty() && !content.aiDraft) {
    OFString institution;
    source->getDataset()->findAndGetOFString(DCM_InstitutionName, institution);
    const std::string when = dicomDate(content.finalizedAt) + dicomTime(content.finalizedAt);
    checkDcmtk(doc.verifyDocument(content.reader.c_str(),
                             institution.empty() ? "Unspecified" : institution,
                             content.finalizedAt.empty() ? "" : when.c_str()),
          path, "verification");
  }
  return save(doc, "SR", path);
}

ExportedObject writeKeyObjectSelection(const ReportContent& content,
                                       const std::vector<ExportedObject>& documents,
                                       const std::string& path) {
  std::unique_ptr<DcmFileFormat> source = loadSource(content, path);
  DSRDocument doc(DSRTypes::DT_KeyObjectSelectionDocument);
  setCommonAttributes(doc, *source->getDataset(), content, kKosSeriesNumber, "Lightbox key images",
                      path);
  DSRDocumentTree& tree = doc.getTree();
  if (tree.addContentItem(DSRTypes::RT_isRoot, DSRTypes::VT_Container) == 0)
    checkDcmtk(EC_IllegalCall, path, "root");
  checkDcmtk(tree.getCurrentContentItem().setConceptName(CODE_DCM_OfInterest), path, "document title");
  checkDcmtk(tree.setTemplateIdentification("2010", "DCMR"), path, "template identification");

  std::vector<const SourceImage*> keys = keyImages(content);
  // A report without findings (a negative read) still says which images were read: TID 1500's
  // image library is mandatory, so it lists the series' middle slice.
  if (keys.empty() && !content.source.slices.empty()) keys.push_back(&content.source.slices[content.source.slices.size() / 2]);
  std::string description = "Key images of report version " + std::to_string(content.version) + ":";
  for (const ReportFinding& f : content.findings) {
    description += " " + f.id + " (" + sourceImageText(content.source, f.keySlice, false) +
                   (f.lungRadsCategory.empty() ? "" : ", Lung-RADS " + f.lungRadsCategory) + ")";
  }
  if (content.findings.empty())
    description += " no findings reported";
  checkDcmtk(tree.addChildContentItem(DSRTypes::RT_contains, DSRTypes::VT_Text,
                                 CODE_DCM_KeyObjectDescription),
        path, "key object description");
  checkDcmtk(tree.getCurrentContentItem().setStringValue((description + ".").c_str()), path,
        "key object description");

  DSRSOPInstanceReferenceList& evidence = doc.getCurrentRequestedProcedureEvidence();
  for (const SourceImage* img : keys) {
    if (tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Image) == 0)
      checkDcmtk(EC_IllegalCall, path, "image");
    checkDcmtk(tree.getCurrentContentItem().setImageReference(imageReference(*img)), path,
          "image " + img->sopInstanceUid);
    checkDcmtk(evidence.addItem(content.source.studyInstanceUid.c_str(),
                           content.source.seriesInstanceUid.c_str(), img->sopClassUid.c_str(),
                           img->sopInstanceUid.c_str()),
          path, "evidence");
  }
  for (const ExportedObject& d : documents) {
    if (tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Composite) == 0)
      checkDcmtk(EC_IllegalCall, path, d.kind);
    checkDcmtk(tree.getCurrentContentItem().setCompositeReference(
              DSRCompositeReferenceValue(d.sopClassUid.c_str(), d.sopInstanceUid.c_str())),
          path, d.kind + " reference");
    const std::string study =
        d.studyInstanceUid.empty() ? content.source.studyInstanceUid : d.studyInstanceUid;
    checkDcmtk(evidence.addItem(study.c_str(), d.seriesInstanceUid.c_str(), d.sopClassUid.c_str(),
                           d.sopInstanceUid.c_str()),
          path, "evidence (" + d.kind + ")");
  }
  return save(doc, "KOS", path);
}

// ---------------------------------------------------------------------------------------------
// Reading

namespace {

/// A content item as read, with its children: the tree in plain values.
struct Item {
  DSRTypes::E_RelationshipType relationship = DSRTypes::RT_unknown;
  DSRTypes::E_ValueType type = DSRTypes::VT_invalid;
  std::string code, scheme, meaning; ///< concept name
  std::string text;                  ///< TEXT, UIDREF, PNAME, DATE, ... value; NUM value
  std::string valueCode, valueMeaning, unitCode;
  std::string sopClassUid, sopInstanceUid; ///< IMAGE and COMPOSITE
  std::vector<Uint16> segments;
  std::vector<Item> children;

  bool is(const char* c, const char* s) const { return code == c && scheme == s; }
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

Item itemOf(DSRContentItem& c) {
  Item it;
  it.relationship = c.getRelationshipType();
  it.type = c.getValueType();
  const DSRCodedEntryValue& concept = c.getConceptName();
  it.code = concept.getCodeValue().c_str();
  it.scheme = concept.getCodingSchemeDesignator().c_str();
  it.meaning = concept.getCodeMeaning().c_str();
  switch (it.type) {
  case DSRTypes::VT_Code: {
    const DSRCodedEntryValue& v = c.getCodeValue();
    it.valueCode = v.getCodeValue().c_str();
    it.valueMeaning = v.getCodeMeaning().c_str();
    break;
  }
  case DSRTypes::VT_Num: {
    const DSRNumericMeasurementValue& v = c.getNumericValue();
    it.text = v.getNumericValue().c_str();
    it.unitCode = v.getMeasurementUnit().getCodeValue().c_str();
    break;
  }
  case DSRTypes::VT_Image: {
    const DSRImageReferenceValue& v = c.getImageReference();
    it.sopClassUid = v.getSOPClassUID().c_str();
    it.sopInstanceUid = v.getSOPInstanceUID().c_str();
    const DSRImageSegmentList& list = v.getSegmentList();
    for (std::size_t n = 1; n <= list.getNumberOfItems(); ++n)
      it.segments.push_back(list.getItem(n));
    break;
  }
  case DSRTypes::VT_Composite: {
    const DSRCompositeReferenceValue& v = c.getCompositeReference();
    it.sopClassUid = v.getSOPClassUID().c_str();
    it.sopInstanceUid = v.getSOPInstanceUID().c_str();
    break;
  }
  default:
    it.text = c.getStringValue().c_str();
    break;
  }
  return it;
}

/// The document tree as plain items (by-reference relationships are left out).
Item flatten(DSRDocumentTree& tree) {
  Item root;
  if (tree.gotoRoot() == 0)
    return root;
  std::vector<Item*> path; // path[level - 1] is the last item at that level
  do {
    const std::size_t level = tree.getLevel();
    if (level == 0)
      continue;
    DSRContentItem& c = tree.getCurrentContentItem();
    if (c.getValueType() == DSRTypes::VT_byReference)
      continue;
    if (level == 1) {
      root = itemOf(c);
      path.assign(1, &root);
      continue;
    }
    if (level - 1 > path.size())
      continue; // the parent was skipped
    path.resize(level - 1);
    path.back()->children.push_back(itemOf(c));
    path.push_back(&path.back()->children.back());
  } while (tree.iterate() != 0);
  return root;
}

bool isFindingSite(const Item& it) {
  return it.is("363698007", "SCT") || it.is("G-C0E3", "SRT") || lower(it.meaning) == "finding site";
}

/// Source images anywhere under `it` (not the segmentation it references).
void collectImages(const Item& it, std::vector<std::string>& uids) {
  for (const Item& c : it.children) {
    const bool segRef = c.is("121191", "DCM") || c.is("121214", "DCM");
    if (c.type == DSRTypes::VT_Image && !segRef && !c.sopInstanceUid.empty() &&
        std::find(uids.begin(), uids.end(), c.sopInstanceUid) == uids.end()) {
      uids.push_back(c.sopInstanceUid);
    }
    collectImages(c, uids);
  }
}

SrMeasurementGroup groupOf(const Item& g, std::vector<std::string>& warnings) {
  SrMeasurementGroup out;
  for (const Item& c : g.children) {
    if (c.is("112039", "DCM")) {
      out.trackingId = c.text;
    } else if (c.is("112040", "DCM")) {
      out.trackingUid = c.text;
    } else if (c.is("121071", "DCM")) {
      out.findingCode = c.valueCode;
      out.findingMeaning = c.valueMeaning;
    } else if (isFindingSite(c)) {
      out.findingSiteMeaning = c.valueMeaning;
    } else if (c.is("121191", "DCM") || c.is("121214", "DCM")) {
      out.referencedSegUid = c.sopInstanceUid;
      if (!c.segments.empty())
        out.referencedSegmentNumber = int(c.segments.front());
    } else if (c.type == DSRTypes::VT_Num) {
      if (c.text.empty())
        continue; // a value qualifier only ("not a number")
      SrMeasurementGroup::Value v;
      v.conceptCode = c.code;
      v.conceptMeaning = c.meaning;
      v.unitCode = c.unitCode;
      char* end = nullptr;
      v.value = std::strtod(c.text.c_str(), &end);
      if (end == c.text.c_str()) {
        warnings.push_back(out.trackingId + ": " + c.meaning + " has no numeric value (\"" +
                           c.text + "\")");
        continue;
      }
      for (const Item& m : c.children) {
        if (m.is("121401", "DCM"))
          v.derivation = m.valueMeaning;
      }
      out.measurements.push_back(v);
    } else if (c.relationship == DSRTypes::RT_contains &&
               (c.type == DSRTypes::VT_Code || c.type == DSRTypes::VT_Text)) {
      out.evaluations.emplace_back(c.meaning,
                                   c.type == DSRTypes::VT_Code ? c.valueMeaning : c.text);
    }
  }
  collectImages(g, out.sourceImageUids);
  return out;
}

std::string stringOf(DcmDataset& ds, const DcmTagKey& tag) {
  OFString value;
  ds.findAndGetOFString(tag, value);
  return value.c_str();
}

} // namespace

const SrMeasurementGroup::Value* SrMeasurementGroup::find(const std::string& key) const {
  const std::string k = lower(key);
  for (const Value& v : measurements) {
    if (v.conceptCode == key || lower(v.conceptMeaning) == k || lower(v.derivation) == k)
      return &v;
  }
  return nullptr;
}

std::string SrMeasurementGroup::evaluation(const std::string& conceptMeaning) const {
  for (const auto& [concept, value] : evaluations) {
    if (lower(concept) == lower(conceptMeaning))
      return value;
  }
  return {};
}

/// The report's text decoded by the document's Specific Character Set into UTF-8 (issue 28),
/// after DCMTK has read the tree: its VR checker refuses non-ASCII text under ISO_IR 192, so the
/// data set is not converted before. An undecodable byte shows U+FFFD and is warned once.
static void decodeReportText(SrMeasurementReport& out, const std::string& charset) {
  std::vector<std::string> lossy;
  auto decode = [&](std::string& text, TextVr vr, const char* what) {
    DecodedText d = decodeDicomText(text, charset, vr);
    if (d.lossy) lossy.emplace_back(what);
    text = std::move(d.utf8);
  };
  decode(out.observerPerson, TextVr::PersonName, "observer");
  decode(out.observerDevice, TextVr::Other, "observer device");
  for (auto& [concept, value] : out.evaluations) {
    decode(concept, TextVr::Other, "evaluation");
    decode(value, TextVr::Other, "evaluation");
  }
  for (SrMeasurementGroup& g : out.groups) {
    decode(g.trackingId, TextVr::Other, "tracking identifier");
    decode(g.findingMeaning, TextVr::Other, "finding");
    decode(g.findingSiteMeaning, TextVr::Other, "finding site");
    for (SrMeasurementGroup::Value& v : g.measurements) {
      decode(v.conceptMeaning, TextVr::Other, "measurement");
      decode(v.derivation, TextVr::Other, "derivation");
    }
    for (auto& [concept, value] : g.evaluations) {
      decode(concept, TextVr::Other, "evaluation");
      decode(value, TextVr::Other, "evaluation");
    }
  }
  if (!lossy.empty()) {
    out.warnings.push_back(out.path + ": " + lossy.front() + (lossy.size() > 1 ? " and other text" : "") +
                           " not decodable by its Specific Character Set '" + charset +
                           "': undecodable bytes shown as U+FFFD");
  }
}

SrMeasurementReport readMeasurementReportSr(const std::string& path) {
  DcmFileFormat file;
  OFCondition status = file.loadFile(path.c_str());
  if (status.bad())
    throw std::runtime_error("cannot read " + path + ": " + status.text());
  DcmDataset& ds = *file.getDataset();
  SrMeasurementReport out;
  out.path = path;
  out.sopClassUid = stringOf(ds, DCM_SOPClassUID);
  if (DSRTypes::sopClassUIDToDocumentType(out.sopClassUid.c_str()) == DSRTypes::DT_invalid) {
    throw std::runtime_error("cannot read " + path + ": not a DICOM Structured Report (SOP Class " +
                             (out.sopClassUid.empty() ? std::string("missing") : out.sopClassUid) +
                             ")");
  }
  DSRDocument doc;
  status = doc.read(ds, DSRTypes::RF_acceptUnknownRelationshipType |
                            DSRTypes::RF_ignoreRelationshipConstraints |
                            DSRTypes::RF_skipInvalidContentItems);
  if (status.bad())
    throw std::runtime_error("cannot read " + path + ": invalid SR document (" + status.text() +
                             ")");
  out.sopInstanceUid = stringOf(ds, DCM_SOPInstanceUID);
  out.studyInstanceUid = stringOf(ds, DCM_StudyInstanceUID);
  out.seriesInstanceUid = stringOf(ds, DCM_SeriesInstanceUID);
  DSRSOPInstanceReferenceList& predecessors = doc.getPredecessorDocuments();
  if (predecessors.gotoFirstItem().good()) {
    do {
      OFString uid;
      out.predecessorSopInstanceUids.push_back(predecessors.getSOPInstanceUID(uid).c_str());
    } while (predecessors.gotoNextItem().good());
  }

  const Item root = flatten(doc.getTree());
  const Item* measurements = nullptr;
  for (const Item& c : root.children) {
    if (c.is("121008", "DCM") && out.observerPerson.empty())
      out.observerPerson = c.text;
    if (c.is("121013", "DCM"))
      out.observerDevice = c.text;
    if (c.is("121012", "DCM") && out.observerDevice.empty())
      out.observerDevice = c.text;
    if (c.is("126010", "DCM") && !measurements)
      measurements = &c;
    if (c.is("C0034375", "UMLS")) { // Qualitative Evaluations
      for (const Item& e : c.children) {
        out.evaluations.emplace_back(e.meaning,
                                     e.type == DSRTypes::VT_Code ? e.valueMeaning : e.text);
      }
    }
  }
  if (!root.is("126000", "DCM") && !measurements) {
    throw std::runtime_error("cannot read " + path + ": not a TID 1500 Measurement Report (title " +
                             root.meaning + ")");
  }
  if (!measurements) {
    out.warnings.push_back(
        "no Imaging Measurements container: the report holds no measurement group");
    return out;
  }
  for (const Item& c : measurements->children) {
    if (c.is("125007", "DCM"))
      out.groups.push_back(groupOf(c, out.warnings));
  }
  OFString charset; // every value: ISO 2022 code extensions name several sets
  ds.findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
  decodeReportText(out, charset.c_str());
  return out;
}

} // namespace lightbox
