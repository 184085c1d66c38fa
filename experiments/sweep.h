// Sweep expansion (architecture x modality x seed) and the sweep runner.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/cell.h"
#include "experiments/config.h"

namespace ganbench {

struct RunOptions {
  bool resume = false;  // skip finished cells and continue unfinished ones from their checkpoints
  CellFilter only;
  bool progress = true;
  std::filesystem::path run_dir;  // "" = the config's <output>/<name>; a Slurm task's shard folder otherwise
};

struct SweepSummary {
  int done = 0, skipped = 0, failed = 0;
  int interrupted = 0;  // the stop signal (SIGINT, SIGTERM) that ended the sweep early; 0 = none
};

// Runs every admitted cell; a failed cell is recorded and the sweep goes on. Throws ConfigError-like
// std::runtime_error before any work when the run folder already holds results and resume is off.
SweepSummary run_sweep(const SweepConfig& cfg, const RunOptions& opts);

}  // namespace ganbench
