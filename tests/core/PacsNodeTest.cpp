// SPDX-License-Identifier: Apache-2.0
// Issue 27: the PACS node list and addresses, and our own sender and storage receiver talking to
// each other on loopback (the Orthanc and DCMTK cross-checks are in tests/net/pacs_orthanc_test.sh).
#include "core/net/DicomNetwork.h"
#include "core/net/DicomWeb.h"
#include "core/net/PacsNode.h"

#include "tests/support/TestData.h"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace lightbox;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) { return fs::path(test::scratchFolder("pacs-" + name)); }

int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string bytesAfterMeta(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(b.size() > 144);
  REQUIRE(b.substr(128, 4) == "DICM");
  const unsigned char* g = reinterpret_cast<const unsigned char*>(b.data() + 140);
  const std::size_t groupLength = g[0] | g[1] << 8 | g[2] << 16 | std::size_t(g[3]) << 24;
  return b.substr(144 + groupLength);
}

} // namespace

TEST_CASE("a node is a name from the list or AET@host:port or a DICOMweb URL", "[pacs]") {
  PacsNodeList list;
  list.nodes.push_back({"archive", "PACS1", "pacs.example", 104, {}});
  CHECK(resolvePacsNode("archive", list).aeTitle == "PACS1");
  CHECK(resolvePacsNode("archive", list).label() == "archive (PACS1@pacs.example:104)");
  const PacsNode direct = resolvePacsNode("ORTHANC@127.0.0.1:4242", list);
  CHECK(direct.aeTitle == "ORTHANC");
  CHECK(direct.host == "127.0.0.1");
  CHECK(direct.port == 4242);
  CHECK(direct.label() == "ORTHANC@127.0.0.1:4242");
  CHECK(resolvePacsNode("https://pacs.example/dicom-web", list).isDicomWeb());
  CHECK_THROWS_WITH(resolvePacsNode("nothing", list), Catch::Contains("neither a name in the node list"));
  CHECK_THROWS_WITH(resolvePacsNode("A@host:0", list), Catch::Contains("not from 1 to 65535"));
  CHECK_THROWS_WITH(resolvePacsNode("A@host:http", list), Catch::Contains("not a number"));
  CHECK_THROWS_WITH(resolvePacsNode("@host:104", list), Catch::Contains("AE title is empty"));
  CHECK_THROWS_WITH(resolvePacsNode("ABCDEFGHIJKLMNOPQ@host:104", list), Catch::Contains("longer than 16"));
  CHECK_THROWS_WITH(resolvePacsNode("A\\B@host:104", list), Catch::Contains("backslash"));
  CHECK_THROWS_WITH(resolvePacsNode("A@:104", list), Catch::Contains("no host"));
  // A secret in the URL would show in every message: refused.
  CHECK_THROWS_WITH(resolvePacsNode("https://reader:pw@pacs.example/dicom-web", list),
                    Catch::Contains("user or password in the URL is refused"));
  CHECK(resolvePacsNode("https://pacs.example/dicom-web?x=a@b", list).isDicomWeb());  // '@' after the host is fine
  CHECK(aeTitleProblem("LIGHTBOX").empty());
  CHECK(aeTitleProblem("   ") == "the AE title is only spaces");
}

TEST_CASE("the node list is saved and read back and a broken one is named", "[pacs]") {
  const fs::path dir = scratch("nodes");
  const std::string path = (dir / "sub" / "pacs-nodes.json").string();
  CHECK(loadPacsNodeList(path).nodes.empty());  // no file yet: empty, default local AE
  CHECK(loadPacsNodeList(path).local.aeTitle == "LIGHTBOX");
  PacsNodeList list;
  list.local = {"READER1", 11113};
  list.nodes.push_back({"archive", "PACS1", "pacs.example", 104, {}});
  list.nodes.push_back({"web", {}, {}, 0, "https://pacs.example/dicom-web"});
  savePacsNodeList(path, list);
  const PacsNodeList back = loadPacsNodeList(path);
  CHECK(back.local.aeTitle == "READER1");
  CHECK(back.local.port == 11113);
  REQUIRE(back.nodes.size() == 2);
  CHECK(back.nodes[0].address() == "PACS1@pacs.example:104");
  CHECK(back.nodes[1].url == "https://pacs.example/dicom-web");

  std::ofstream(path) << R"({"nodes": [{"name": "a", "ae_title": "A", "host": "h", "port": 70000}]})";
  CHECK_THROWS_WITH(loadPacsNodeList(path), Catch::Contains(path) && Catch::Contains("not from 1 to 65535"));
  std::ofstream(path) << R"({"nodes": [{"name": "a", "url": "ftp://x"}]})";
  CHECK_THROWS_WITH(loadPacsNodeList(path), Catch::Contains("is not http(s)://"));
  std::ofstream(path) << "{ not json";
  CHECK_THROWS_WITH(loadPacsNodeList(path), Catch::Contains(path));
}

