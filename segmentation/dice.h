// Dice similarity coefficient per class (Dice 1945), with MONAI's conventions: background excluded by
// default, and an empty prediction on an empty ground truth scores 1 for that class.
#pragma once

#include <vector>

#include <torch/types.h>

namespace ganbench {

// pred, target: [N, H, W] int64 label maps. Returns [num_labels] Dice averaged over the N images; index 0
// (background) is NaN unless include_background.
std::vector<double> dice_per_class(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels,
                                   bool include_background = false);
// Mean over the foreground classes.
double mean_foreground_dice(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels);

}  // namespace ganbench
