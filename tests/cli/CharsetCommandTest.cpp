// SPDX-License-Identifier: Apache-2.0
// Issue 28: `lightbox info --json` writes decoded names and valid UTF-8, whatever the bytes.
#include "tests/support/PydicomNames.h"
#include "tests/support/TestData.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

namespace fs = std::filesystem;
using namespace lightbox;

TEST_CASE("info --json on the pydicom character set files parses and holds pydicom's names", "[charset][cli]") {
  const std::string folder = test::sharedData("charsets/pydicom");
  const test::ProcessResult r = test::runProgram(LIGHTBOX_BINARY, {"info", folder, "--json", "--quiet"});
  INFO(r.err);
  REQUIRE(r.exitCode == 0);
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(r.out)); // throws on invalid UTF-8
  std::set<std::string> names;
  for (const auto& p : j["patients"]) names.insert(test::withoutEmptyTrailingGroups(p["patient_name"].get<std::string>()));
  // Every image file's name, as pydicom decodes it (files without pixel data are listed as rejected).
  std::set<std::string> rejected;
  for (const auto& f : j["rejected_files"]) rejected.insert(fs::path(f["file"].get<std::string>()).filename().string());
  std::size_t checked = 0;
  for (const auto& [file, expected] : test::pydicomPatientNames(folder)) {
    if (rejected.count(file) || expected.empty()) continue;
    INFO(file << ": " << expected.front());
    CHECK(names.count(expected.front()) == 1);
    ++checked;
  }
  CHECK(checked >= 12);
}

TEST_CASE("info --json stays valid UTF-8 with an undecodable name and warns naming the file", "[charset][cli]") {
  const std::string work = test::scratchFolder("charset-cli-lossy");
  const fs::path source = fs::path(test::sharedData("charsets/pydicom")) / "chrX2.dcm";
  std::ifstream in(source, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::size_t at = bytes.find("Wang^XiaoDong=\xCD\xF5^");
  REQUIRE(at != std::string::npos);
  bytes[at + 14] = '\xFF';
  const fs::path damaged = fs::path(work) / "damaged.dcm";
  { std::ofstream(damaged, std::ios::binary) << bytes; }

  const test::ProcessResult r = test::runProgram(LIGHTBOX_BINARY, {"info", work, "--json", "--quiet"});
  REQUIRE(r.exitCode == 0);
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(r.out));
  REQUIRE(j["patients"].size() == 1);
  CHECK(j["patients"][0]["patient_name"].get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
  bool warned = false;
  for (const auto& issue : j["patients"][0]["studies"][0]["series"][0]["issues"]) {
    if (issue["kind"] == "undecodable-text") {
      CHECK(issue["file"] == damaged.string());
      CHECK(issue["severity"] == "warning");
      warned = true;
    }
  }
  CHECK(warned);
  // The text listing shows the same decoded name and the warning.
  const test::ProcessResult text = test::runProgram(LIGHTBOX_BINARY, {"info", work, "--quiet"});
  CHECK(text.out.find("\xEF\xBF\xBD") != std::string::npos);
  CHECK(text.out.find("U+FFFD") != std::string::npos);
}
