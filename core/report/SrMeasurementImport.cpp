// SPDX-License-Identifier: Apache-2.0
#include "core/report/SrMeasurementImport.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <filesystem>
#include <map>

namespace lightbox {
namespace {

/// "DICM" at byte 128 (a Part 10 file), or a bare dataset starting with a group 0x0008 element
/// (little endian): other files are not probed, so DCMTK logs nothing for them.
bool hasDicmPreamble(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  unsigned char head[132] = {0};
  const std::size_t n = std::fread(head, 1, sizeof(head), f);
  std::fclose(f);
  if (n == sizeof(head) && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M') return true;
  return n >= 8 && head[0] == 0x08 && head[1] == 0x00 && head[3] == 0x00;
}

/// SOP Instance UID -> file, for the DICOM files in `folder` (read up to that attribute only).
std::map<std::string, std::string> instancesIn(const std::filesystem::path& folder) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  // DCMTK warns on stderr that it stopped early, which is the point: quiet while probing.
  OFLogger log = OFLog::getLogger("dcmtk.dcmdata");
  // The effective level (the logger's own is "not set", -1, by default: no LogLevel value; casting it
  // was undefined behaviour, UBSan in the SR fuzz target, issue 25).
  const OFLogger::LogLevel level = log.getChainedLogLevel();
  log.setLogLevel(OFLogger::ERROR_LOG_LEVEL);
  for (const auto& e : std::filesystem::directory_iterator(folder, ec)) {
    if (!e.is_regular_file(ec) || !hasDicmPreamble(e.path().string())) continue;
    DcmFileFormat file;
    // Only the header up to the SOP Instance UID: a folder of 500 slices is not parsed whole.
    if (file.loadFileUntilTag(e.path().c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect,
                              DcmTagKey(0x0008, 0x0019)).bad()) {
      continue;
    }
    OFString uid;
    if (file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, uid).good() && !uid.empty()) {
      out[uid.c_str()] = e.path().string();
    }
  }
  log.setLogLevel(level);
  return out;
}

Vec3 centroidOf(const SegmentMask& m, const VolumeGeometry& g) {
  double sum[3] = {0, 0, 0};
  std::size_t n = 0;
  for (std::size_t k = m.box.lo[2]; k < m.box.hi[2]; ++k) {
    for (std::size_t j = m.box.lo[1]; j < m.box.hi[1]; ++j) {
      for (std::size_t i = m.box.lo[0]; i < m.box.hi[0]; ++i) {
        if (!m.contains(i, j, k)) continue;
        sum[0] += double(i);
        sum[1] += double(j);
        sum[2] += double(k);
        ++n;
      }
    }
  }
  if (!n) return g.ijkToLps({0, 0, 0});
  return g.ijkToLps({sum[0] / double(n), sum[1] / double(n), sum[2] / double(n)});
}

} // namespace

std::string describeGroup(const SrMeasurementGroup& g) {
  std::string s = g.trackingId.empty() ? std::string("SR measurement") : g.trackingId;
  if (!g.findingMeaning.empty()) s += " (" + g.findingMeaning + ")";
  s += ":";
  int shown = 0;
  for (const SrMeasurementGroup::Value& v : g.measurements) {
    if (shown == 6) {
      s += " ...";
      break;
    }
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.4g", v.value);
    std::string unit = v.unitCode == "[hnsf'U]" ? "HU" : v.unitCode == "1" ? "" : v.unitCode;
    s += std::string(shown ? "," : "") + " " + (v.derivation.empty() ? "" : v.derivation + " ") + v.conceptMeaning +
         " " + buf + (unit.empty() ? "" : " " + unit);
    ++shown;
  }
  const std::string lungRads = g.evaluation("Lung-RADS category");
  if (!lungRads.empty()) s += ", Lung-RADS " + lungRads;
  return s;
}

SrOnSeries placeSrMeasurements(const SrMeasurementReport& report, const SegSourceSeries& series) {
  SrOnSeries out;
  const VolumeGeometry& g = series.geometry;
  std::map<std::string, std::string> beside; // filled on first need
  bool scanned = false;
  std::map<std::string, ImportedSeg> segs;
  for (const SrMeasurementGroup& group : report.groups) {
    Measurement note;
    note.kind = MeasurementKind::Text;
    note.label = describeGroup(group);
    bool placed = false;
    if (!group.referencedSegUid.empty()) {
      if (!scanned) {
        beside = instancesIn(std::filesystem::path(report.path).parent_path());
        scanned = true;
      }
      auto file = beside.find(group.referencedSegUid);
      if (file != beside.end()) {
        auto seg = segs.find(file->second);
        if (seg == segs.end()) {
          try {
            seg = segs.emplace(file->second, importDicomSeg(file->second, series)).first;
          } catch (const std::exception& e) {
            out.warnings.push_back(report.path + ": the SEG it references is not on this series (" + e.what() + ")");
            seg = segs.emplace(file->second, ImportedSeg{}).first;
          }
        }
        for (const ImportedSegment& s : seg->second.segments) {
          if (s.segmentNumber == group.referencedSegmentNumber && s.mask.count() > 0) {
            note.points = {centroidOf(s.mask, g)};
            placed = true;
            ++out.bySegment;
          }
        }
      }
    }
    for (std::size_t n = 0; !placed && n < group.sourceImageUids.size(); ++n) {
      for (const SegSourceSeries::Instance& inst : series.instances) {
        if (inst.sopInstanceUid != group.sourceImageUids[n]) continue;
        const Vec3 ijk = g.lpsToIjk(inst.position);
        note.points = {g.ijkToLps({double(g.size[0] - 1) / 2, double(g.size[1] - 1) / 2, ijk[2]})};
        placed = true;
        ++out.byImage;
        break;
      }
    }
    if (!placed) {
      out.warnings.push_back(report.path + ": measurement group " +
                             (group.trackingId.empty() ? std::string("(no tracking id)") : group.trackingId) +
                             " references neither a segment nor an image of this series: left out");
      continue;
    }
    out.notes.push_back(note);
  }
  return out;
}

} // namespace lightbox

namespace lightbox {

std::string sopClassUidOf(const std::string& path) {
  if (!hasDicmPreamble(path)) return {};
  DcmFileFormat file;
  if (file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096).bad()) return {};
  OFString uid;
  file.getDataset()->findAndGetOFString(DCM_SOPClassUID, uid);
  return uid.c_str();
}

bool isStructuredReportClass(const std::string& uid) {
  // 1.2.840.10008.5.1.4.1.1.88.x: SR storage classes (KOS .59 is not a measurement report).
  return uid.rfind("1.2.840.10008.5.1.4.1.1.88.", 0) == 0 && uid != "1.2.840.10008.5.1.4.1.1.88.59";
}

} // namespace lightbox
