// The data of one translation direction: source and target images of the same subjects, split by subject as
// the synthesis sweep splits them, under the paired or the unpaired protocol; and the degraded images that
// are super-resolution's source.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <memory>

#include "architectures/augment.h"
#include "architectures/gan_model.h"
#include "datasets/dataset.h"
#include "experiments/config.h"

namespace ganbench {

struct TranslationSplits {
  // Target images and labels with their `source` rows. Paired: the training subjects' true pairs. Unpaired:
  // the targets of one half of the training subjects, the sources of the other half (never a pair).
  ImageSet train;
  ImageSet val, test;              // target images with their true source (paired by row), for scoring
  ImageSet source_train;           // the source modality's training images and labels (the paired rows)
  ImageSet source_val;             // ... and its validation images
  std::vector<std::string> source_subjects;  // the subjects whose source images `train` holds
  std::string protocol;            // paired | unpaired
};

// Source and target splits of one direction. `source` and `target` are the two modalities' splits (the same
// subjects in the same splits, with the same number of images per subject: a paired data set); rows are
// matched by subject and position. Unpaired: the training subjects are shuffled by `seed` and halved; the
// first half gives the source images, the second the targets. Throws std::invalid_argument naming the first
// subject that breaks the pairing.
TranslationSplits translation_splits(const Splits& source, const Splits& target, const std::string& protocol,
                                     uint64_t seed);

// Super-resolution's source: each image blurred (Gaussian, `blur_sigma` full-resolution px), averaged down
// by `factor`, given Gaussian noise (std `noise`, drawn from `seed`), clipped to [0, 1], and upsampled back
// bicubically to its size (clipped again), so a network and the bicubic baseline see the same input.
torch::Tensor degrade_images(const torch::Tensor& images, const DegradeConfig& d, uint64_t seed);
// The splits of a degraded -> target direction: every split's source is its own targets degraded.
Splits degraded_splits(const Splits& target, const DegradeConfig& d, uint64_t seed);

// The translator `arch` of a cell's direction (cfg narrowed to the cell: translation.from/to hold one entry):
// the target modality at cfg.image_size, the source's channels, the cell's arch options, seeded by `seed`.
// `augment` may be null (no D-input transforms, as for translating with a trained model).
std::unique_ptr<GanModel> create_translator(const SweepConfig& cfg, const std::string& arch, c10::Device device,
                                            uint64_t seed, std::shared_ptr<DInputAugment> augment = nullptr);
// model.translate over `source` ([N, C, H, W]) in batches of 64, concatenated on the CPU: every translated
// set of a cell and of `ganbench translate` goes through here.
torch::Tensor translate_in_batches(GanModel& model, const torch::Tensor& source);
// Source channels of a direction: the source modality's, or the target's for super-resolution.
int source_channels(const std::string& from, const std::string& to);

}  // namespace ganbench