TEST_CASE("our sender and our receiver move real objects byte for byte", "[pacs]") {
  const fs::path dir = scratch("loop");
  const fs::path lidc = test::sharedData("ct/chest_lidc-idri-0001_nodule_slab");
  const LocalAe local{"LOOPBACK", freePort()};
  std::size_t seen = 0;
  StorageReceiver receiver(local, (dir / "store").string(), [&](const ReceivedObject&) { ++seen; });
  receiver.start();
  // A second receiver on the same port is refused with the reason.
  StorageReceiver second(local, (dir / "store2").string(), {});
  CHECK_THROWS_WITH(second.start(), Catch::Contains("cannot listen") && Catch::Contains(std::to_string(local.port)));

  const PacsNode node{"loop", "LOOPBACK", "127.0.0.1", local.port, {}};
  CHECK(echoNode(node, {"TESTER", 11112}) >= 0.0);
  const std::vector<SentObject> sent = sendToNode(node, {"TESTER", 11112}, {lidc.string()});
  std::size_t stored = 0, skipped = 0;
  for (const SentObject& s : sent) {
    stored += s.stored;
    skipped += s.skipped;
  }
  CHECK(stored == 16);
  CHECK(skipped == 2);  // the licence and the reader XML
  // A second send of the same objects replaces them: still 16 files.
  sendToNode(node, {"TESTER", 11112}, {lidc.string()});
  receiver.stop();
  CHECK(receiver.received() == 32);
  CHECK(seen == 32);

  std::size_t files = 0, equal = 0;
  for (const auto& e : fs::recursive_directory_iterator(lidc)) {
    if (e.path().extension() != ".dcm") continue;
    for (const auto& r : fs::recursive_directory_iterator(dir / "store")) {
      if (r.path().extension() != ".dcm") continue;
      if (bytesAfterMeta(r.path()) == bytesAfterMeta(e.path())) ++equal;
    }
  }
  for (const auto& r : fs::recursive_directory_iterator(dir / "store")) files += r.path().extension() == ".dcm";
  CHECK(files == 16);
  CHECK(equal == 16);

  // Nobody listens any more: a clear reason naming the node.
  CHECK_THROWS_WITH(echoNode(node, {"TESTER", 11112}, {2, 5}),
                    Catch::Contains("loop (LOOPBACK@127.0.0.1:") && Catch::Contains("connection refused"));
}

TEST_CASE("multipart/related answers are split by their boundary and a cut one is refused", "[pacs]") {
  using namespace lightbox::dicomweb;
  CHECK(multipartBoundary("multipart/related; type=\"application/dicom\"; boundary=abc123") == "abc123");
  CHECK(multipartBoundary("multipart/related; boundary=\"a b;c\"; type=\"application/dicom\"") == "a b;c");
  CHECK(multipartBoundary("Multipart/Related; BOUNDARY=X") == "X");
  CHECK(multipartBoundary("application/dicom").empty());
  static const char raw[] = "DICM\r\n--notyet\0binary";
  const std::string part1(raw, sizeof raw - 1);  // binary, with a NUL
  const std::string body = "preamble\r\n--B\r\nContent-Type: application/dicom\r\n\r\n" + part1 +
                           "\r\n--B\r\nContent-Type: application/dicom\r\nContent-Length: 3\r\n\r\nxyz\r\n--B--\r\n";
  const std::vector<std::string> parts = splitMultipart(body, "B");
  REQUIRE(parts.size() == 2);
  CHECK(parts[0] == part1);  // a "--" inside a part that is not the boundary stays in it, bytes kept
  CHECK(parts[1] == "xyz");
  CHECK(splitMultipart("--B--\r\n", "B").empty());
  CHECK_THROWS_WITH(splitMultipart("--B\r\nContent-Type: x\r\n\r\nabc", "B"), Catch::Contains("closing boundary"));
  CHECK_THROWS_WITH(splitMultipart("no boundary here", "B"), Catch::Contains("first boundary"));
  CHECK_THROWS(splitMultipart(body, ""));
}

TEST_CASE("a DICOMweb node keeps its secret out of the node list", "[pacs]") {
  const fs::path dir = scratch("web-nodes");
  const std::string path = (dir / "pacs-nodes.json").string();
  PacsNodeList list;
  PacsNode web;
  web.name = "web";
  web.url = "https://pacs.example/dicom-web";
  web.auth = "basic";
  web.user = "reader";
  web.secretEnv = "ARCHIVE_PASSWORD";
  list.nodes.push_back(web);
  savePacsNodeList(path, list);
  const PacsNodeList back = loadPacsNodeList(path);
  REQUIRE(back.nodes.size() == 1);
  CHECK(back.nodes[0].auth == "basic");
  CHECK(back.nodes[0].user == "reader");
  CHECK(back.nodes[0].secretEnv == "ARCHIVE_PASSWORD");
  std::ofstream(path) << R"({"nodes": [{"name": "w", "url": "https://x", "auth": "basic", "user": "u", "password": "p"}]})";
  CHECK_THROWS_WITH(loadPacsNodeList(path), Catch::Contains("never kept in the node list"));
  std::ofstream(path) << R"({"nodes": [{"name": "w", "url": "https://u:p@x/dicom-web"}]})";
  CHECK_THROWS_WITH(loadPacsNodeList(path), Catch::Contains("user or password in the URL"));
  std::ofstream(path) << R"({"nodes": [{"name": "w", "url": "https://x", "auth": "digest"}]})";
  CHECK_THROWS_WITH(loadPacsNodeList(path), Catch::Contains("not basic or bearer"));
}
