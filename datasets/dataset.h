// In-memory image sets with label maps, subject-level splits and batch sampling.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "datasets/modality.h"

namespace ganbench {

struct ImageSet {
  torch::Tensor images;               // [N, C, H, W] float32 in [0, 1]; volumes [N, C, D, H, W]
  torch::Tensor labels;               // [N, H, W] uint8 in [0, num_labels); volumes [N, D, H, W]
  std::vector<std::string> subjects;  // subject of each image; splits never cut a subject
  double spacing_mm = 0;              // isotropic pixel (voxel) side in mm; 0 = unknown (distances in pixels)
  // Translation only: source-modality images [M, C_source, H, W] in [0, 1]. Paired (source_paired), row i is
  // the source of images[i] (M = N); unpaired, a separate set of other subjects, drawn independently.
  torch::Tensor source;
  bool source_paired = true;
  int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

struct SplitFractions {
  double val = 0.1;   // fraction of subjects held for validation
  double test = 0.2;  // fraction of subjects held out for testing; never trained on
};

struct Splits {
  ImageSet train, val, test;
};

// Checks shapes, dtypes and ranges against `spec`; throws with `what` in the message.
void check_image_set(const ImageSet& set, const ModalitySpec& spec, const std::string& what);

// Splits by subject, seeded: every image of one subject lands in the same split.
Splits split_by_subject(const ImageSet& all, uint64_t seed, const SplitFractions& fractions);

// `count` phantom subjects (one slice, or with dims 3 one size^3 volume, each) at `size` px, subject i
// drawn from mix_seed(seed, i).
ImageSet make_phantom_set(const ModalityEntry& modality, int size, int64_t count, uint64_t seed,
                          const IntensityOptions& intensity = {}, int dims = 2);

struct Batch {
  torch::Tensor images;  // [B, C, H, W] in [0, 1]
  torch::Tensor labels;  // [B, H, W] int64 (sample_batch widens the set's uint8)
  torch::Tensor source;  // translation only: the source-modality images [B, C_source, H, W] in [0, 1]
};

// Draws `n` images uniformly with replacement using `gen` (a CPU generator). Every training batch of the
// GAN trainer and the U-Net trainer is drawn here. A set with source images gives the batch their rows too:
// the same rows when paired, an independent draw of n after the images' when unpaired.
Batch sample_batch(const ImageSet& set, int64_t n, at::Generator& gen);

// Sees every batch sample_batch draws (the leak test hashes them against the test split); one at a time,
// null = none. Not for production use: it costs a call per batch.
using BatchObserver = std::function<void(const Batch&)>;
void set_batch_observer(BatchObserver observer);

// Label maps as an ImageSet stores them: any integer type in [0, 255] -> uint8, an eighth of int64's memory.
// Throws std::invalid_argument for values outside [0, 255] or a floating type.
torch::Tensor stored_labels(const torch::Tensor& labels);

// [N, H, W] integer labels -> [N, K, H, W] float32 one-hot ([N, D, H, W] -> [N, K, D, H, W] for volumes).
torch::Tensor one_hot_labels(const torch::Tensor& labels, int64_t num_labels);

}  // namespace ganbench
