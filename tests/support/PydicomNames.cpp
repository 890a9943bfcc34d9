// SPDX-License-Identifier: Apache-2.0
#include "tests/support/PydicomNames.h"

#include "tests/support/TestData.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace lightbox::test {

std::map<std::string, std::vector<std::string>> pydicomPatientNames(const std::string& folder) {
  const char* script = R"(
import json, os, sys
import pydicom
folder = sys.argv[1]
out = {}
def walk(ds, names):
    for el in ds:
        if el.tag == 0x00100010:
            names.append(str(el.value))
        elif el.VR == 'SQ':
            for item in el.value:
                walk(item, names)
for f in sorted(os.listdir(folder)):
    if f.endswith('.dcm'):
        names = []
        walk(pydicom.dcmread(os.path.join(folder, f)), names)
        out[f] = names
sys.stdout.write(json.dumps(out))
)";
  const ProcessResult r = runProgram("/usr/bin/python3", {"-c", script, folder});
  INFO("pydicom: " << r.err);
  REQUIRE(r.exitCode == 0);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  return j.get<std::map<std::string, std::vector<std::string>>>();
}

std::string withoutEmptyTrailingGroups(std::string name) {
  while (!name.empty() && name.back() == '=') name.pop_back();
  return name;
}

} // namespace lightbox::test
