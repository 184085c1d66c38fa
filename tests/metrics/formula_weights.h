// Test-only: the FID-Inception formula weights of fixtures/fid_inception/README.md, for the model's keys.
#pragma once

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "common/safetensors.h"
#include "metrics/inception.h"
#include "tests/test_util.h"

namespace ganbench::test {

inline std::vector<float> formula_tensor(const std::string& key, const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  const auto u = formula_uniform(key, static_cast<size_t>(n));
  auto ends = [&](const std::string& suf) {
    return key.size() >= suf.size() && key.compare(key.size() - suf.size(), suf.size(), suf) == 0;
  };
  std::vector<float> out(static_cast<size_t>(n));
  for (size_t i = 0; i < out.size(); ++i) {
    const double v = 2.0 * u[i] - 1.0;
    double x;
    if (ends("conv.weight"))
      x = v * std::sqrt(6.0 / static_cast<double>(shape[1] * shape[2] * shape[3]));
    else if (ends("bn.weight") || ends("bn.running_var"))
      x = 1.0 + 0.1 * v;
    else if (ends("bn.bias") || ends("bn.running_mean"))
      x = 0.01 * v;
    else if (key.rfind("fc.", 0) == 0)
      x = v * std::sqrt(3.0 / 2048.0);
    else
      throw std::runtime_error("no formula for " + key);
    out[i] = static_cast<float>(x);
  }
  return out;
}

using WeightMap = std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>;

inline WeightMap formula_weights() {
  FidInceptionV3 m;
  WeightMap w;
  auto add = [&](const std::string& k, const torch::Tensor& t) {
    std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
    w[k] = {shape, formula_tensor(k, shape)};
  };
  for (const auto& p : m->named_parameters()) add(p.key(), p.value());
  for (const auto& b : m->named_buffers())
    if (b.key().find("num_batches_tracked") == std::string::npos) add(b.key(), b.value());
  return w;
}

inline void write_formula_weights(const std::filesystem::path& p) { write_safetensors(p, formula_weights()); }

}  // namespace ganbench::test
