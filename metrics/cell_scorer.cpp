#include "metrics/cell_scorer.h"

#include <torch/torch.h>

#include "metrics/frechet.h"
#include "metrics/kid.h"
#include "metrics/metric_catalogue.h"
#include "metrics/precision_recall.h"

namespace ganbench {

double degenerate_fraction(const torch::Tensor& labels) {
  auto fg = (labels > 0).reshape({labels.size(0), -1}).any(1);
  return 1.0 - fg.to(torch::kFloat64).mean().item<double>();
}

std::vector<MetricValue> CellScorer::score(const torch::Tensor& images, const torch::Tensor& labels, bool final) {
  register_builtin_metrics();
  std::vector<MetricValue> out;
  for (const auto& space : opts_.spaces) {
    FeatureExtractor* ex = real_.extractor(space);
    if (!ex) continue;  // unavailable here (hint printed once); no number rather than a wrong one
    const Eigen::MatrixXd fake = to_eigen(ex->extract(images));
    out.push_back({ex->distance_metric(), frechet_distance(real_.stats(space), compute_stats(fake))});
    if (!final) continue;
    const Eigen::MatrixXd real = to_eigen(real_.features(space));
    const auto kid = kernel_inception_distance(real, fake, opts_.kid_subsets, opts_.kid_subset_size, opts_.kid_seed);
    const auto pr = precision_recall(real, fake, opts_.pr_k);
    out.push_back({metric_name("precision", {{"space", space}}), pr.precision});
    out.push_back({metric_name("recall", {{"space", space}}), pr.recall});
    out.push_back({ex->kid_metric(), kid.mean});
    out.push_back({metric_name("kid_std", {{"space", space}}), kid.std});
    out.push_back({ex->floor_metric(), real_.floor(space)});
  }
  out.push_back({metric_name("degenerate_label_fraction"), degenerate_fraction(labels)});
  return out;
}

}  // namespace ganbench
