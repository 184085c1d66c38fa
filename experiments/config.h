// Sweep configuration: typed defaults in C++, YAML holds only what differs. Unknown keys, wrong types
// and out-of-range values are errors naming the file, the key and the reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "architectures/registry.h"
#include "datasets/data_source.h"

namespace ganbench {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TrainConfig {
  static constexpr double kInstanceNoise = -1;  // train.instance_noise: -1 = each architecture's own default
  TrainConfig() { augment.instance_noise = kInstanceNoise; }
  int64_t steps = 300;             // generator updates per cell
  int64_t batch_size = 32;         // real images per step
  int64_t checkpoint_every = 100;  // steps between checkpoints; 0 = only at the end
  int64_t log_every = 25;          // steps between log lines and stored loss values
  std::string precision = "fp32";  // fp32 | bf16: autocast for the training steps (scoring stays float32)
  static constexpr double kArchDefault = -1;  // sentinel: the architecture's own default
  // |loss or statistic| above this fails the cell (an exploding D); 0 = off; -1 = the architecture's
  // Capabilities::divergence_threshold.
  double divergence_threshold = kArchDefault;
  AugmentConfig augment;           // D-input transforms: YAML train.instance_noise and train.augment.*
  // Transfer learning, a sweep axis: each entry is kScratch or where a cell's starting weights come from (a run
  // folder, a cell folder or a checkpoint file; experiments/transfer.h). Empty = from scratch only.
  static constexpr const char* kScratch = "scratch";
  std::vector<std::string> init_from;
  // Written by ganbench into each fine-tuned cell's config (and so its hash): the source cell's id, config hash
  // and checkpoint SHA-256. Empty for a cell from scratch.
  std::string init_source;
  int64_t freeze_d = 0;  // FreezeD: D's first layers (from its input) kept fixed while training; 0 = none
};

// The U-Net augmentation protocol (real / synthetic / real + synthetic), run after each GAN cell.
struct SegmentationConfig {
  bool enabled = false;                          // off: GAN metrics only
  std::vector<double> ratios = {0.5, 1.0, 2.0};  // synthetic-to-real ratios of the mixed arms
  int64_t steps = 600;                           // U-Net optimiser steps (upper bound; early stopping)
  int64_t batch_size = 16;                       // images per U-Net step
  double lr = 2e-3;                              // Adam learning rate
  int64_t eval_every = 50;                       // steps between validation Dice checks
  int64_t patience = 4;                          // checks without improvement before stopping; 0 = never
  int64_t depth = 3;                             // U-Net pooling levels
  int64_t base_channels = 16;                    // U-Net channels at full resolution
  std::string norm = "batch";                    // batch | instance
};

struct EvalConfig {
  int64_t samples = 256;                                  // generated images scored per cell
  std::vector<std::string> extractors = {"handcrafted"};  // feature spaces for fd_* and kid_*
  int64_t kid_subsets = 20;                               // KID subsets
  int64_t kid_subset_size = 100;                          // KID max subset size
  int64_t grid = 16;                                      // samples kept for the report's grid
  std::string inception_weights;  // FID Inception safetensors; empty = $GANBENCH_FID_WEIGHTS
  int64_t inception_dims = 2048;  // FID feature tap: 64, 192, 768 or 2048
  std::string feature_cache =
      "auto";  // real-data feature cache folder; auto = $XDG_CACHE_HOME/ganbench, "" = off
};

// Where `ganbench submit` sends the sweep: one Slurm job array, a task per cell, then a merge job. None of it
// changes what a cell computes, so it is left out of cell hashes.
struct ClusterConfig {
  std::string partition, account, qos;  // sbatch --partition/--account/--qos; "" = the cluster's default
  std::string time;                     // sbatch --time per task, e.g. "04:00:00" or "1-00:00:00"; "" = default
  std::string mem;                      // sbatch --mem per task, e.g. "16G"; "" = default
  int64_t cpus_per_task = 0;            // sbatch --cpus-per-task; 0 = the cluster's default
  std::string gres;                     // sbatch --gres, e.g. "gpu:1"; "" = none
  int64_t array_throttle = 0;           // at most this many tasks at once (--array=...%N); 0 = no limit
  std::vector<std::string> sbatch;      // more sbatch options, one #SBATCH line each, e.g. "--constraint=a100"
  std::vector<std::string> setup;       // shell lines run before ganbench on the node (module load, ...)
  std::string ganbench;                 // ganbench on the nodes; "" = the absolute path of the submitting one
};

// Image-to-image translation (task: translation): one direction per from[i] -> to[i] pair, a sweep axis in
// place of the modalities. from "degraded" is super-resolution: the target's own images degraded.
struct DegradeConfig {
  int64_t factor = 4;       // downsampling factor per axis
  double blur_sigma = 1.0;  // Gaussian blur before downsampling, std in full-resolution px; 0 = none
  double noise = 0.0;       // std of Gaussian noise on the low-resolution image, intensity units in [0, 1]
};
struct TranslationConfig {
  static constexpr const char* kDegraded = "degraded";  // translation.from for super-resolution
  std::vector<std::string> from, to;  // equal lengths: direction i maps from[i] to to[i]
  DegradeConfig degrade;
};

struct SweepConfig {
  std::string name = "sweep";              // run folder name: <output>/<name>
  std::filesystem::path output = "runs";   // parent of run folders (relative to the working directory)
  std::vector<std::string> architectures;  // registry names
  std::string task = "synthesis";          // synthesis | translation
  // Registry names. A translation sweep fills them in from translation.from/to (the data it loads).
  std::vector<std::string> modalities;
  TranslationConfig translation;           // task: translation only
  std::vector<uint64_t> seeds = {0};       // one cell per seed
  int64_t image_size = 32;                 // square side, px (power of two)
  std::string threads = "auto";            // "auto" = all cores, or a count
  int64_t parallel_cells = 1;              // cells at once in a local run (child processes); 1 = in process
  std::string device = "auto";             // auto | cpu | cuda
  TrainConfig train;
  DataConfig data;
  EvalConfig eval;
  SegmentationConfig segmentation;
  std::map<std::string, ArchOptions> arch;  // per-architecture option overrides
  ClusterConfig cluster;                    // Slurm submission (ganbench submit)
  std::string source;                       // where this came from, for messages

