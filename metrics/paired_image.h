// Paired image metrics of image-to-image translation, as the SynthRAD challenges compute them inside a body
// mask: MAE, PSNR and SSIM as SynthRAD2023's evaluation (Huijben et al. 2024, "Generating synthetic computed
// tomography for radiotherapy: SynthRAD2023 challenge report", MedIA; SynthRAD2023/metrics,
// functions/image_metrics.py), and MS-SSIM as SynthRAD2025's (SynthRAD2025/evaluation, image_metrics.py), over
// scikit-image's structural_similarity (Wang et al. 2004, 7-wide uniform window, sample covariance, K1 0.01,
// K2 0.03). docs/metrics.md lists every convention and where it was read. Torch-free: plain arrays in double.
#pragma once

#include <cstdint>
#include <vector>

namespace ganbench {

// The population intensity range that clips both images and sets PSNR's and SSIM's data range.
struct IntensityRange {
  double lo, hi;
  double width() const { return hi - lo; }
};
constexpr IntensityRange kSynthRad2023CtRange{-1024, 3000};  // HU; SynthRAD2023's ImageMetrics.dynamic_range
constexpr IntensityRange kSynthRad2025CtRange{-1024, 3071};  // HU; SynthRAD2025's (MS-SSIM's default here)
constexpr IntensityRange kUnitRange{0, 1};                   // MR and other targets normalised to [0, 1]

// One ground-truth / prediction pair on a 2-D [H, W] or 3-D [D, H, W] grid, row-major. `mask` (same size; > 0
// = inside) may be empty for "every voxel". The views do not own their data.
struct ImagePair {
  std::vector<int64_t> shape;
  const double* gt = nullptr;
  const double* pred = nullptr;
  const double* mask = nullptr;  // nullptr: no mask
};

// Mean absolute error inside the mask, no clipping (in HU when the images are CT in HU). Throws
// std::invalid_argument on an empty mask, a size mismatch or a non-finite value.
double paired_mae(const ImagePair& p);
// PSNR inside the mask, both images clipped to `range`, data range range.width() (SynthRAD2023's
// use_population_range = True). +infinity when the two are equal inside the mask.
double paired_psnr(const ImagePair& p, IntensityRange range = kSynthRad2023CtRange);
// SynthRAD2023's masked SSIM: both images clipped to `range`, voxels outside the mask set to range.lo, shifted
// by -range.lo; scikit-image's SSIM map (data range range.width()), averaged over the mask after cropping the
// 3-voxel border. Without a mask, the mean of the cropped map (scikit-image's own value). Throws when a side
// is shorter than 7 or no masked voxel lies inside the cropped border.
double paired_ssim(const ImagePair& p, IntensityRange range = kSynthRad2023CtRange);
// SynthRAD2025's masked MS-SSIM: the same clipping, masking and shift; edge-padded to 97 voxels per side; five
// levels with weights 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 on contrast and structure (luminance weight 0 at
// every level, as that code's weights give), each level's clipped map averaged over its mask, the levels'
// values clipped to [0, 1] and multiplied; between levels a 2-per-axis box filter ('same' convolution, zeros
// before the first voxel) and every other voxel. 2-D pairs use a 2 x 2 box (the 2025 code is 3-D only).
double paired_ms_ssim(const ImagePair& p, IntensityRange range = kSynthRad2025CtRange);

}  // namespace ganbench
