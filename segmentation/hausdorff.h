// 95th-percentile Hausdorff distance (HD95) per class, in pixels, with MONAI's definition
// (compute_hausdorff_distance, percentile = 95): the larger of the two directed 95th percentiles of
// surface-to-surface distances. A surface pixel is a foreground pixel with a 4-neighbour outside the class
// (pixels on the image border count); in volumes a voxel with a 6-neighbour outside. Distances are in pixels,
// or in mm with the (isotropic) voxel spacing given. As MONAI: both masks empty gives NaN (nothing to measure, left out);
// exactly one empty gives +inf (a missed or hallucinated structure), which summaries count apart.
#pragma once

#include <vector>

#include <torch/types.h>

namespace ganbench {

// One image or volume: pred, target [H, W] or [D, H, W] boolean masks; `spacing` = the side of a pixel or
// voxel (mm), 1 = distances in pixels.
double hd95(const torch::Tensor& pred, const torch::Tensor& target, double spacing = 1.0);

// pred, target: [N, H, W] (or [N, D, H, W]) int64 label maps. [N][num_labels] HD95 per image and class;
// index 0 (background) is NaN unless include_background.
std::vector<std::vector<double>> hd95_matrix(const torch::Tensor& pred, const torch::Tensor& target,
                                             int64_t num_labels, bool include_background = false,
                                             double spacing = 1.0);

// A set of HD95 values summarised without dropping the infinite ones: MONAI's mean would be inf as soon as
// one structure is missed, so ganbench reports the mean of the finite values and the share of inf.
struct Hd95Summary {
  double mean_finite = NAN;   // mean over finite values (px); NaN when there is none
  double inf_fraction = NAN;  // infinite values / defined (non-NaN) values; NaN when none is defined
  int64_t defined = 0;        // non-NaN values
};
// Over the foreground classes of every image (background too if asked); per class when `only_class` >= 0.
Hd95Summary summarize_hd95(const std::vector<std::vector<double>>& matrix, int64_t only_class = -1,
                           bool include_background = false);

}  // namespace ganbench
