// SPDX-License-Identifier: Apache-2.0
#include "core/dicom/PetSuv.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lightbox {
namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos)
    return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

bool digits(const std::string& s, std::size_t from, std::size_t n) {
  if (s.size() < from + n)
    return false;
  for (std::size_t k = from; k < from + n; ++k)
    if (s[k] < '0' || s[k] > '9')
      return false;
  return true;
}

long long daysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

/// Seconds since midnight of a TM; negative when unparseable.
double timeOfDay(std::string t) {
  t = trim(t);
  if (t.size() >= 8 && t[2] == ':' && t[5] == ':')
    t = t.substr(0, 2) + t.substr(3, 2) + t.substr(6);
  if (!digits(t, 0, 2))
    return -1;
  double s = std::atoi(t.substr(0, 2).c_str()) * 3600.0;
  if (digits(t, 2, 2))
    s += std::atoi(t.substr(2, 2).c_str()) * 60.0;
  if (digits(t, 4, 2))
    s += std::atof(t.substr(4).c_str());
  return s;
}

std::string clock(double secondsOfDay) {
  const long s = long(std::lround(std::fmod(std::fmod(secondsOfDay, 86400.0) + 86400.0, 86400.0)));
  char b[16];
  std::snprintf(b, sizeof(b), "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return b;
}

} // namespace

double dicomDateTimeSeconds(const std::string& dateIn, const std::string& time) {
  const std::string date = trim(dateIn);
  if (!digits(date, 0, 8))
    return -1;
  const double t = timeOfDay(time);
  if (t < 0)
    return -1;
  const long long days = daysFromCivil(std::atoll(date.substr(0, 4).c_str()),
                                       unsigned(std::atoi(date.substr(4, 2).c_str())),
                                       unsigned(std::atoi(date.substr(6, 2).c_str())));
  return double(days) * 86400.0 + t;
}

double dicomDateTimeSeconds(const std::string& dtIn) {
  std::string dt = trim(dtIn);
  const auto zone = dt.find_first_of("+-", 8);
  if (zone != std::string::npos)
    dt = dt.substr(0, zone);
  if (dt.size() < 10)
    return -1;
  return dicomDateTimeSeconds(dt.substr(0, 8), dt.substr(8));
}

SuvConversion suvBodyWeight(const PetDoseInfo& pet) {
  SuvConversion c;
  const std::string units = trim(pet.units);
  if (units == "GML") {
    c.ok = true;
    c.detail = "values already SUV (Units GML)";
    return c;
  }
  if (units == "CNTS") {
    if (pet.philipsSuvScale > 0) {
      c.ok = true;
      c.factor = pet.philipsSuvScale;
      c.detail = "counts times the Philips SUV Scale Factor (7053,1000) " +
                 std::to_string(pet.philipsSuvScale);
      return c;
    }
    c.reason = "Units (0054,1001) CNTS without the Philips SUV Scale Factor (7053,1000)";
    return c;
  }
  if (units != "BQML") {
    c.reason = units.empty()
                   ? "no Units (0054,1001): the values' meaning is unknown"
                   : "Units (0054,1001) " + units + " is not an activity concentration (BQML)";
    return c;
  }
  if (pet.patientWeightKg <= 0) {
    c.reason = "no Patient's Weight (0010,1030)";
    return c;
  }
  if (pet.totalDoseBq <= 0) {
    c.reason = "no Radionuclide Total Dose (0018,1074) in the Radiopharmaceutical Information "
               "Sequence (0054,0016)";
    return c;
  }
  const std::string decay = trim(pet.decayCorrection);
  double decayed = pet.totalDoseBq;
  char detail[256];
  if (decay == "START") {
    if (pet.halfLifeS <= 0) {
      c.reason = "no Radionuclide Half Life (0018,1075)";
      return c;
    }
    // The scan start: Series Date/Time, or the Acquisition Date/Time when that is earlier (QIBA).
    double scan = dicomDateTimeSeconds(pet.seriesDate, pet.seriesTime);
    const double acquisition = dicomDateTimeSeconds(
        pet.acquisitionDate.empty() ? pet.seriesDate : pet.acquisitionDate, pet.acquisitionTime);
    if (scan < 0 || (acquisition >= 0 && acquisition < scan))
      scan = acquisition;
    if (scan < 0) {
      c.reason = "no Series Date / Time (0008,0021 / 0031) or Acquisition Date / Time (0008,0022 / "
                 "0032) for the scan start";
      return c;
    }
    double injection = dicomDateTimeSeconds(pet.injectionDateTime);
    if (injection < 0 && !pet.injectionTime.empty()) {
      // Only a time: the scan's day, the day before when that makes it later than the scan.
      injection = dicomDateTimeSeconds(
          pet.seriesDate.empty() ? pet.acquisitionDate : pet.seriesDate, pet.injectionTime);
      if (injection > scan)
        injection -= 86400.0;
    }
    if (injection < 0) {
      c.reason = "no Radiopharmaceutical Start DateTime (0018,1078) or Start Time (0018,1072)";
      return c;
    }
    const double elapsed = scan - injection;
    if (elapsed < 0) {
      c.reason =
          "the injection (" + clock(injection) + ") is after the scan start (" + clock(scan) + ")";
      return c;
    }
    decayed = pet.totalDoseBq * std::exp2(-elapsed / pet.halfLifeS);
    std::snprintf(
        detail, sizeof(detail),
        "%.1f kg, %.1f MBq injected at %s, %.1f min before the scan start %s (half-life %.1f min)",
        pet.patientWeightKg, pet.totalDoseBq / 1e6, clock(injection).c_str(), elapsed / 60.0,
        clock(scan).c_str(), pet.halfLifeS / 60.0);
  } else if (decay == "ADMIN") {
    std::snprintf(detail, sizeof(detail),
                  "%.1f kg, %.1f MBq injected (decay-corrected to the injection)",
                  pet.patientWeightKg, pet.totalDoseBq / 1e6);
  } else {
    c.reason = decay.empty() ? "no Decay Correction (0054,1102)"
                             : "Decay Correction (0054,1102) " + decay +
                                   " (frames not decay-corrected) is not supported";
    return c;
  }
  c.ok = true;
  c.decayedDoseBq = decayed;
  c.factor = pet.patientWeightKg * 1000.0 / decayed;
  c.detail = detail;
  return c;
}

} // namespace lightbox
