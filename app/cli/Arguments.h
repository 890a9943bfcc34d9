// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace lightbox::cli {

/// Exit codes scripts can rely on (documented in README.md).
enum ExitCode : int {
  kExitOk = 0,        ///< done (warnings may have been printed)
  kExitFailure = 1,   ///< the command failed (I/O error, unreadable input, ...)
  kExitUsage = 2,     ///< wrong arguments
  kExitNoImages = 3,  ///< the input holds no loadable image series
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Positional arguments plus --flag and --option VALUE pairs.
class Arguments {
public:
  /// `valueOptions` take a value; every other --name is a boolean flag. Unknown names are errors.
  Arguments(const std::vector<std::string>& args, const std::set<std::string>& flags,
            const std::set<std::string>& valueOptions);

  const std::vector<std::string>& positional() const { return positional_; }
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::string option(const std::string& name, const std::string& fallback = {}) const;

private:
  std::vector<std::string> positional_;
  std::set<std::string> flags_;
  std::map<std::string, std::string> options_;
};

} // namespace lightbox::cli
