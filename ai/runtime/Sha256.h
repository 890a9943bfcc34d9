// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

/// Lower-case hex SHA-256 of `bytes` (FIPS 180-4).
std::string sha256Hex(const std::string& bytes);
/// Lower-case hex SHA-256 of a file's content; throws std::runtime_error naming the file.
std::string sha256File(const std::string& path);

} // namespace lightbox
