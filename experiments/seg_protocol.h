// The segmentation half of the benchmark (Skandarani et al. 2023): does a GAN's output help a U-Net
// segment real images? U-Nets trained on real only (baseline, once per modality and seed), synthetic
// only (N = real training count) and real + r*N synthetic, all scored on the same held-out real test split.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "experiments/config.h"
#include "segmentation/unet.h"

namespace ganbench {

struct SegScore {
  double dice = 0;                 // mean foreground Dice on the real test split
  double hd95 = 0;                 // mean foreground HD95 (px) where defined
  std::vector<double> dice_class;  // per label, [0] (background) NaN
  int64_t train_images = 0;        // images the U-Net trained on
};

// Throws std::logic_error if any test subject is among `train`'s subjects: nothing trained on may be tested
// on.
void check_disjoint(const ImageSet& train, const ImageSet& test);

// Trains a U-Net on `train` (early stopping on `val`) and scores it on `test`.
SegScore train_and_score(const ImageSet& train, const ImageSet& val, const ImageSet& test,
                         const ModalitySpec& spec, const SegmentationConfig& cfg, uint64_t seed,
                         c10::Device device, UNet* trained = nullptr);  // `trained` receives the U-Net

// real + round(ratio * n) synthetic images (the first ones of `synthetic`), as one set.
ImageSet mix_sets(const ImageSet& real, const ImageSet& synthetic, int64_t n_synthetic);

// Metric name of an arm: "real", "synth", "mix_r0.5", ...
std::string mix_arm(double ratio);

}  // namespace ganbench
