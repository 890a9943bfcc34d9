// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lightbox::cli {

/// Exit codes scripts can rely on (documented in README.md).
enum ExitCode : int {
  kExitOk = 0,        ///< done (warnings may have been printed)
  kExitFailure = 1,   ///< the command failed (I/O error, unreadable input, ...)
  kExitUsage = 2,     ///< wrong arguments
  kExitNoImages = 3,  ///< the input holds no loadable image series
};

/// No upper bound for Arguments::integer.
constexpr long long kNoLimit = std::numeric_limits<long long>::max();

/// Wrong arguments: exit code 2, the message names the option or argument.
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
  bool has(const std::string& name) const { return options_.count(name) > 0; }
  /// Every value given to a repeatable option, in command-line order (option() gives the last).
  std::vector<std::string> values(const std::string& name) const;
  /// Every --option VALUE pair in command-line order (for options whose order across names
  /// matters, such as correction clicks).
  const std::vector<std::pair<std::string, std::string>>& ordered() const { return ordered_; }
  /// --name's value as a whole number in [min, max], or `fallback` when the option is absent.
  /// Throws UsageError naming the option and the value when it is anything else.
  long long integer(const std::string& name, long long fallback, long long min, long long max) const;
  /// --name's value as a finite number in [min, max], or `fallback` when absent (UsageError else).
  double number(const std::string& name, double fallback, double min = -1e300, double max = 1e300) const;
  /// --name's value passed through `parse` (which throws on a bad value), or `fallback` when
  /// absent; a throw becomes a UsageError naming the option.
  template <typename Parse>
  auto parsed(const std::string& name, const std::string& fallback, Parse parse) const -> decltype(parse(fallback)) {
    const std::string value = option(name, fallback);
    try {
      return parse(value);
    } catch (const std::exception& e) {
      throw UsageError("option --" + name + ": " + e.what());
    }
  }

private:
  std::vector<std::string> positional_;
  std::set<std::string> flags_;
  std::map<std::string, std::string> options_;
  std::vector<std::pair<std::string, std::string>> ordered_;
};

} // namespace lightbox::cli
