// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/batch/BatchRecord.h"

#include <string>

namespace lightbox::cli {

/// Runs the plan's steps on one series in this process and returns its record (done, skipped or
/// failed with the reason); the caller holds the series' lock and saves the record. Outputs go to
/// batchSeriesFolder(outFolder, uid): detection.json, findings.csv, the draft report (report/v1),
/// registration/ (when a prior was registered); the findings also go to the series' review in the
/// plan's annotation store unless the reader has decided on some there.
BatchRecord runBatchSeries(const std::string& outFolder, const BatchPlan& plan, const BatchSeries& series,
                           int threads);

/// The columns of findings.csv (per series and, gathered, for the whole run).
const char* batchFindingsCsvHeader();

} // namespace lightbox::cli
