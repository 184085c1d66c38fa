// Sweep expansion (architecture x modality x seed) and the sweep runner.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/config.h"

namespace ganbench {

struct Cell {
  std::string id;  // "<architecture>-<modality>-s<seed>"
  std::string architecture;
  std::string modality;
  uint64_t seed = 0;
};

// --only arch=a,b,modality=m,seed=0: keys may repeat; an empty list admits everything.
struct CellFilter {
  std::vector<std::string> architectures, modalities;
  std::vector<uint64_t> seeds;
  bool admits(const Cell& c) const;
};
// Parses "arch=dcgan,modality=cardiac,seed=1"; throws std::invalid_argument on an unknown key.
CellFilter parse_cell_filter(const std::string& spec);

std::vector<Cell> expand_cells(const SweepConfig& cfg);

// The resolved config of one cell (its lists narrowed to the cell), and its hash, which ignores the output
// folder, threads and device so a moved or re-hosted run still matches.
std::string cell_config_yaml(const SweepConfig& cfg, const Cell& cell);
std::string cell_config_hash(const SweepConfig& cfg, const Cell& cell);

struct RunOptions {
  bool resume = false;  // skip finished cells and continue unfinished ones from their checkpoints
  CellFilter only;
  bool progress = true;
};

struct SweepSummary {
  int done = 0, skipped = 0, failed = 0;
};

// Runs every admitted cell; a failed cell is recorded and the sweep goes on. Throws ConfigError-like
// std::runtime_error before any work when the run folder already holds results and resume is off.
SweepSummary run_sweep(const SweepConfig& cfg, const RunOptions& opts);

}  // namespace ganbench
