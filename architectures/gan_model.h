// The interface every GAN in ganbench implements; the trainer and cell runner only see this.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "datasets/dataset.h"

namespace ganbench {

// What an architecture needs or offers; shared code asks these instead of branching on names.
struct Capabilities {
  bool needs_gradient_penalty = false;  // the D loss includes a gradient penalty (double backprop)
  bool multi_scale = false;             // generates patch-wise across resolution levels
  bool style_mapping = false;           // has a style mapping network (truncation, mixing)
  bool ema_generator = false;           // samples from an EMA copy of G
  bool joint_labels = true;             // generates label channels with the image
  // Makes the image from a real training label map (SPADE) instead of generating the map: its synthetic pairs
  // reuse real anatomy, which reports and the segmentation protocol must say.
  bool label_conditioned = false;
  bool volumetric = false;              // generates volumes [C, S, S, S] (data.dims: 3), not images
  // Image-to-image translation instead of synthesis: "paired" trains on (source, target) pairs of the same
  // subjects (pix2pix), "unpaired" on source and target images of different subjects (CycleGAN); "" =
  // synthesis. A translation model translates (GanModel::translate) and does not sample.
  std::string translation;
  bool baseline = false;  // a fixed transform with nothing to learn (the identity / bicubic row)
  bool freeze_d = false;  // one discriminator whose first layers train.freeze_d can freeze (FreezeD)
  int critic_steps = 1;                 // D updates per G update
  // Loss family: non_saturating | least_squares | hinge | wasserstein (shared bodies pick their loss by it).
  std::string loss = "non_saturating";
  // What keeps D in check beyond its loss: "" none, gradient_penalty (WGAN-GP), weight_clip (WGAN), r1.
  std::string regulariser;
  // Default std of instance noise on D inputs (train.instance_noise: -1). On where joint synthesis was
  // measured to need it: with exact 0/1 label maps DCGAN's D wins at once and G collapses (README).
  double instance_noise = 0.0;
  // Default |loss or statistic| past which training has diverged (train.divergence_threshold: -1). A logistic
  // loss of 100 means D is certain to e^-100 (saturated, no gradient left for G); healthy runs stay below 10.
  double divergence_threshold = 100;
};

// Statistics of one training step, in the order they were added. A value added as a tensor is copied to the
// host at once, unless a DeferStepStats lives on this thread (the trainer's lazy_stats): then it stays on the
// model's device until fetch_stats copies it, so a step on a GPU needs no host synchronisation, and its slot
// in `values` holds NaN until then.
struct StepStats {
  StepStats() = default;
  StepStats(std::vector<std::pair<std::string, double>> v) : values(std::move(v)) {}  // NOLINT: {{...}} init
  std::vector<std::pair<std::string, double>> values;  // e.g. {"loss_d", 1.2}, {"loss_g", 0.8}
  void add(const std::string& name, double value) { values.emplace_back(name, value); }
  void add(const std::string& name, const torch::Tensor& value);  // a one-element tensor, any device
  bool fetched() const { return pending_.empty(); }
  void fetch();  // fetch_stats({this})

 private:
  friend void fetch_stats(const std::vector<StepStats*>& steps);
  std::vector<torch::Tensor> pending_;  // float64 scalars, not yet copied
  std::vector<size_t> slots_;           // their places in `values`
};

// Every pending value of `steps` in one device-to-host transfer per device.
void fetch_stats(const std::vector<StepStats*>& steps);

// While one lives, StepStats::add(tensor) on this thread defers the copy to fetch_stats.
class DeferStepStats {
 public:
  DeferStepStats();
  ~DeferStepStats();
  DeferStepStats(const DeferStepStats&) = delete;
  DeferStepStats& operator=(const DeferStepStats&) = delete;

 private:
  bool previous_;
};

struct Sample {  // volumetric architectures: one more spatial axis everywhere ([N, C, D, H, W], ...)
  torch::Tensor images;       // [N, C, H, W] float32 in [0, 1], on CPU
  torch::Tensor labels;       // [N, H, W] int64, argmax of the label channels, on CPU
  torch::Tensor label_probs;  // [N, K, H, W] float32 per-label probabilities, on CPU
};

class GanModel {
 public:
  virtual ~GanModel() = default;
  // One full update (critic_steps D updates and one G update) on a real batch of critic_steps x batch_size
  // images; each critic update takes its own slice.
  virtual StepStats train_step(const Batch& real) = 0;
  // Deterministic for a given seed and weights; does not change training state.
  virtual Sample sample(int64_t n, uint64_t seed) = 0;
  // One sample, seeded as sample(1, seed), written atomically as `<stem>_images.npy` ([1, C, ...] float32 in
  // [0, 1]) and `<stem>_labels.npy` ([1, ...] uint8). The default calls sample(); multiscale3d streams a volume
  // level by level through files beside `stem`, so its memory does not grow with the output size.
  virtual void sample_to_files(uint64_t seed, const std::filesystem::path& stem);
  // Weights, optimiser and RNG state, so training resumes exactly. Callers make writes atomic.
  virtual void save(const std::filesystem::path& path) const = 0;
  virtual void load(const std::filesystem::path& path) = 0;
  // D's own loss (the adversarial terms, without penalties) on `real` and on fakes from latents seeded by
  // `seed`, with no augmentation, changing nothing: no updates, no RNG draws, buffers restored. Lets tests
  // and diagnostics compare D before and after a step on the same inputs. NaN when not provided.
  virtual double discriminator_loss(const Batch& real, uint64_t seed) {
    (void)real;
    (void)seed;
    return std::numeric_limits<double>::quiet_NaN();
  }
  // Translation models: the target-modality image of each source image ([N, C_source, H, W] in [0, 1], any
  // device) as [N, C_target, H, W] float32 in [0, 1] on the CPU, deterministic, changing no training state.
  // Synthesis models throw std::logic_error.
  virtual torch::Tensor translate(const torch::Tensor& source);
  // Transfer learning (train.init_from): every network's weights and buffers from another model's checkpoint;
  // optimisers, RNG and schedule counters start fresh (as stylegan2-ada's --resume copies G, D and G_ema).
  // Throws std::runtime_error naming the checkpoint and the first key that is missing or differs in shape.
  virtual void init_weights_from(const std::filesystem::path& checkpoint);
  // FreezeD (Mo et al. 2020): D's first `k` layers from its input stop training (a layer is a convolution or
  // linear map with the normalisation after it, counted as stylegan2-ada's freeze_layers counts them). Returns
  // the number of layers D has; throws std::invalid_argument when k exceeds it or the model has no single
  // layered discriminator (Capabilities::freeze_d).
  virtual int64_t freeze_discriminator_layers(int64_t k);
  virtual Capabilities capabilities() const = 0;
  virtual int64_t parameter_count() const = 0;
};

}  // namespace ganbench
