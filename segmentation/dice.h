// Dice similarity coefficient (Dice 1945) with the defaults of MONAI's DiceMetric (monai/metrics/meandice.py,
// DiceHelper.compute_channel and do_metric_reduction): per image and class, an empty ground truth gives NaN
// (ignore_empty=True), which every mean leaves out. ganbench departs in one named place: background is
// excluded (MONAI's include_background defaults to True); docs/metrics.md gives the reasons.
#pragma once

#include <vector>

#include <torch/types.h>

namespace ganbench {

struct DiceOptions {
  bool include_background = false;  // class 0 scored too
  bool ignore_empty =
      true;  // MONAI's default: empty ground truth -> NaN; false: 1 if the prediction is empty too
};

// pred, target: [N, H, W] integer label maps (volumes: [N, D, H, W]). [N, num_labels] float64 Dice per image and class; excluded
// classes (background unless included) are NaN.
torch::Tensor dice_matrix(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels,
                          const DiceOptions& opts = {});
// Per class: the mean over images where it is defined (MONAI's "mean_batch"); NaN where never defined.
std::vector<double> dice_per_class(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels,
                                   const DiceOptions& opts = {});
// MONAI's "mean" reduction over foreground classes: each image's mean over its defined classes, then the mean
// over images with at least one defined class; NaN when none is.
double mean_foreground_dice(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels,
                            const DiceOptions& opts = {});

}  // namespace ganbench
