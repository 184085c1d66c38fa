// The local parallel executor (`parallel_cells: N`): a sweep's pending cells run as N child processes at a
// time, each `ganbench run CONFIG --cell ID` into its own shard folder exactly as a Slurm array task, then
// the shards are merged into the run folder. On a 2-core machine two one-thread cells finish a DCGAN sweep
// 1.7x sooner than one two-thread cell (README, Benchmarks): a training step does not use two cores well.
#pragma once

#include <string>

#include "experiments/cell.h"
#include "experiments/config.h"
#include "experiments/sweep.h"

namespace ganbench {

struct ParallelOptions {
  CellFilter only;
  bool resume = false;  // as `ganbench run --resume`: keep done cells, continue the others
  std::string exe;      // the ganbench executable the children run (this one)
};

// Runs the cells of `cfg` that are not done, `cfg.parallel_cells` at a time; each child gets `threads`
// cores, or with threads: auto the machine's cores divided among the children. A child's output goes to
// <run>/parallel/<cell>.log. SIGINT/SIGTERM are passed on to the children (each checkpoints and stops), and
// what finished is merged. Returns the counts as run_sweep does.
SweepSummary run_parallel(const SweepConfig& cfg, const ParallelOptions& opts);

}  // namespace ganbench
