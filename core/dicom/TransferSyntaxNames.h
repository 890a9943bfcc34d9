// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace lightbox {

/// Human-readable name of a transfer syntax UID ("JPEG 2000 lossless (1.2.840.10008.1.2.4.90)").
std::string transferSyntaxName(const std::string& uid);

/// True for syntaxes whose codec loses information (results compare within a tolerance).
bool isLossyTransferSyntax(const std::string& uid);

} // namespace lightbox
