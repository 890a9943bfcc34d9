// SPDX-License-Identifier: Apache-2.0
#include "core/net/DicomWeb.h"

#include "core/net/NetInternal.h"

#include "core/util/FileList.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace lightbox::dicomweb {

namespace {

using net::fail;

struct Response {
  long status = 0;
  std::string contentType;
  std::string body;
};

std::size_t appendBody(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::size_t readHeader(char* data, std::size_t size, std::size_t n, void* user) {
  std::string line(data, size * n);
  const std::size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (name == "content-type") {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ')) value.erase(value.begin());
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
      *static_cast<std::string*>(user) = value;
    }
  }
  return size * n;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '/')) s.pop_back();
  return s;
}

void ensureCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/// libcurl's progress callback: a non-zero answer ends the transfer (the reader cancelled).
int checkCancel(void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(flag);
  return cancel && cancel->load() ? 1 : 0;
}

/// One HTTP exchange with the node's authentication; throws PacsError naming the node and the
/// reason (cannot connect, timed out, credentials refused, an HTTP error with the server's words).
Response request(const PacsNode& node, const std::string& what, const std::string& method, const std::string& url,
                 const std::vector<std::string>& headers, const std::string* body, const NetworkTimeouts& t,
                 const std::atomic<bool>* cancel = nullptr, bool conflictIsAnswer = false) {
  ensureCurl();
  CURL* curl = curl_easy_init();
  if (!curl) fail(node, what, "cannot start an HTTP client");
  Response r;
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  std::string secret;
  if (!node.auth.empty()) {
    const std::string var = node.secretEnv.empty() ? "LIGHTBOX_PACS_SECRET" : node.secretEnv;
    const char* value = std::getenv(var.c_str());
    if (!value || !*value) {
      curl_slist_free_all(list);
      curl_easy_cleanup(curl);
      fail(node, what, node.auth + " authentication needs the " + (node.auth == "basic" ? "password" : "token") +
                           " in the environment variable " + var + " (it is never kept in the node list)");
    }
    secret = value;
    if (node.auth == "basic") {
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
      curl_easy_setopt(curl, CURLOPT_USERNAME, node.user.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, secret.c_str());
    } else {
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, long(CURLAUTH_BEARER));
      curl_easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, secret.c_str());
    }
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, readHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.contentType);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, long(t.connectSeconds));
  // A transfer that stalls (under 1 byte/s) for the message timeout ends; a long one that flows does not.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, long(t.dimseSeconds));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (cancel) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, checkCancel);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, cancel);
  }
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body->size()));
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    std::string reason = curl_easy_strerror(rc);
    if (rc == CURLE_COULDNT_CONNECT) reason = "connection refused (" + reason + ")";
    if (rc == CURLE_OPERATION_TIMEDOUT) reason = "timed out (" + reason + ")";
    if (rc == CURLE_ABORTED_BY_CALLBACK) reason = "cancelled";
    fail(node, what, reason);
  }
  if (r.status == 401 || r.status == 403) {
    fail(node, what, "the archive refused the credentials (HTTP " + std::to_string(r.status) + ")");
  }
  if (r.status >= 300 && !(conflictIsAnswer && r.status == 409)) {
    std::string words = r.body.substr(0, 200);
    for (char& c : words) c = (c == '\n' || c == '\r') ? ' ' : c;
    fail(node, what, "HTTP " + std::to_string(r.status) + (words.empty() ? std::string() : ": " + words));
  }
  return r;
}

std::string escape(const std::string& text) {
  ensureCurl();
  CURL* curl = curl_easy_init();
  char* e = curl_easy_escape(curl, text.c_str(), int(text.size()));
  std::string out = e ? e : "";
  curl_free(e);
  curl_easy_cleanup(curl);
  return out;
}

/// A DICOM JSON attribute's first value as text (PN: its alphabetic group).
std::string value(const nlohmann::json& item, const char* tag) {
  auto it = item.find(tag);
  if (it == item.end() || !it->contains("Value") || (*it)["Value"].empty()) return {};
  const nlohmann::json& v = (*it)["Value"][0];
  if (v.is_object()) return v.value("Alphabetic", std::string());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) return std::to_string(v.get<double>());
  return {};
}

