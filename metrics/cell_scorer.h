// Scores generated images against the real data in every configured feature space: the Fréchet distance at
// every call; FID∞, KID, precision/recall (sets of equal size) and the real-vs-real floor at matched N at the
// final call; the number of generated images behind them; and the share of empty generated label maps.
// Metric names come from the catalogue through each extractor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>
#include <Eigen/Core>

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
  // The held-out real test split (never trained on), for the memorization audit: its features, [M, D].
  virtual const torch::Tensor& test_features(const std::string& space) = 0;
  // Real images [N, C, H, W] in [0, 1]: the training split, or the test split.
  virtual const torch::Tensor& images(bool test) = 0;
  // Their label maps [N, H, W] int64, for the memorization audit of label maps; undefined (the default) leaves
  // that audit out.
  virtual const torch::Tensor& labels(bool test) {
    (void)test;
    static const torch::Tensor none;
    return none;
  }
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
  int64_t gallery = 8;              // memorization gallery pairs kept (pixel space)
};

// The generated images nearest the training set in pixel space, closest first, with their nearest
// training images: the memorization gallery of the report.
struct NearestPairs {
  std::vector<int64_t> generated;  // rows of the scored images
  std::vector<int64_t> train;      // rows of the real training split
  std::vector<double> distance;    // Euclidean, pixels in [0, 1]
};

class CellScorer {
 public:
  CellScorer(RealReference& real, ScorerOptions opts) : real_(real), opts_(std::move(opts)) {}
  // images [N, C, H, W] in [0, 1]; labels [N, H, W] integer label maps. The final call adds KID,
  // precision/recall, floors, bootstrap intervals, FID infinity and the memorization audit in every space
  // and in raw pixels.
  std::vector<MetricValue> score(const torch::Tensor& images, const torch::Tensor& labels, bool final);
  // After a final score(): the `gallery` closest generated/training pairs in pixel space.
  const NearestPairs& nearest_pairs() const { return pairs_; }

 private:
  RealReference& real_;
  ScorerOptions opts_;
  NearestPairs pairs_;
};

// Raw pixels as features: [N, C, H, W] -> [N, C*H*W] in double.
Eigen::MatrixXd pixel_features(const torch::Tensor& images);

// Fraction of label maps without any foreground pixel: a GAN that stopped drawing anatomy.
double degenerate_fraction(const torch::Tensor& labels);

}  // namespace ganbench
