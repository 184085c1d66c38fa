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
  NpyArray images;  // [N, C, H, W] float32 in [0, 1], C = 1 or 3; or volumes [N, C, S, S, S]
  NpyArray labels;  // [N, H, W] uint8; or [N, S, S, S]
};

// Volumes [N, C, S, S, S] and labels [N, S, S, S] -> their three orthogonal mid-slices, volume by volume:
// axial (z = S/2), coronal (y = S/2), sagittal (x = S/2), as images [3N, C, S, S] and labels [3N, S, S].
GridRow volume_mid_slices(const GridRow& volumes);

// Each GridRow gives two pixel rows: the images, then the images with labels overlaid (volumes: their
// mid-slices, three tiles each). `scale` enlarges each pixel (nearest) so small images stay visible. Returns
// PNG bytes.
std::string render_sample_grid(const std::vector<GridRow>& rows, int scale = 3);

// Image `index` of [N, C, H, W] float32 images in [0, 1] as a PNG at its native size (grey when C = 1).
std::string encode_image_png(const NpyArray& images, int64_t index);

// Standard base64 (RFC 4648, padded), for images inlined as data: URIs.
std::string base64_encode(const std::string& bytes);

// Overlay colours (BGR) per label index, background transparent.
std::vector<std::array<uint8_t, 3>> label_palette();

}  // namespace ganbench
