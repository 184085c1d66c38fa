#include "metrics/cell_scorer.h"

#include <algorithm>
#include <map>

#include <torch/torch.h>

#include "common/hash.h"
#include "common/percentile.h"
#include "metrics/frechet.h"
#include "metrics/kid.h"
#include "metrics/memorization.h"
#include "metrics/metric_catalogue.h"
#include "metrics/precision_recall.h"
#include "metrics/slice_extractor.h"

namespace ganbench {
namespace {
constexpr uint64_t kPrSeedSalt = 0x9E7;     // which rows of the larger set precision/recall keeps
constexpr uint64_t kInfSeedSalt = 0x1AF;    // FID∞ subsets
constexpr uint64_t kBootSeedSalt = 0xB007;  // bootstrap resamples of the generated images

// Percentile-bootstrap 95% intervals of the distance and KID over the generated images: B resamples of the
// generated features with replacement against the fixed real side. B is 200 for spaces of up to 256 dims and
// 20 above (one 2048-d Fréchet distance costs about 1.6 s on 2 cores).
struct BootstrapCi {
  double fd_lo, fd_hi, kid_lo, kid_hi;
  int b;
};
BootstrapCi bootstrap(const FeatureStats& real_stats, const Eigen::MatrixXd& real,
                      const Eigen::MatrixXd& fake, const ScorerOptions& o) {
  const int b = fake.cols() <= 256 ? 200 : 20;
  const int64_t n = fake.rows();
  std::vector<double> fd, kid;
  for (int k = 0; k < b; ++k) {
    const uint64_t seed = mix_seed(o.kid_seed, kBootSeedSalt + static_cast<uint64_t>(k));
    std::vector<int64_t> rows(static_cast<size_t>(n));  // n draws with replacement
    for (int64_t i = 0; i < n; ++i)
      rows[i] = static_cast<int64_t>(mix_seed(seed, static_cast<uint64_t>(i)) % static_cast<uint64_t>(n));
    const Eigen::MatrixXd resampled = fake(rows, Eigen::all);
    fd.push_back(frechet_distance(real_stats, compute_stats(resampled)));
    kid.push_back(kernel_inception_distance(real, resampled, o.kid_subsets, o.kid_subset_size, seed).mean);
  }
  return {percentile_linear(fd, 2.5), percentile_linear(fd, 97.5), percentile_linear(kid, 2.5),
          percentile_linear(kid, 97.5), b};
}
}  // namespace

Eigen::MatrixXd pixel_features(const torch::Tensor& images) {
  return to_eigen(images.reshape({images.size(0), -1}).to(torch::kCPU));
}

double degenerate_fraction(const torch::Tensor& labels) {
  auto fg = (labels > 0).reshape({labels.size(0), -1}).any(1);
  return 1.0 - fg.to(torch::kFloat64).mean().item<double>();
}

std::vector<MetricValue> CellScorer::score(const torch::Tensor& images, const torch::Tensor& labels,
                                           bool final) {
  register_builtin_metrics();
  std::vector<MetricValue> out;
  // Volumes: per extractor, its distance id and the distances of its slice planes, for their mean.
  std::map<std::string, std::pair<std::string, std::vector<double>>> per_plane;
  for (const auto& space : opts_.spaces) {
    FeatureExtractor* ex = real_.extractor(space);
    if (!ex) continue;  // unavailable here (hint printed once); no number rather than a wrong one
    const Eigen::MatrixXd fake = to_eigen(ex->extract(images));
    out.push_back({ex->distance_metric(), frechet_distance(real_.stats(space), compute_stats(fake))});
    if (const auto sp = split_slice_space(space)) {
      auto& pp = per_plane[sp->first];
      pp.first = ex->distance_id();
      pp.second.push_back(out.back().value);
    }
    if (!final) continue;
    const Eigen::MatrixXd real = to_eigen(real_.features(space));
    const auto kid =
        kernel_inception_distance(real, fake, opts_.kid_subsets, opts_.kid_subset_size, opts_.kid_seed);
    const auto pr =
        precision_recall_equal_size(real, fake, opts_.pr_k, mix_seed(opts_.kid_seed, kPrSeedSalt));
    out.push_back({metric_name("precision", {{"space", space}}), pr.precision});
    out.push_back({metric_name("recall", {{"space", space}}), pr.recall});
    out.push_back({ex->kid_metric(), kid.mean});
    out.push_back({metric_name("kid_std", {{"space", space}}), kid.std});
    const BootstrapCi ci = bootstrap(real_.stats(space), real, fake, opts_);
    const std::map<std::string, std::string> sp{{"space", space}};
    out.push_back({metric_name(ex->distance_id() + "_boot_lo", sp), ci.fd_lo});
    out.push_back({metric_name(ex->distance_id() + "_boot_hi", sp), ci.fd_hi});
    out.push_back({metric_name("kid_boot_lo", sp), ci.kid_lo});
    out.push_back({metric_name("kid_boot_hi", sp), ci.kid_hi});
    out.push_back({metric_name("bootstrap_b", sp), static_cast<double>(ci.b)});
    const auto [floor, floor_n] = real_.floor(space, images.size(0));
    out.push_back({ex->floor_metric(), floor});
    out.push_back({metric_name("real_floor_n", {{"space", space}}), static_cast<double>(floor_n)});
    if (opts_.inf_points >= 2) {
      const FrechetInfinity inf =
          frechet_infinity(real_.stats(space), fake, opts_.inf_points, opts_.inf_min_fraction,
                           mix_seed(opts_.kid_seed, kInfSeedSalt));
      out.push_back({metric_name(ex->distance_id() + "_infinity", {{"space", space}}), inf.value});
    }
    const MemorizationAudit mem = memorization_audit(real, to_eigen(real_.test_features(space)), fake);
    out.push_back({metric_name("memorization_near_copy_fraction", sp), mem.near_copy_fraction});
    out.push_back({metric_name("memorization_median_ratio", sp), mem.median_ratio});
  }
  for (const auto& [base, pp] : per_plane)  // the "2.5-D" distance: the mean over the three planes
    if (pp.second.size() == slice_planes().size())
      out.push_back({metric_name(pp.first, {{"space", base + "-mean"}}),
                     (pp.second[0] + pp.second[1] + pp.second[2]) / 3.0});
  if (final) {  // the audit in raw pixels, which needs no model, and its gallery
    // Both audits search a block of generated images at a time (memory does not grow with eval.samples).
    const Eigen::MatrixXd train_px = pixel_features(real_.images(false));
    const MemorizationAudit mem = memorization_audit(nearest_in_pixels(real_.images(true), train_px),
                                                     nearest_in_pixels(images, train_px));
    const std::map<std::string, std::string> sp{{"space", "pixels"}};
    out.push_back({metric_name("memorization_near_copy_fraction", sp), mem.near_copy_fraction});
    out.push_back({metric_name("memorization_median_ratio", sp), mem.median_ratio});
    // The same audit on the label maps (one-hot, so a distance counts the pixels whose label differs): a
    // label-conditioned generator (SPADE) reuses training maps and scores 1 here whatever its images do.
    if (const torch::Tensor& train_labels = real_.labels(false); train_labels.defined() && labels.defined()) {
      const int64_t k = std::max({train_labels.max().item<int64_t>(), real_.labels(true).max().item<int64_t>(),
                                  labels.max().item<int64_t>()}) + 1;
      const MemorizationAudit lab = memorization_audit(nearest_in_labels(real_.labels(true), train_labels, k),
                                                       nearest_in_labels(labels, train_labels, k));
      const std::map<std::string, std::string> ls{{"space", "labels"}};
      out.push_back({metric_name("memorization_near_copy_fraction", ls), lab.near_copy_fraction});
      out.push_back({metric_name("memorization_median_ratio", ls), lab.median_ratio});
    }
    pairs_ = {};
    for (int64_t g : closest_pairs(mem, opts_.gallery)) {
      pairs_.generated.push_back(g);
      pairs_.train.push_back(mem.nearest[g]);
      pairs_.distance.push_back(mem.distance[g]);
    }
  }
  out.push_back({metric_name("distance_n"), static_cast<double>(images.size(0))});
  out.push_back({metric_name("degenerate_label_fraction"), degenerate_fraction(labels)});
  return out;
}

}  // namespace ganbench
