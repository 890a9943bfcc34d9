// SPDX-License-Identifier: Apache-2.0
#include "tests/support/PetSeries.h"

#include "core/dicom/PetSuv.h"
#include "core/phantom/DicomSeriesWriter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace lightbox::test {

PetDoseInfo typicalFdg() {
  PetDoseInfo p;
  p.units = "BQML";
  p.decayCorrection = "START";
  p.patientWeightKg = 72.5;
  p.totalDoseBq = 3.7e8;
  p.halfLifeS = 6586.2; // F-18
  p.injectionDateTime = "20240305091200.000000";
  p.seriesDate = "20240305";
  p.seriesTime = "101500";
  p.acquisitionDate = "20240305";
  p.acquisitionTime = "101512";
  return p;
}

void writePetSeries(const Volume& suv, const std::string& folder, const PetDoseInfo& dose,
                    double weightKg, double windowCenter, double windowWidth) {
  const VolumeGeometry& g = suv.geometry;
  const double factor = suvBodyWeight(dose).factor; // SUV = Bq/mL x factor
  DicomSeriesSpec spec;
  spec.folder = folder;
  spec.rows = unsigned(g.size[1]);
  spec.columns = unsigned(g.size[0]);
  spec.spacingX = g.spacing[0];
  spec.spacingY = g.spacing[1];
  spec.rowDirection = {g.direction[0][0], g.direction[1][0], g.direction[2][0]};
  spec.columnDirection = {g.direction[0][1], g.direction[1][1], g.direction[2][1]};
  spec.sliceThickness = g.spacing[2];
  spec.modality = "PT";
  spec.sopClassUid = "1.2.840.10008.5.1.4.1.1.128";
  spec.isSigned = false;
  if (windowWidth > 0) {
    spec.windowCenter = windowCenter;
    spec.windowWidth = windowWidth;
  }
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    spec.slicePositions.push_back(g.ijkToLps({0, 0, double(k)}));
    double peak = 0;
    for (std::size_t q = 0; q < g.size[0] * g.size[1]; ++q)
      peak = std::max(peak, suv.value(q + k * g.size[0] * g.size[1]));
    spec.rescaleSlopes.push_back(std::max(peak / factor, 1.0) / 32000.0); // Bq/mL per stored unit
  }
  spec.pet.patientWeightKg = weightKg;
  spec.pet.totalDoseBq = dose.totalDoseBq;
  spec.pet.halfLifeS = dose.halfLifeS;
  spec.pet.injectionDateTime = dose.injectionDateTime;
  spec.pet.seriesDate = dose.seriesDate;
  spec.pet.seriesTime = dose.seriesTime;
  const std::vector<double> slopes = spec.rescaleSlopes;
  writeDicomSeries(spec, [&](std::size_t k, std::vector<std::int16_t>& stored) {
    for (std::size_t q = 0; q < stored.size(); ++q) {
      const double bqml = suv.value(q + k * stored.size()) / factor;
      stored[q] = std::int16_t(std::lround(std::clamp(bqml / slopes[k], 0.0, 32767.0)));
    }
  });
}

} // namespace lightbox::test
