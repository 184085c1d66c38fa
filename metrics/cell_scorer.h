// Scores generated images against the real data in every configured feature space: the Fréchet distance at
// every call; FID∞, KID, precision/recall (sets of equal size) and the real-vs-real floor at matched N at the
// final call; the number of generated images behind them; and the share of empty generated label maps.
// Metric names come from the catalogue through each extractor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "metrics/feature_extractor.h"

namespace ganbench {

// The real side of the comparison in one feature space (the sweep's data cache implements it, caching
// features across cells).
class RealReference {
 public:
  virtual ~RealReference() = default;
  // nullptr when the extractor cannot run here (e.g. no weights): its metrics are left out.
  virtual FeatureExtractor* extractor(const std::string& space) = 0;
  virtual const FeatureStats& stats(const std::string& space) = 0;      // real training split
  virtual const torch::Tensor& features(const std::string& space) = 0;  // real training split, [N, D]
  // The real-vs-real floor at matched N: the distance between two disjoint real subsets of `n` images each.
  virtual std::pair<double, int64_t> floor(const std::string& space, int64_t n) = 0;
};

struct MetricValue {
  std::string name;  // a catalogue name
  double value;
};

struct ScorerOptions {
  std::vector<std::string> spaces;  // extractor names (eval.extractors)
  int kid_subsets = 20;             // KID subsets
  int64_t kid_subset_size = 100;    // KID max subset size
  uint64_t kid_seed = 0;            // KID subset draws
  int pr_k = 3;                     // precision/recall neighbourhood size (Kynkäänniemi et al. 2019)
  int inf_points = 5;               // FID∞ sample sizes (Chong and Forsyth 2020); 0 = off
  double inf_min_fraction = 0.2;    // FID∞: the smallest size as a fraction of the generated count
};

class CellScorer {
 public:
  CellScorer(RealReference& real, ScorerOptions opts) : real_(real), opts_(std::move(opts)) {}
  // images [N, C, H, W] in [0, 1]; labels [N, H, W] integer label maps.
  std::vector<MetricValue> score(const torch::Tensor& images, const torch::Tensor& labels, bool final);

 private:
  RealReference& real_;
  ScorerOptions opts_;
};

// Fraction of label maps without any foreground pixel: a GAN that stopped drawing anatomy.
double degenerate_fraction(const torch::Tensor& labels);

}  // namespace ganbench
