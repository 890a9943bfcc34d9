// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace lightbox {

/// The elements of a Siemens CSA header ((0029,xx10) "SIEMENS CSA HEADER": the SV10 layout and
/// the older CSA1 one, as nibabel documents them), by name, each with its values as stored text.
/// Every count and length is checked against the bytes there are: a damaged header gives an
/// empty map, never a read past the end. (GDCM's own parser asserts on damaged headers, which
/// aborts the whole process: found by fuzzing, issue 25.)
std::map<std::string, std::vector<std::string>> readSiemensCsa(const char* data, std::size_t size);

} // namespace lightbox
