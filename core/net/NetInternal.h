// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to core/net: what DicomNetwork.cpp, DicomSend.cpp and DicomWeb.cpp share.

#include "core/net/DicomNetwork.h"

#include <string>

class DcmItem;
class DcmTagKey;
class OFCondition;

namespace lightbox::net {

/// dcmnet and dcmdata log to the console at WARN by default: the callers report what matters
/// (LIGHTBOX_DCMNET_LOG=1 shows DCMTK's debug log).
void quietDcmtkLogging();
/// "0xC000"-style status digits: four upper-case hex digits.
std::string hex4(unsigned v);
/// Why an association could not be made or used, in words a reader can act on.
std::string reasonOf(const OFCondition& cond, const PacsNode& node, const LocalAe& local);
/// Throws PacsError "NODE: WHAT: REASON".
[[noreturn]] void fail(const PacsNode& node, const std::string& what, const std::string& reason);
/// A string element's value without trailing spaces and NULs; empty when absent.
std::string elementText(DcmItem& item, const DcmTagKey& key);

/// A temporary name in STORE/.incoming for an object being received.
std::string incomingFile(const std::string& store);
/// Files an object received into `tmp` by the receiver's one rule (checked, flushed, renamed into
/// STORE/<study>/<sop>.dcm); returns the DIMSE status (0: filed), `error` says why when not.
unsigned short fileIncoming(const std::string& tmp, const std::string& store, const std::string& sender,
                            ReceivedObject& out, std::string& error);

} // namespace lightbox::net
