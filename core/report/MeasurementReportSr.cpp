// SPDX-License-Identifier: Apache-2.0
#include "core/report/MeasurementReportSr.h"
