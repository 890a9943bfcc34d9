// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <string>

namespace lightbox {

/// A word of one of core's closed sets (a finding's type or state, a growth status, a measurement
/// kind, an engine, a fusion mode, ...: listed in Terms.cpp) in the interface's language; any
/// other value as given, an empty one empty. For display only: the data keep core's words.
QString term(const char* value);
QString term(const std::string& value);
QString term(const QString& value);

} // namespace lightbox
