// 95th-percentile Hausdorff distance (HD95) per class, in pixels, with MONAI's definition
// (compute_hausdorff_distance, percentile = 95): the larger of the two directed 95th percentiles of
// surface-to-surface distances. A surface pixel is a foreground pixel with a 4-neighbour outside the class
// (pixels on the image border count). Both masks empty: 0. Exactly one empty: NaN (undefined; reported as
// missing, never as a number).
#pragma once

#include <vector>

#include <torch/types.h>

namespace ganbench {

// One image: pred, target [H, W] boolean masks.
double hd95(const torch::Tensor& pred, const torch::Tensor& target);

// pred, target: [N, H, W] int64 label maps. Returns [num_labels] HD95 averaged over the images where it is
// defined (NaN if none); index 0 (background) is NaN unless include_background.
std::vector<double> hd95_per_class(const torch::Tensor& pred, const torch::Tensor& target, int64_t num_labels,
                                   bool include_background = false);

}  // namespace ganbench
