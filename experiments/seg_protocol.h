// The segmentation half of the benchmark (Skandarani et al. 2023): does a GAN's output help a U-Net
// segment real images? U-Nets trained on real only (baseline, once per modality and seed), synthetic
// only (N = real training count) and real + r*N synthetic, all scored on the same held-out real test split.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <functional>

#include "architectures/gan_model.h"
#include "datasets/dataset.h"
#include "experiments/config.h"
#include "metrics/cell_scorer.h"
#include "segmentation/unet.h"

namespace ganbench {

constexpr uint64_t kUNetSeedSalt = 0x5E9;  // every U-Net of a modality and seed starts from the same weights

struct SegScore {
  double dice = 0;                 // mean foreground Dice on the real test split
  double hd95 = 0;                 // mean foreground HD95 over the finite values: px, or mm with a known spacing
  double hd95_inf_fraction = 0;    // share of defined HD95 values that are inf (exactly one mask empty)
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

// Dice, HD95 and per-label Dice of predicted label maps `pred` against `test`'s labels (train_images 0).
SegScore score_segmentation(const torch::Tensor& pred, const ImageSet& test, const ModalitySpec& spec);
// One arm's stored metrics: Dice, HD95 (mm when `in_mm`), its inf share, training images, per-label Dice, and
// (every arm but "real") the Dice difference from `baseline`.
std::vector<MetricValue> seg_arm_metrics(const std::string& arm, const SegScore& s, const SegScore& baseline,
                                         const ModalitySpec& spec, bool in_mm);

// real + round(ratio * n) synthetic images (the first ones of `synthetic`), as one set.
ImageSet mix_sets(const ImageSet& real, const ImageSet& synthetic, int64_t n_synthetic);

// Everything one GAN cell's protocol run needs.
struct SegProtocolInputs {
  const Splits& data;  // the modality's real splits; the test split is never trained on
  ModalitySpec spec;   // at the sweep's image size
  const SegmentationConfig& cfg;
  const SegScore& baseline;  // the real-only arm, trained once per modality and seed
  UNet baseline_net;         // its U-Net: the encoder is the fd_unet feature space
  uint64_t seed = 0;         // the cell's seed
  c10::Device device = c10::kCPU;
};

// The protocol's arms for one GAN: synthetic only (N = the real training count) and real + r*N synthetic
// for every ratio, each trained with the baseline's recipe and scored on the real test split, with its
// delta against the baseline; and fd_unet (and its real floor) on `scored_images`, the images the other
// distances scored. `sample(n, seed)` draws n generated image + label pairs.
std::vector<MetricValue> run_seg_protocol(const SegProtocolInputs& in,
                                          const std::function<Sample(int64_t n, uint64_t seed)>& sample,
                                          const torch::Tensor& scored_images);

}  // namespace ganbench
