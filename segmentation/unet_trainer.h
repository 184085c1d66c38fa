// Training a U-Net on image + label sets: Dice + cross-entropy loss, Adam, early stopping on the
// validation split's mean foreground Dice, seeded.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "datasets/dataset.h"
#include "segmentation/unet.h"

namespace ganbench {

struct UNetTrainOptions {
  int64_t steps = 2000;      // upper bound on optimiser steps
  int64_t batch_size = 16;   // images per step, drawn with replacement
  double lr = 1e-3;          // Adam learning rate (betas 0.9, 0.999)
  int64_t eval_every = 100;  // steps between validation Dice evaluations
  int64_t patience = 5;      // evaluations without improvement before stopping; 0 = never stop early
  uint64_t seed = 0;         // weights and batch order
  c10::Device device = c10::kCPU;
};

struct UNetTrainResult {
  int64_t steps_run = 0;
  int64_t best_step = 0;       // the weights kept are from this step
  double best_val_dice = 0.0;  // mean foreground Dice on the validation split at best_step (NaN without one)
  std::vector<std::pair<int64_t, double>> val_curve;  // (step, validation Dice)
};

// Trains `net` in place and leaves it in eval mode with the best validation weights.
UNetTrainResult train_unet(UNet& net, const ImageSet& train, const ImageSet& val,
                           const UNetTrainOptions& opts);

// Argmax label maps [N, H, W] int64 (CPU) for images [N, C, H, W] in [0, 1], in batches, eval mode.
torch::Tensor predict_labels(UNet& net, const torch::Tensor& images, c10::Device device = c10::kCPU,
                             int64_t batch = 64);

// Soft Dice loss over the foreground classes (batch-level) plus cross-entropy; logits [N, K, H, W].
torch::Tensor dice_ce_loss(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace ganbench