  // Every key's type and range (from the key table), then the cross-field rules; throws ConfigError naming
  // `source` and the key.
  void validate() const;
  std::filesystem::path run_dir() const { return output / name; }
};

// The modalities a translation sweep loads: every from and to in order of appearance, without "degraded".
std::vector<std::string> translation_modalities(const TranslationConfig& t);

SweepConfig parse_sweep_config(const std::string& yaml_text, const std::string& source_name);
SweepConfig load_sweep_config(const std::filesystem::path& path);
// The fully resolved config as YAML (every key, defaults included); parse_sweep_config round-trips it.
// Cell config hashes are taken of this text, so its form is part of --resume's contract.
std::string to_yaml(const SweepConfig& cfg);

// One YAML key of the sweep config. A single table drives parsing, range checks, emission and
// `ganbench check-config --help-keys`; adding a key is one line there.
struct ConfigKey {
  std::string key;    // dotted path, e.g. "train.steps"
  std::string type;   // integer, number, string, true/false, list of ..., or mapping
  std::string range;  // e.g. "[1, 1e8]", "auto | cpu | cuda"; "" when any value of the type is valid
  std::string help;   // one line, with the unit
};
std::vector<ConfigKey> config_keys();
// `key`'s value in `cfg` as YAML text (flow style for lists and mappings); throws std::invalid_argument for
// an unknown key.
std::string config_value(const SweepConfig& cfg, const std::string& key);

}  // namespace ganbench