std::string allValues(const nlohmann::json& item, const char* tag) {
  auto it = item.find(tag);
  if (it == item.end() || !it->contains("Value")) return {};
  std::string out;
  for (const nlohmann::json& v : (*it)["Value"]) {
    if (!v.is_string()) continue;
    if (!out.empty()) out += "\\";
    out += v.get<std::string>();
  }
  return out;
}

int number(const nlohmann::json& item, const char* tag) {
  const std::string v = value(item, tag);
  if (v.empty() || v.find_first_not_of(" 0123456789") != std::string::npos) return -1;
  return std::stoi(v);
}

FindMatch matchOf(const nlohmann::json& item, QueryLevel level) {
  FindMatch m;
  m.level = level;
  m.patientName = value(item, "00100010");
  m.patientId = value(item, "00100020");
  m.patientBirthDate = value(item, "00100030");
  m.patientSex = value(item, "00100040");
  m.studyUid = value(item, "0020000D");
  m.studyDate = value(item, "00080020");
  m.studyTime = value(item, "00080030");
  m.studyDescription = value(item, "00081030");
  m.accession = value(item, "00080050");
  m.modalitiesInStudy = allValues(item, "00080061");
  m.seriesUid = value(item, "0020000E");
  m.seriesNumber = value(item, "00200011");
  m.modality = value(item, "00080060");
  m.seriesDescription = value(item, "0008103E");
  m.relatedSeries = number(item, "00201206");
  m.relatedInstances = number(item, level == QueryLevel::Series ? "00201209" : "00201208");
  return m;
}

std::vector<nlohmann::json> qido(const PacsNode& node, const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& keys,
                                 const NetworkTimeouts& t) {
  std::string url = trimmed(node.url) + path;
  char sep = '?';
  for (const auto& [k, v] : keys) {
    url += sep + k + "=" + escape(v);
    sep = '&';
  }
  const Response r = request(node, "QIDO-RS", "GET", url, {"Accept: application/dicom+json"}, nullptr, t);
  if (r.status == 204 || r.body.empty()) return {};
  try {
    const nlohmann::json j = nlohmann::json::parse(r.body);
    if (!j.is_array()) fail(node, "QIDO-RS", "the answer is not a JSON array");
    return std::vector<nlohmann::json>(j.begin(), j.end());
  } catch (const nlohmann::json::exception& e) {
    fail(node, "QIDO-RS", std::string("the answer is not DICOM JSON: ") + e.what());
  }
}

std::string randomBoundary() {
  std::random_device rd;
  std::ostringstream b;
  b << "lightbox-" << std::hex << rd() << rd() << rd();
  return b.str();
}

} // namespace

std::string multipartBoundary(const std::string& contentType) {
  std::string lower = contentType;
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  const std::size_t at = lower.find("boundary=");
  if (at == std::string::npos) return {};
  std::string b = contentType.substr(at + 9);
  if (!b.empty() && b.front() == '"') {
    const std::size_t end = b.find('"', 1);
    return end == std::string::npos ? std::string() : b.substr(1, end - 1);
  }
  const std::size_t end = b.find_first_of("; \t");
  return end == std::string::npos ? b : b.substr(0, end);
}

std::vector<std::string> splitMultipart(const std::string& body, const std::string& boundary) {
  if (boundary.empty()) throw std::runtime_error("multipart answer without a boundary");
  const std::string dash = "--" + boundary;
  std::vector<std::string> parts;
  std::size_t pos = body.find(dash);
  if (pos == std::string::npos) throw std::runtime_error("multipart answer without its first boundary");
  while (true) {
    pos += dash.size();
    if (body.compare(pos, 2, "--") == 0) return parts;  // the close delimiter
    const std::size_t headersEnd = body.find("\r\n\r\n", pos);
    if (headersEnd == std::string::npos) throw std::runtime_error("a multipart part without the end of its headers");
    const std::size_t next = body.find("\r\n" + dash, headersEnd + 4);
    if (next == std::string::npos) throw std::runtime_error("a multipart part without a closing boundary (cut short?)");
    parts.push_back(body.substr(headersEnd + 4, next - headersEnd - 4));
    pos = next + 2;
  }
}

