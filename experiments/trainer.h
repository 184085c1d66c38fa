// The training loop shared by every architecture: batches, NaN guard, progress, atomic checkpoints, resume.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "architectures/augment.h"
#include "architectures/gan_model.h"
#include "common/runtime.h"
#include "datasets/dataset.h"

namespace ganbench {

// A loss or statistic became NaN or infinite, or exceeded TrainerOptions::divergence_threshold.
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// SIGINT or SIGTERM arrived (common/process.h): the trainer finished its step and wrote a checkpoint.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int signal, const std::string& what) : std::runtime_error(what), signal(signal) {}
  int signal;
};

struct TrainerOptions {
  int64_t steps = 0;  // total G updates
  int64_t batch_size = 32;
  int64_t checkpoint_every = 0;          // steps between checkpoints; 0 = only at the end
  int64_t log_every = 25;                // steps between on_log calls and plain log lines
  uint64_t seed = 0;                     // batch order: step s draws with mix_seed(seed, s)
  double divergence_threshold = 0;       // |any logged loss or statistic| above this = diverged; 0 = off
  std::filesystem::path checkpoint_dir;  // step_XXXXXXXX.pt files; the newest is kept
  std::string label;                     // progress prefix
  bool progress = true;
  // Copy step statistics to the host only at log and checkpoint steps (and every step under ADA), not after
  // every step: on a GPU each copy waits for the step to finish. Divergence is still checked for every step,
  // in order, when they arrive, and no checkpoint is written before that check. The runner sets it on CUDA.
  bool lazy_stats = false;
  // Autocast for each train_step on `device` (train.precision); fp32 = none.
  Precision precision = Precision::fp32;
  c10::Device device = c10::kCPU;
  // The model's D-input augmentation; under ADA the trainer feeds it each step's "d_real_sign" stat and
  // logs its probability as "augment_p".
  std::shared_ptr<DInputAugment> augment;
};

struct TrainResult {
  int64_t start_step = 0;  // > 0 when resumed from a checkpoint
  int64_t end_step = 0;
  double seconds = 0;  // wall time of this attempt's loop
  double steps_per_second = 0;
};

// Newest checkpoint in `dir` and its step, if any.
std::optional<std::pair<int64_t, std::filesystem::path>> latest_checkpoint(const std::filesystem::path& dir);
std::filesystem::path checkpoint_path(const std::filesystem::path& dir, int64_t step);

struct TrainerHooks {
  std::function<void(int64_t step, const StepStats&)> on_log;  // every log_every steps and the last
  // Before each checkpoint is written: store what must survive with it (the losses logged so far). Stored
  // first, so a crash between the two leaves the store ahead of the checkpoint, and the resume recomputes
  // and rewrites the same values; the other order would lose the losses logged since the last checkpoint.
  std::function<void(int64_t step)> before_checkpoint;
};

// Trains `model` to opts.steps, resuming from the newest checkpoint in opts.checkpoint_dir when there is one.
// Throws TrainingDiverged (naming the step, the value and the last checkpoint) when a loss is NaN or
// infinite or exceeds the divergence threshold (an exploding discriminator), and Interrupted after
// checkpointing the current step when a stop signal arrived.
TrainResult train_gan(GanModel& model, const ImageSet& train, const TrainerOptions& opts,
                      const TrainerHooks& hooks = {});

}  // namespace ganbench
