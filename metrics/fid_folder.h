// FID statistics of an image folder, as `python -m pytorch_fid` computes them: the files with
// pytorch-fid's extensions (lower case, sorted), each converted to RGB in [0, 1], streamed in batches.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "metrics/feature_extractor.h"
#include "metrics/feature_stats.h"

namespace ganbench {

// bmp, jpg, jpeg, pgm, png, ppm, tif, tiff, webp; throws naming the folder when it is missing or empty.
std::vector<std::filesystem::path> list_fid_images(const std::filesystem::path& dir);

// Reads one image as float32 [3, H, W] RGB in [0, 1] (grey repeated, alpha dropped); throws naming the file.
torch::Tensor read_rgb_image(const std::filesystem::path& path);

struct FolderStatsOptions {
  int64_t batch_size = 50;
  std::filesystem::path cache_dir;  // empty = no cache; else stats cached by content hash
  bool progress = true;             // images/s on stderr
};

// Mean and covariance of `ex`'s features over the folder. Memory does not grow with the image count.
// Throws for fewer than 2 images or an unreadable image.
FeatureStats folder_stats(const std::filesystem::path& dir, FeatureExtractor& ex,
                          const FolderStatsOptions& opts);

}  // namespace ganbench
