// numpy.percentile's default (linear interpolation between order statistics), q in [0, 100]. Torch-free.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace ganbench {

template <typename T>
double percentile_linear(std::vector<T> v, double q) {
  if (v.empty()) throw std::invalid_argument("percentile of an empty set");
  if (!(q >= 0 && q <= 100)) throw std::invalid_argument("percentile must be in [0, 100]");
  const double pos = q / 100.0 * static_cast<double>(v.size() - 1);
  const auto k = static_cast<size_t>(pos);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  const double a = v[k];
  if (k + 1 >= v.size()) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(k) + 1, v.end());
  return a + (pos - static_cast<double>(k)) * (b - a);
}

}  // namespace ganbench
