// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace lightbox::cli {

/// Progress printer for long scans on stderr: a rewritten line on a terminal, a line per 10%
/// otherwise; silent when quiet or for small jobs.
std::function<bool(std::size_t, std::size_t)> makeProgressPrinter(const std::string& what, bool quiet);

} // namespace lightbox::cli
