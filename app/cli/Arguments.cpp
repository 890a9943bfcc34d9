// SPDX-License-Identifier: Apache-2.0
#include "app/cli/Arguments.h"

#include <cctype>

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

} // namespace lightbox::cli
