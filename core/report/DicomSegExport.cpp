// SPDX-License-Identifier: Apache-2.0
// The report's DICOM Segmentation, written with DCMTK's dcmseg: one binary segment per finding
// mask, one frame per segment and slice it covers, each frame placed (Plane Position) and derived
// from (Derivation Image) its source slice; dimensions are segment number x image position.
#include "core/report/DicomSegExport.h"
#include "core/dicom/DcmtkText.h"

#include "core/report/ReportDicom.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmiod/cielabutil.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

namespace lightbox {
namespace {

std::string decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

DcmSegTypes::E_SegmentAlgoType algoType(const std::string& type) {
  if (type == "AUTOMATIC")
    return DcmSegTypes::SAT_AUTOMATIC;
  if (type == "SEMIAUTOMATIC")
    return DcmSegTypes::SAT_SEMIAUTOMATIC;
  return DcmSegTypes::SAT_MANUAL;
}

/// Each segment's Segment Description, UTF-8, into the written SEG (by Segment Number).
void putSegmentDescriptions(DcmDataset& ds,
                            const std::vector<std::pair<int, std::string>>& descriptions,
                            const std::string& path) {
  for (const auto& [number, text] : descriptions) {
    DcmItem* item = nullptr;
    for (long k = 0; ds.findAndGetSequenceItem(DCM_SegmentSequence, item, k).good(); ++k) {
      Uint16 n = 0;
      if (item->findAndGetUint16(DCM_SegmentNumber, n).good() && n == number)
        break;
      item = nullptr;
    }
    if (!item)
      throw std::runtime_error(path + ": segment " + std::to_string(number) +
                               " is missing from the SEG");
    checkDcmtk(item->putAndInsertString(DCM_SegmentDescription, text.c_str()), path,
               "segment description");
  }
}

/// At most 64 characters (LO), never cut inside a UTF-8 character.
std::string lo(const std::string& s) {
  return truncateUtf8(s, 64);
}

} // namespace

ExportedObject writeDicomSeg(const ReportContent& content, const LabelMap& labels,
                             const std::string& path) {
  const ReportSource& src = content.source;
  const VolumeGeometry& g = labels.geometry;
  if (!content.blockers.empty())
    throw std::runtime_error(path + ": cannot write the DICOM SEG: " + content.blockers.front());
  if (g != src.geometry || src.slices.size() != g.size[2]) {
    throw std::runtime_error(
        path + ": cannot write the DICOM SEG: the label map is not on the series' grid");
  }
  if (g.size[0] > 65535 || g.size[1] > 65535)
    throw std::runtime_error(path + ": the series' slices are too large for a SEG");
  std::vector<const ReportFinding*> withMask;
  for (const ReportFinding& f : content.findings) {
    if (f.segmentNumber > 0)
      withMask.push_back(&f);
  }
  if (withMask.empty())
    throw std::runtime_error(path + ": cannot write the DICOM SEG: no finding has a mask");

  const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  // dcmiod warns on stderr while the dimensions are declared before the frames exist ("Will not
  // check dimension consistency"); real problems come back as conditions and are reported.
  static const bool quiet = [] {
    OFLog::getLogger("dcmtk.dcmiod").setLogLevel(OFLogger::ERROR_LOG_LEVEL);
    return true;
  }();
  (void)quiet;
  IODGeneralEquipmentModule::EquipmentInfo equipment(kReportManufacturer, kReportModelName,
                                                     kReportDeviceSerial, kReportSoftwareVersion);
  ContentIdentificationMacro identification(std::to_string(content.version), "LIGHTBOX_SEG",
                                            "Lesion masks of the reviewed findings",
                                            lo(content.reader));
  DcmSegmentation* raw = nullptr;
  checkDcmtk(DcmSegmentation::createBinarySegmentation(raw, Uint16(ny), Uint16(nx), equipment,
                                                       identification),
             path, "create");
  std::unique_ptr<DcmSegmentation> seg(raw);

  // Patient, study and frame of reference from a source image: the SEG sits in the source study.
  DcmFileFormat source;
  checkDcmtk(source.loadFile(src.representativeFile.c_str()), src.representativeFile,
             "read the source image");
  decodeTextToUtf8(
      *source.getDataset()); // the patient's and study's text in UTF-8, like ours (issue 28)
  checkDcmtk(seg->importFromSourceImage(*source.getDataset()), path, "import patient and study");
  // UTF-8 throughout (DCMTK checks every value against it); dropped at save when all text is ASCII.
  checkDcmtk(seg->getSOPCommon().setSpecificCharacterSet("ISO_IR 192"), path,
             "Specific Character Set");
  const std::string seriesUid = newDicomUid(), sopUid = newDicomUid();
  checkDcmtk(seg->getSeries().setSeriesInstanceUID(seriesUid.c_str()), path, "series UID");
  checkDcmtk(seg->getSOPCommon().setSOPInstanceUID(sopUid.c_str()), path, "SOP instance UID");
  checkDcmtk(seg->getSeries().setSeriesNumber(std::to_string(kSegSeriesNumber).c_str()), path,
             "series number");
  checkDcmtk(seg->getSeries().setSeriesDescription(
                 lo("Lightbox lesion masks v" + std::to_string(content.version)).c_str()),
             path, "series description");
  checkDcmtk(seg->getGeneralImage().setContentDate(dicomDate(content.finalizedAt).c_str()), path,
             "content date");
  checkDcmtk(seg->getGeneralImage().setContentTime(dicomTime(content.finalizedAt).c_str()), path,
             "content time");

  // Shared: pixel measures and orientation of the grid.
  FGPixelMeasures measures;
  checkDcmtk(
      measures.setPixelSpacing((decimal(g.spacing[1]) + "\\" + decimal(g.spacing[0])).c_str()),
      path, "spacing");
  checkDcmtk(measures.setSliceThickness(decimal(g.spacing[2]).c_str()), path, "thickness");
  checkDcmtk(measures.setSpacingBetweenSlices(decimal(g.spacing[2]).c_str()), path,
             "slice spacing");
  checkDcmtk(seg->addForAllFrames(measures), path, "pixel measures");
  const Vec3 row = g.ijkToLps({1, 0, 0}) - g.ijkToLps({0, 0, 0});
  const Vec3 col = g.ijkToLps({0, 1, 0}) - g.ijkToLps({0, 0, 0});
  const Vec3 r = row * (1.0 / norm(row)), c = col * (1.0 / norm(col));
  FGPlaneOrientationPatient orientation;
  checkDcmtk(orientation.setImageOrientationPatient(decimal(r[0]).c_str(), decimal(r[1]).c_str(),
                                                    decimal(r[2]).c_str(), decimal(c[0]).c_str(),
                                                    decimal(c[1]).c_str(), decimal(c[2]).c_str()),
             path, "orientation");
  checkDcmtk(seg->addForAllFrames(orientation), path, "orientation");

  // Dimensions: segment, then position.
  const std::string organisation = newDicomUid();
  IODMultiframeDimensionModule& dims = seg->getDimensions();
  checkDcmtk(dims.addDimensionIndex(DCM_ReferencedSegmentNumber, organisation.c_str(),
                                    DCM_SegmentIdentificationSequence, "Segment"),
             path, "segment dimension");
  checkDcmtk(dims.addDimensionIndex(DCM_ImagePositionPatient, organisation.c_str(),
                                    DCM_PlanePositionSequence, "Image position"),
             path, "position dimension");

  std::vector<std::pair<int, std::string>> descriptions; // segment number, UTF-8 description
  IODReferences references;
  std::set<std::string> referenced;
  std::vector<Uint8> frame(nx * ny);
  for (const ReportFinding* f : withMask) {
    const Segment* s = labels.segment(std::uint8_t(f->segmentLabel));
    if (!s)
      throw std::runtime_error(path + ": " + f->id + "'s segment is not in the label map");
    const std::string type = f->type.empty() ? "" : " " + f->type;
    // Segments imported without codes (an RTSTRUCT's ROIs) are written as what they are known to
    // be.
    const bool coded = !s->categoryCode.empty() && !s->typeCode.empty();
    CodeSequenceMacro category(
        coded ? s->categoryCode.c_str() : "49755003", coded ? s->categoryScheme.c_str() : "SCT",
        coded ? s->categoryMeaning.c_str() : "Morphologically Altered Structure");
    CodeSequenceMacro propertyType(coded ? s->typeCode.c_str() : "27925004",
                                   coded ? s->typeScheme.c_str() : "SCT",
                                   coded ? s->typeMeaning.c_str() : "Nodule");
    const DcmSegTypes::E_SegmentAlgoType algo = algoType(f->maskAlgorithmType);
    std::string algoName = f->maskAlgorithm.empty() ? "Lightbox" : f->maskAlgorithm;
    DcmSegment* segment = nullptr;
    checkDcmtk(DcmSegment::create(segment, lo(f->id + type + " nodule").c_str(), category,
                                  propertyType, algo,
                                  algo == DcmSegTypes::SAT_MANUAL ? "" : lo(algoName).c_str()),
               path, "segment");
    std::unique_ptr<DcmSegment> owned(segment);
    std::string description = s->name;
    if (algo != DcmSegTypes::SAT_MANUAL) {
      description +=
          "; " + algoName + (f->maskAlgorithmVersion.empty() ? "" : " " + f->maskAlgorithmVersion);
      if (!f->maskWeightsSha256.empty())
        description += " sha256 " + f->maskWeightsSha256.substr(0, 16);
    }
    if (f->maskMadeAtFinalize)
      description += "; made at finalize";
    // dcmiod checks a segment's values inside the segment's own item, which does not know the
    // document's character set, and refuses any non-ASCII byte: the description (the reader's
    // own wording, a Chinese segment name say) goes into the written data set instead (below).
    descriptions.emplace_back(f->segmentNumber, lo(description));
    checkDcmtk(segment->setTrackingID(lo(f->id).c_str()), path, "tracking id");
    checkDcmtk(segment->setTrackingUID(f->trackingUid.c_str()), path, "tracking uid");
    double L = 0, a = 0, b = 0;
    IODCIELabUtil::rgb2DicomLab(L, a, b, s->rgb[0] / 255.0, s->rgb[1] / 255.0, s->rgb[2] / 255.0);
    checkDcmtk(segment->setRecommendedDisplayCIELabValue(Uint16(L + 0.5), Uint16(a + 0.5),
                                                         Uint16(b + 0.5)),
               path, "colour");
    Uint16 number = 0;
    checkDcmtk(seg->addSegment(segment, number), path, "add segment");
    owned.release();
    if (number != f->segmentNumber) {
      throw std::runtime_error(path + ": segment numbers out of order (" + f->id + " got " +
                               std::to_string(number) + ")");
    }
    for (std::size_t k = 0; k < nz; ++k) {
      bool any = false;
      const std::uint8_t* slice = labels.labels.data() + k * nx * ny;
      for (std::size_t n = 0; n < nx * ny; ++n) {
        frame[n] = slice[n] == f->segmentLabel ? 1 : 0;
        any |= frame[n] != 0;
      }
      if (!any)
        continue;
      const Vec3 position = g.ijkToLps({0, 0, double(k)});
      FGPlanePosPatient planePosition;
      checkDcmtk(planePosition.setImagePositionPatient(decimal(position[0]).c_str(),
                                                       decimal(position[1]).c_str(),
                                                       decimal(position[2]).c_str()),
                 path, "position");
      FGFrameContent frameContent;
      checkDcmtk(frameContent.setDimensionIndexValues(number, 0), path, "dimension index");
      checkDcmtk(frameContent.setDimensionIndexValues(Uint32(k + 1), 1), path, "dimension index");
      const SourceImage& image = src.slices[k];
      OFVector<FGBase*> perFrame;
      perFrame.push_back(&planePosition);
      perFrame.push_back(&frameContent);
      if (!image.exact) {
        // An interpolated slice: derived from no single source image; placed by its position.
        checkDcmtk(seg->addFrame(frame.data(), number, perFrame), path, "frame");
        continue;
      }
      ImageSOPInstanceReferenceMacro ref;
      checkDcmtk(ref.setReferencedSOPClassUID(image.sopClassUid.c_str()), path, "source reference");
      checkDcmtk(ref.setReferencedSOPInstanceUID(image.sopInstanceUid.c_str()), path,
                 "source reference");
      if (image.frameNumber)
        checkDcmtk(ref.addReferencedFrameNumber(Uint16(image.frameNumber)), path, "source frame");
      OFVector<ImageSOPInstanceReferenceMacro> derivation;
      derivation.push_back(ref);
      std::unique_ptr<FGDerivationImage> derived(DcmSegmentation::createDerivationImageFG(
          derivation, "Lesion mask drawn on the source slice"));
      if (!derived)
        throw std::runtime_error(path + ": cannot write the DICOM SEG (derivation image)");
      perFrame.push_back(derived.get());
      checkDcmtk(seg->addFrame(frame.data(), number, perFrame), path, "frame");
      if (referenced.insert(image.sopInstanceUid).second) {
        OFVector<Uint32> frames;
        if (image.frameNumber)
          frames.push_back(image.frameNumber);
        references.add(new IODImageReference(
            src.patientId.c_str(), src.studyInstanceUid.c_str(), src.seriesInstanceUid.c_str(),
            image.sopInstanceUid.c_str(), image.sopClassUid.c_str(), frames));
      }
    }
  }
  seg->getCommonInstanceReference().addReferences(references, src.studyInstanceUid.c_str());

  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string temporary = path + ".partial";
  DcmFileFormat file;
  checkDcmtk(seg->writeDataset(*file.getDataset()), path, "encode");
  putSegmentDescriptions(*file.getDataset(), descriptions, path);
  markUtf8CharacterSet(*file.getDataset()); // ISO_IR 192 when any text is not ASCII
  saveDicomFile(file, temporary, path);
  std::filesystem::rename(temporary, path, ec);
  if (ec)
    throw std::runtime_error(path + ": cannot write the DICOM SEG (" + ec.message() + ")");
  ExportedObject out;
  out.kind = "SEG";
  out.path = path;
  out.sopClassUid = UID_SegmentationStorage;
  out.sopInstanceUid = sopUid;
  out.seriesInstanceUid = seriesUid;
  out.studyInstanceUid = src.studyInstanceUid;
  return out;
}

} // namespace lightbox
