// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace lightbox {

/// `j` as an integer of type T. nlohmann's get<T>() converts a JSON float (1e45) or an
/// out-of-range integer with a plain cast, which is undefined behaviour (found by fuzzing the
/// label-map reader, issue 25): here a float must hold a whole number and every value must fit,
/// else std::runtime_error says what was found.
template <typename T> T jsonInteger(const nlohmann::json& j) {
  static_assert(std::is_integral_v<T>);
  constexpr long double lo = static_cast<long double>(std::numeric_limits<T>::min());
  constexpr long double hi = static_cast<long double>(std::numeric_limits<T>::max());
  long double v = 0;
  if (j.is_number_unsigned()) {
    v = static_cast<long double>(j.get<std::uint64_t>());
  } else if (j.is_number_integer()) {
    v = static_cast<long double>(j.get<std::int64_t>());
  } else if (j.is_number_float()) {
    const double d = j.get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) throw std::runtime_error("expected a whole number, found " + j.dump());
    v = static_cast<long double>(d);
  } else {
    throw std::runtime_error("expected a number, found " + j.dump());
  }
  if (v < lo || v > hi) throw std::runtime_error("the number " + j.dump() + " is out of range");
  return static_cast<T>(v);
}

/// obj[key] as jsonInteger<T>, or `fallback` when obj has no such key (what json::value() does,
/// without its undefined conversion).
template <typename T> T jsonInteger(const nlohmann::json& obj, const char* key, T fallback) {
  if (!obj.is_object()) return fallback;
  const auto it = obj.find(key);
  return it == obj.end() ? fallback : jsonInteger<T>(*it);
}

} // namespace lightbox
