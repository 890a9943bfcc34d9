// SPDX-License-Identifier: Apache-2.0
#include "core/io/IngestJson.h"

#include "core/dicom/TransferSyntaxNames.h"

#include <cmath>
#include <map>
#include <set>

namespace lightbox {

nlohmann::json toJson(const IngestIssue& issue) {
  nlohmann::json j{{"kind", toString(issue.kind)}, {"severity", toString(issue.severity)},
                   {"message", issue.message}};
  if (!issue.path.empty()) {
    j["file"] = issue.path;
  }
  return j;
}

nlohmann::json toJson(const VolumeGeometry& g) {
  return {{"size", g.size},
          {"spacing_mm", g.spacing},
          {"origin_lps", g.origin},
          {"direction", {g.direction[0], g.direction[1], g.direction[2]}}};
}

std::string orientationLabel(const VolumeGeometry& g) {
  const Vec3 n = normalized(cross(g.direction[0], g.direction[1]));
  const double ax = std::abs(n[0]), ay = std::abs(n[1]), az = std::abs(n[2]);
  const double best = std::max({ax, ay, az});
  const char* plane = best == az ? "AXIAL" : (best == ax ? "SAGITTAL" : "CORONAL");
  return best > 1.0 - 1e-3 ? plane : std::string("OBLIQUE (near ") + plane + ")";
}

nlohmann::json toJson(const AssembledSeries& s) {
  const DicomFileInfo& h = *s.header;
  std::set<std::string> syntaxes;
  for (const SliceStack& v : s.volumes) {
    for (const DicomFrame& f : v.slices) {
      syntaxes.insert(transferSyntaxName(f.file->transferSyntaxUid));
    }
  }
  nlohmann::json issues = nlohmann::json::array();
  for (const IngestIssue& i : s.issues) {
    issues.push_back(toJson(i));
  }
  const DicomFrame& f = s.volumes.front().slices.front();
  return {{"series_instance_uid", h.seriesInstanceUid},
          {"series_number", h.seriesNumber},
          {"description", h.seriesDescription},
          {"part", s.partLabel},
          {"modality", h.modality},
          {"sop_class_uid", h.sopClassUid},
          {"frames", s.frameCount()},
          {"volumes", s.volumes.size()},
          {"single_image", s.isSingleImage},
          {"geometry", toJson(s.geometry)},
          {"orientation", orientationLabel(s.geometry)},
          {"slice_thickness_mm", f.sliceThickness},
          {"slice_spacing_mm", s.nominalSpacing},
          {"needs_resampling", s.needsResampling},
          {"tilt_degrees", s.tiltDegrees},
          {"transfer_syntaxes", syntaxes},
          {"issues", issues}};
}

nlohmann::json toJson(const StudyScan& scan) {
  // Patients -> studies -> series, in first-seen order.
  nlohmann::json patients = nlohmann::json::array();
  std::map<std::string, std::size_t> patientIndex;
  std::map<std::string, std::pair<std::size_t, std::size_t>> studyIndex;
  for (std::size_t i = 0; i < scan.series.size(); ++i) {
    const AssembledSeries& s = scan.series[i];
    const DicomFileInfo& h = *s.header;
    const std::string pkey = h.patientId + "|" + h.patientName;
    if (!patientIndex.count(pkey)) {
      patientIndex[pkey] = patients.size();
      patients.push_back({{"patient_id", h.patientId}, {"patient_name", h.patientName},
                          {"birth_date", h.patientBirthDate}, {"sex", h.patientSex},
                          {"studies", nlohmann::json::array()}});
    }
    const std::size_t p = patientIndex[pkey];
    if (!studyIndex.count(h.studyInstanceUid)) {
      studyIndex[h.studyInstanceUid] = {p, patients[p]["studies"].size()};
      patients[p]["studies"].push_back({{"study_instance_uid", h.studyInstanceUid},
                                        {"study_date", h.studyDate},
                                        {"study_time", h.studyTime},
                                        {"description", h.studyDescription},
                                        {"accession_number", h.accessionNumber},
                                        {"series", nlohmann::json::array()}});
    }
    const auto [pi, si] = studyIndex[h.studyInstanceUid];
    nlohmann::json js = toJson(s);
    js["index"] = i + 1;
    patients[pi]["studies"][si]["series"].push_back(js);
  }
  nlohmann::json rejected = nlohmann::json::array();
  for (const IngestIssue& i : scan.fileIssues) {
    rejected.push_back(toJson(i));
  }
  nlohmann::json assembly = nlohmann::json::array();
  for (const IngestIssue& i : scan.assemblyIssues) {
    assembly.push_back(toJson(i));
  }
  return {{"path", scan.path},
          {"files_seen", scan.filesSeen},
          {"not_dicom", scan.notDicom},
          {"series_count", scan.series.size()},
          {"patients", patients},
          {"rejected_files", rejected},
          {"assembly_issues", assembly}};
}

} // namespace lightbox
