// SPDX-License-Identifier: Apache-2.0
#include "app/report/FinalizeReport.h"
