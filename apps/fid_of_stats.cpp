#include "apps/fid_of_stats.h"

#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>

#include "metrics/frechet.h"
#include "metrics/metric_catalogue.h"

namespace ganbench {

void print_fid(const std::string& path_a, const FeatureStats& a, const std::string& path_b,
               const FeatureStats& b) {
  for (const auto& [path, s] :
       {std::pair<const std::string&, const FeatureStats&>{path_a, a}, {path_b, b}})
    if (s.n > 0 && s.n < kFidMinSamples)
      fmt::print(
          stderr,
          "ganbench fid: warning: {} has {} images, fewer than {}: FID is biased upward at small N and "
          "not comparable with FIDs at other N\n",
          path, s.n, kFidMinSamples);
  if (a.mu.size() != b.mu.size())
    throw std::runtime_error(
        fmt::format("{} has {}-d statistics but {} has {}-d", path_a, a.mu.size(), path_b, b.mu.size()));
  fmt::print("FID:  {}\n", frechet_distance(a, b));
}

}  // namespace ganbench
