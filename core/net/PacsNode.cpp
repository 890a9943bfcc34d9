// SPDX-License-Identifier: Apache-2.0
#include "core/net/PacsNode.h"

#include "core/util/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace lightbox {

namespace {

int parsePort(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument(what + ": port '" + text + "' is not a number from 1 to 65535");
  }
  const int port = std::stoi(text);
  if (port < 1 || port > 65535) {
    throw std::invalid_argument(what + ": port " + text + " is not from 1 to 65535");
  }
  return port;
}

void checkAeTitle(const std::string& aeTitle, const std::string& what) {
  if (const std::string problem = aeTitleProblem(aeTitle); !problem.empty()) {
    throw std::invalid_argument(what + ": " + problem);
  }
}

/// A URL with a user or password before its host ("https://user:pw@host/...") would show the
/// secret in every message and list: refused (the secret comes from the environment).
void checkUrlWithoutCredentials(const std::string& url, const std::string& what) {
  const std::size_t start = url.find("://");
  const std::size_t end = url.find('/', start == std::string::npos ? 0 : start + 3);
  const std::string authority = url.substr(start + 3, end == std::string::npos ? std::string::npos : end - start - 3);
  if (authority.find('@') != std::string::npos) {
    throw std::invalid_argument(what + ": a user or password in the URL is refused; give \"auth\", \"user\" and "
                                       "\"secret_env\" in the node list instead");
  }
}

} // namespace

std::string PacsNode::address() const {
  return isDicomWeb() ? url : aeTitle + "@" + host + ":" + std::to_string(port);
}

std::string PacsNode::label() const {
  const std::string a = address();
  return name.empty() || name == a ? a : name + " (" + a + ")";
}

std::string aeTitleProblem(const std::string& aeTitle) {
  if (aeTitle.empty()) return "the AE title is empty";
  if (aeTitle.size() > 16) return "the AE title '" + aeTitle + "' is longer than 16 characters";
  bool onlySpaces = true;
  for (const char c : aeTitle) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '\\') {
      return "the AE title '" + aeTitle + "' holds a backslash, a control or a non-ASCII character";
    }
    onlySpaces = onlySpaces && c == ' ';
  }
  return onlySpaces ? "the AE title is only spaces" : std::string();
}

std::string defaultPacsNodeListPath() {
  if (const char* p = std::getenv("LIGHTBOX_PACS_NODES"); p && *p) return p;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    return (fs::path(xdg) / "lightbox" / "pacs-nodes.json").string();
  }
  const char* home = std::getenv("HOME");
  return (fs::path(home ? home : ".") / ".config" / "lightbox" / "pacs-nodes.json").string();
}

PacsNodeList loadPacsNodeList(const std::string& path) {
  PacsNodeList list;
  std::error_code ec;
  if (!fs::exists(path, ec)) return list;
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the PACS node list");
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    if (j.contains("local")) {
      const nlohmann::json& l = j.at("local");
      list.local.aeTitle = l.value("ae_title", list.local.aeTitle);
      list.local.port = l.value("port", list.local.port);
      checkAeTitle(list.local.aeTitle, "local");
      if (list.local.port < 1 || list.local.port > 65535) {
        throw std::invalid_argument("local: port " + std::to_string(list.local.port) + " is not from 1 to 65535");
      }
    }
    for (const nlohmann::json& n : j.value("nodes", nlohmann::json::array())) {
      PacsNode node;
      node.name = n.at("name").get<std::string>();
      if (node.name.empty()) throw std::invalid_argument("a node without a name");
      if (n.contains("url")) {
        node.url = n.at("url").get<std::string>();
        if (node.url.rfind("http://", 0) != 0 && node.url.rfind("https://", 0) != 0) {
          throw std::invalid_argument("node " + node.name + ": url '" + node.url + "' is not http(s)://");
        }
        checkUrlWithoutCredentials(node.url, "node " + node.name);
        node.auth = n.value("auth", std::string());
        node.user = n.value("user", std::string());
        node.secretEnv = n.value("secret_env", std::string());
        if (!node.auth.empty() && node.auth != "basic" && node.auth != "bearer") {
          throw std::invalid_argument("node " + node.name + ": auth '" + node.auth + "' is not basic or bearer");
        }
        if (n.contains("password") || n.contains("token")) {
          throw std::invalid_argument("node " + node.name + ": a password or token is never kept in the node list; "
                                      "name the environment variable that holds it with \"secret_env\"");
        }
      } else {
        node.aeTitle = n.at("ae_title").get<std::string>();
        node.host = n.at("host").get<std::string>();
        node.port = n.at("port").get<int>();
        checkAeTitle(node.aeTitle, "node " + node.name);
        if (node.host.empty()) throw std::invalid_argument("node " + node.name + ": empty host");
        if (node.port < 1 || node.port > 65535) {
          throw std::invalid_argument("node " + node.name + ": port " + std::to_string(node.port) +
                                      " is not from 1 to 65535");
        }
      }
      for (const PacsNode& other : list.nodes) {
        if (other.name == node.name) throw std::invalid_argument("node " + node.name + " is listed twice");
      }
      list.nodes.push_back(node);
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not a valid PACS node list: " + e.what());
  }
  return list;
}

void savePacsNodeList(const std::string& path, const PacsNodeList& list) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const PacsNode& n : list.nodes) {
    if (n.isDicomWeb()) {
      nlohmann::json j = {{"name", n.name}, {"url", n.url}};
      if (!n.auth.empty()) j["auth"] = n.auth;
      if (!n.user.empty()) j["user"] = n.user;
      if (!n.secretEnv.empty()) j["secret_env"] = n.secretEnv;
      nodes.push_back(j);
    } else {
      nodes.push_back({{"name", n.name}, {"ae_title", n.aeTitle}, {"host", n.host}, {"port", n.port}});
    }
  }
  const nlohmann::json j = {{"local", {{"ae_title", list.local.aeTitle}, {"port", list.local.port}}},
                            {"nodes", nodes}};
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (const std::string problem = writeFileAtomically(path, j.dump(2) + "\n"); !problem.empty()) {
    throw std::runtime_error(path + ": cannot save the PACS node list: " + problem);
  }
}

PacsNode resolvePacsNode(const std::string& spec, const PacsNodeList& list) {
  for (const PacsNode& n : list.nodes) {
    if (n.name == spec) return n;
  }
  PacsNode node;
  node.name = spec;
  if (spec.rfind("http://", 0) == 0 || spec.rfind("https://", 0) == 0) {
    checkUrlWithoutCredentials(spec, "node");
    node.url = spec;
    return node;
  }
  const std::size_t at = spec.rfind('@');
  const std::size_t colon = spec.rfind(':');
  if (at == std::string::npos || colon == std::string::npos || colon < at) {
    throw std::invalid_argument("node '" + spec + "' is neither a name in the node list (" +
                                std::to_string(list.nodes.size()) + " nodes) nor AET@host:port nor http(s)://...");
  }
  node.aeTitle = spec.substr(0, at);
  node.host = spec.substr(at + 1, colon - at - 1);
  checkAeTitle(node.aeTitle, "node '" + spec + "'");
  if (node.host.empty()) throw std::invalid_argument("node '" + spec + "': no host");
  node.port = parsePort(spec.substr(colon + 1), "node '" + spec + "'");
  return node;
}

} // namespace lightbox
