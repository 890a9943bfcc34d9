// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

namespace lightbox::test {

/// Every Patient's Name (0010,0010) of each .dcm file in `folder`, top level then nested in
/// sequences, as pydicom decodes it (str(PersonName)), computed now by /usr/bin/python3: the
/// reference is never stored in the repository. Fails the test when pydicom cannot run.
std::map<std::string, std::vector<std::string>> pydicomPatientNames(const std::string& folder);

/// pydicom's str(PersonName) leaves out empty trailing component groups ("A=B=" -> "A=B").
std::string withoutEmptyTrailingGroups(std::string name);

} // namespace lightbox::test
