// SPDX-License-Identifier: Apache-2.0
#pragma once

// DICOMweb (PS3.18) for a node given as an http(s):// base URL (issue 27): QIDO-RS search, WADO-RS
// retrieve, STOW-RS store over libcurl (basic or bearer authentication, the secret from the
// environment). Internal to core/net: DicomNetwork's functions call these for a DICOMweb node.

#include "core/net/DicomNetwork.h"

#include <string>
#include <vector>

namespace lightbox {

namespace dicomweb {

double echo(const PacsNode& node, const NetworkTimeouts& timeouts);
/// One QIDO-RS level: studies (patients are folded from them), or the series of one study
/// (`query.studyUid` set). findOnNode expands a series query without a study.
std::vector<FindMatch> find(const PacsNode& node, const FindQuery& query, const NetworkTimeouts& timeouts);
RetrieveResult retrieve(const PacsNode& node, const RetrieveRequest& request, const std::string& store,
                        const NetworkTimeouts& timeouts, const ReceivedCallback& onReceived);
std::vector<SentObject> send(const PacsNode& node, const std::vector<std::string>& paths,
                             const NetworkTimeouts& timeouts);

/// The parts of a multipart/related body (RFC 2387) with boundary `boundary`: each part's content
/// without its headers. Throws std::runtime_error when the body does not follow the boundary rules.
std::vector<std::string> splitMultipart(const std::string& body, const std::string& boundary);
/// The boundary parameter of a Content-Type header value (quoted or not); empty when absent.
std::string multipartBoundary(const std::string& contentType);

} // namespace dicomweb
} // namespace lightbox