double echo(const PacsNode& node, const NetworkTimeouts& t) {
  const auto t0 = std::chrono::steady_clock::now();
  qido(node, "/studies", {{"limit", "1"}}, t);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<FindMatch> find(const PacsNode& node, const FindQuery& q, const NetworkTimeouts& t) {
  std::vector<std::pair<std::string, std::string>> keys;
  auto key = [&](const char* name, const std::string& v) {
    if (!v.empty()) keys.emplace_back(name, v);
  };
  if (q.level == QueryLevel::Series && !q.studyUid.empty()) {
    key("Modality", q.modality);
    for (const char* f : {"SeriesNumber", "SeriesDescription", "NumberOfSeriesRelatedInstances"}) keys.emplace_back("includefield", f);
    std::vector<FindMatch> out;
    for (const nlohmann::json& j : qido(node, "/studies/" + escape(q.studyUid) + "/series", keys, t)) {
      FindMatch m = matchOf(j, QueryLevel::Series);
      if (m.studyUid.empty()) m.studyUid = q.studyUid;
      out.push_back(m);
    }
    return out;
  }
  key("PatientName", q.patientName);
  key("PatientID", q.patientId);
  key("StudyDate", q.studyDate);
  key("AccessionNumber", q.accession);
  key("StudyInstanceUID", q.studyUid);
  if (q.level == QueryLevel::Series) throw std::logic_error("dicomweb::find: a series query needs its study");
  key("ModalitiesInStudy", q.modality);
  for (const char* f : {"PatientBirthDate", "PatientSex", "StudyDescription", "ModalitiesInStudy",
                        "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances"}) {
    keys.emplace_back("includefield", f);
  }
  std::vector<FindMatch> out;
  for (const nlohmann::json& j : qido(node, "/studies", keys, t)) out.push_back(matchOf(j, QueryLevel::Study));
  if (q.level == QueryLevel::Patient) {
    // QIDO-RS has no patient level: one row per patient of the matching studies.
    std::map<std::string, FindMatch> patients;
    for (const FindMatch& m : out) {
      FindMatch& p = patients[m.patientId + "|" + m.patientName];
      if (p.relatedStudies < 0) {
        p = m;
        p.level = QueryLevel::Patient;
        p.relatedStudies = 0;
      }
      ++p.relatedStudies;
    }
    out.clear();
    for (auto& [k, p] : patients) out.push_back(p);
  }
  return out;
}

RetrieveResult retrieve(const PacsNode& node, const RetrieveRequest& r, const std::string& store,
                        const NetworkTimeouts& t, const ReceivedCallback& onReceived) {
  std::string url = trimmed(node.url) + "/studies/" + escape(r.studyUid);
  if (!r.seriesUid.empty()) url += "/series/" + escape(r.seriesUid);
  // Every object in the syntax it is stored in (transfer-syntax=*): no transcoding on the way.
  Response resp;
  try {
    resp = request(node, "WADO-RS", "GET", url,
                   {"Accept: multipart/related; type=\"application/dicom\"; transfer-syntax=*"}, nullptr, t, r.cancel);
  } catch (const PacsError& e) {
    if (std::string(e.what()).find("HTTP 406") == std::string::npos) throw;
    resp = request(node, "WADO-RS", "GET", url, {"Accept: multipart/related; type=\"application/dicom\""}, nullptr, t,
                   r.cancel);
  }
  std::vector<std::string> parts;
  try {
    parts = splitMultipart(resp.body, multipartBoundary(resp.contentType));
  } catch (const std::exception& e) {
    fail(node, "WADO-RS", e.what());
  }
  RetrieveResult result;
  result.methodUsed = RetrieveMethod::Get;
  result.note = "retrieved by DICOMweb WADO-RS";
  for (const std::string& part : parts) {
    if (r.cancel && r.cancel->load()) {
      fail(node, "WADO-RS", "cancelled; the " + std::to_string(result.objects.size()) +
                                " objects filed stay in the store (a retry completes it)");
    }
    const std::string tmp = net::incomingFile(store);
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(part.data(), std::streamsize(part.size()));
      if (!out.flush()) fail(node, "WADO-RS", "cannot write " + tmp);
    }
    ReceivedObject o;
    std::string error;
    if (net::fileIncoming(tmp, store, node.url, o, error) != 0) {
      ++result.failed;
      continue;  // the object was not kept; counted as failed
    }
    result.objects.push_back(o);
    if (onReceived) onReceived(o);
  }
  result.completed = int(result.objects.size());
  if (result.failed > 0) {
    result.note += "; " + std::to_string(result.failed) + " parts were not DICOM objects we could keep";
  }
  return result;
}

