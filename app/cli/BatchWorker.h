// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/batch/BatchRecord.h"

#include <stdexcept>
#include <string>

namespace lightbox::cli {

/// Runs the plan's steps on one series in this process and returns its record (done, skipped or
/// failed with the reason); the caller holds the series' lock and saves the record. Outputs go to
/// batchSeriesFolder(outFolder, uid): detection.json, findings.csv, the draft report (report/v1),
/// registration/ (when a prior was registered); the findings also go to the series' review in the
/// plan's annotation store unless the reader has decided on some there.
BatchRecord runBatchSeries(const std::string& outFolder, const BatchPlan& plan, const BatchSeries& series,
                           int threads);

/// The series' prior in this run is not pre-read yet (queued, or still running after the wait):
/// the series stays pending and a rerun reads it after its prior.
struct BatchPriorNotReady : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A CSV field, quoted when it holds a comma, a quote or a line break.
std::string batchCsvField(const std::string& s);

/// The columns of findings.csv (per series and, gathered, for the whole run).
const char* batchFindingsCsvHeader();

} // namespace lightbox::cli
