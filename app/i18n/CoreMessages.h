// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <string>

namespace lightbox {

/// A sentence core composed in English (the AI's intended-use warnings, the detector's and the
/// report's warnings, common ingest warnings) in the interface's language. Core stays free of Qt
/// and its messages stay English for the command line and the logs; the window translates them
/// where it shows them: each known sentence is a pattern whose numbers and names are carried
/// into its translation (context "CoreMessages"). An unknown sentence is returned as it is.
QString translateCoreMessage(const std::string& message);

} // namespace lightbox
