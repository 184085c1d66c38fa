// The `ganbench fid` result from two sets of statistics, shared by the front end and ganbench-core.
#pragma once

#include <string>

#include "metrics/feature_stats.h"

namespace ganbench {

// Prints "FID:  <value>" on stdout, after a warning on stderr for each set with fewer than kFidMinSamples
// samples (when its count is known). Throws std::runtime_error when the dimensions differ.
void print_fid(const std::string& path_a, const FeatureStats& a, const std::string& path_b,
               const FeatureStats& b);

}  // namespace ganbench