std::vector<SentObject> send(const PacsNode& node, const std::vector<std::string>& paths, const NetworkTimeouts& t) {
  const std::vector<std::string> files = regularFilesUnder(paths);
  std::vector<SentObject> out;
  const std::string boundary = randomBoundary();
  std::string body;
  std::map<std::string, std::size_t> bySop;  // SOP Instance UID -> index in out
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SentObject s;
    s.path = f;
    if (bytes.size() < 132 || bytes.compare(128, 4, "DICM") != 0) {
      s.skipped = true;
      s.status = "skipped: not a DICOM file with its meta header";
      out.push_back(s);
      continue;
    }
    // The SOP Instance UID from the meta header (0002,0003), to match the answer.
    const std::size_t at = bytes.find(std::string("\x02\x00\x03\x00", 4), 132);
    if (at != std::string::npos && at + 8 < bytes.size()) {
      const std::size_t len = static_cast<unsigned char>(bytes[at + 6]) | static_cast<unsigned char>(bytes[at + 7]) << 8;
      std::string uid = bytes.substr(at + 8, len);
      while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.pop_back();
      s.sopInstanceUid = uid;
    }
    s.status = "not in the archive's answer";
    bySop[s.sopInstanceUid] = out.size();
    out.push_back(s);
    body += "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n";
    body += bytes;
    body += "\r\n";
  }
  if (bySop.empty()) return out;
  body += "--" + boundary + "--\r\n";
  const Response r = request(node, "STOW-RS", "POST", trimmed(node.url) + "/studies",
                             {"Content-Type: multipart/related; type=\"application/dicom\"; boundary=" + boundary,
                              "Accept: application/dicom+json"},
                             &body, t, nullptr, /*conflictIsAnswer=*/true);
  nlohmann::json answer;
  try {
    answer = nlohmann::json::parse(r.body);
  } catch (const nlohmann::json::exception&) {
    fail(node, "STOW-RS", "HTTP " + std::to_string(r.status) + " without a DICOM JSON answer");
  }
  auto items = [&](const char* tag) {
    std::vector<nlohmann::json> v;
    if (answer.contains(tag) && answer[tag].contains("Value")) {
      for (const nlohmann::json& i : answer[tag]["Value"]) v.push_back(i);
    }
    return v;
  };
  for (const nlohmann::json& i : items("00081199")) {  // Referenced SOP Sequence: stored
    auto it = bySop.find(value(i, "00081155"));
    if (it == bySop.end()) continue;
    out[it->second].stored = true;
    out[it->second].status = i.contains("00081196") ? "warning " + value(i, "00081196") : "success";
  }
  for (const nlohmann::json& i : items("00081198")) {  // Failed SOP Sequence
    auto it = bySop.find(value(i, "00081155"));
    if (it == bySop.end()) continue;
    char code[16];
    std::snprintf(code, sizeof code, "0x%04X", unsigned(number(i, "00081197") & 0xffff));
    out[it->second].status = std::string("refused ") + code;
  }
  return out;
}

} // namespace lightbox::dicomweb
