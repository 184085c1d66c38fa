// Sample sheets: images in rows with their label maps overlaid in colour.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/npy.h"

namespace ganbench {

struct GridRow {
  NpyArray images;  // [N, C, H, W] float32 in [0, 1], C = 1 or 3
  NpyArray labels;  // [N, H, W] uint8
};

// Each GridRow gives two pixel rows: the images, then the images with labels overlaid. `scale`
// enlarges each pixel (nearest) so small images stay visible. Returns PNG bytes.
std::string render_sample_grid(const std::vector<GridRow>& rows, int scale = 3);

// Overlay colours (BGR) per label index, background transparent.
std::vector<std::array<uint8_t, 3>> label_palette();

}  // namespace ganbench
