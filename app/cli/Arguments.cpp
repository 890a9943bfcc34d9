// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lightbox::cli {

Arguments::Arguments(const std::vector<std::string>& args, const std::set<std::string>& flags,
                     const std::set<std::string>& valueOptions) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool longOption = a.size() > 2 && a.compare(0, 2, "--") == 0;
    const bool shortOption = a.size() == 2 && a[0] == '-' && std::isalpha(static_cast<unsigned char>(a[1]));
    if (longOption || shortOption) {
      const std::string name = a.substr(longOption ? 2 : 1);
      if (valueOptions.count(name)) {
        if (i + 1 >= args.size()) {
          throw UsageError("option --" + name + " needs a value");
        }
        options_[name] = args[++i];
        ordered_.emplace_back(name, args[i]);
      } else if (flags.count(name)) {
        flags_.insert(name);
      } else {
        throw UsageError("unknown option --" + name);
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::string Arguments::option(const std::string& name, const std::string& fallback) const {
  const auto it = options_.find(name);
  return it == options_.end() ? fallback : it->second;
}

std::vector<std::string> Arguments::values(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : ordered_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

long long Arguments::integer(const std::string& name, long long fallback, long long min, long long max) const {
  const auto it = options_.find(name);
  if (it == options_.end()) {
    return fallback;
  }
  const std::string& v = it->second;
  long long value = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || value < min || value > max) {
    throw UsageError("option --" + name + " needs a whole number from " + std::to_string(min) +
                     (max == kNoLimit ? std::string(" up") : " to " + std::to_string(max)) + ", not '" + v + "'");
  }
  return value;
}

double Arguments::number(const std::string& name, double fallback, double min, double max) const {
  const auto it = options_.find(name);
  if (it == options_.end()) {
    return fallback;
  }
  const std::string& v = it->second;
  char* end = nullptr;
  errno = 0;
  const double value = v.empty() ? 0.0 : std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || errno == ERANGE || !std::isfinite(value) || value < min ||
      value > max) {
    char range[96] = "";
    if (min > -1e300 && max < 1e300) {
      std::snprintf(range, sizeof(range), " from %g to %g", min, max);
    } else if (min > -1e300) {
      std::snprintf(range, sizeof(range), " from %g up", min);
    }
    throw UsageError("option --" + name + " needs a number" + range + ", not '" + v + "'");
  }
  return value;
}

} // namespace lightbox::cli
