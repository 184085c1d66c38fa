// Multi-scale patch GAN: Uzunova et al. 2019, "Multi-scale GANs for Memory-efficient Generation of High
// Resolution Medical Images" (MICCAI); reference code hristina-uzunova/MEGAN. Level 0 is an unconditional
// DCGAN-shaped GAN for the whole image at low resolution; each level l >= 1 doubles the resolution with a
// conditional patch generator that sees the upsampled patch of level l - 1 (image and label channels) and a
// noise channel, trained pix2pix-style on random patches with an LSGAN loss plus lambda * L1. Sampling
// assembles each level tile by tile with overlapping, linearly blended tiles, so peak memory depends on the
// patch size, not on the output size. multiscale3d is the same scheme on volumes (the paper's 3-D CT
// experiments): 3-D convolutions, cubic patches and tiles blended along all three axes.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "architectures/registry.h"

namespace ganbench {

// Conditional patch generator: cond [B, J, P, P] (joint space, J = C + K) + noise [B, 1, P, P] ->
// raw [B, J, P, P] (with dims 3, P^3 patches). A two-scale conv net with a skip, predicting a residual on top
// of the condition (the condition mapped back through tanh / softmax), so an untrained level starts as plain
// upsampling.
struct PatchGeneratorImpl : torch::nn::Module {
  PatchGeneratorImpl(int64_t image_channels, int64_t joint_channels, int64_t channels, int64_t dims = 2);
  torch::Tensor forward(const torch::Tensor& cond, const torch::Tensor& noise);
  int64_t image_channels, joint_channels, dims;
  // Conv2d or Conv3d by `dims`; checkpoint keys input_conv, down, res1a, ..., out.
  torch::nn::AnyModule in, down, res1a, res1b, res2a, res2b, up, merge, out;
};
TORCH_MODULE(PatchGenerator);

// PatchGAN critic on (cond, x) pairs [B, 2J, P, P] -> [B, 1, P/4 - 1, P/4 - 1] LSGAN scores (or P^3).
struct PatchDiscriminatorImpl : torch::nn::Module {
  PatchDiscriminatorImpl(int64_t joint_channels, int64_t channels, int64_t dims = 2);
  torch::Tensor forward(const torch::Tensor& cond, const torch::Tensor& x);
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(PatchDiscriminator);

// Tile origins along a side of n px for tiles of p px overlapping by at least `overlap` px; the last tile
// ends at n. Origins are even (so they map onto the half-resolution level).
std::vector<int64_t> tile_origins(int64_t n, int64_t p, int64_t overlap);
// [p] blending profile: linear ramps over `overlap` px at both ends, 1 inside, > 0 everywhere.
torch::Tensor blend_ramp(int64_t p, int64_t overlap);
// [p, p] blending weights: the outer product of two ramps.
torch::Tensor blend_window(int64_t p, int64_t overlap);
// Area-downsamples a joint-space batch (images or volumes) to `size`: image channels averaged, labels
// re-hardened to the one-hot of the majority label.
torch::Tensor downsample_joint(const torch::Tensor& x, int64_t image_channels, int64_t size);
// Bilinear (volumes: trilinear) x2 upsampling of a joint-space batch (labels hardened first): the condition of
// the next level.
torch::Tensor upsample_condition(const torch::Tensor& x, int64_t image_channels);
// Level l >= 1 of one image from its level l - 1 output prev [1, J, h, h] (joint space) at side 2h, tile by
// tile: `tile_batch` tiles per forward pass; tile noise seeded from (seed, tile). Returns [1, J, 2h, 2h],
// written into `out` when it is given (with that shape). A volume prev [1, J, h, h, h] is refined the same way
// with cubic tiles blended along all three axes.
torch::Tensor refine_level(PatchGenerator& g, const torch::Tensor& prev, int64_t image_channels,
                           int64_t patch, int64_t overlap, int64_t tile_batch, uint64_t seed,
                           torch::Tensor out = {});

class VolumeFile;
// refine_level for a volume level kept in files: reads the level below from `prev` box by box and accumulates
// each blended tile into `out` (side 2h), already normalised, so memory is that of one tile batch.
void refine_level_file(PatchGenerator& g, const VolumeFile& prev, int64_t image_channels, int64_t patch,
                       int64_t overlap, int64_t tile_batch, uint64_t seed, torch::Device device, VolumeFile& out);

ArchEntry multiscale_entry();
ArchEntry multiscale3d_entry();

// Training builds each level's patch and condition from the stored batch, so a step's memory follows the patch,
// not the volume. With `on`, models created afterwards build the whole batch's joint at full resolution first
// and cut the patches from it, as before: the same numbers at more memory, kept for the equivalence test and
// the memory benchmark. Not a config key: it changes no result.
void multiscale_whole_volume_step(bool on);

}  // namespace ganbench
