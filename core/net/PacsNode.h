// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace lightbox {

/// A DICOM archive (PACS) Lightbox talks to (issue 27): DIMSE (AE title, host, port) or a
/// DICOMweb base URL.
struct PacsNode {
  std::string name;     ///< the node list's name, else the address as given
  std::string aeTitle;  ///< the archive's (called) AE title
  std::string host;
  int port = 0;
  std::string url;  ///< DICOMweb base URL (http:// or https://); empty for a DIMSE node
  /// DICOMweb authentication: "" (none), "basic" (user + password) or "bearer" (a token). The
  /// password or token is never in the node list: it is read from the environment variable named
  /// by `secretEnv` (default LIGHTBOX_PACS_SECRET) when the node is used.
  std::string auth, user, secretEnv;

  bool isDicomWeb() const { return !url.empty(); }
  /// "name (AET@host:port)", or the address alone when it has no separate name.
  std::string label() const;
  /// "AET@host:port" or the URL.
  std::string address() const;
};

/// This workstation's own application entity: the calling AE title, and the port of the storage
/// receiver (`pacs listen`, and the destination of a C-MOVE).
struct LocalAe {
  std::string aeTitle = "LIGHTBOX";
  int port = 11112;
};

/// The node list of the settings file.
struct PacsNodeList {
  LocalAe local;
  std::vector<PacsNode> nodes;
};

/// $LIGHTBOX_PACS_NODES, else $XDG_CONFIG_HOME/lightbox/pacs-nodes.json, else
/// ~/.config/lightbox/pacs-nodes.json.
std::string defaultPacsNodeListPath();

/// Reads the node list; a missing file is an empty list with the default local AE. Throws
/// std::runtime_error naming the file and the reason when it is not a valid node list.
PacsNodeList loadPacsNodeList(const std::string& path);
/// Writes the node list (atomically: a temporary file renamed over the old one). Passwords are
/// never part of it.
void savePacsNodeList(const std::string& path, const PacsNodeList& list);

/// A node named on the command line: a name from the list, `AET@host:port`, or a DICOMweb URL.
/// Throws std::invalid_argument saying what is wrong with `spec`.
PacsNode resolvePacsNode(const std::string& spec, const PacsNodeList& list);

/// Empty when `aeTitle` is a valid AE title (1-16 characters of the default repertoire, no
/// backslash or control character, not only spaces), else the reason.
std::string aeTitleProblem(const std::string& aeTitle);

} // namespace lightbox
