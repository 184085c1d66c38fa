// Runs one sweep cell: build the GAN, score it at step 0, train, score the trained generator, run the
// segmentation protocol when enabled, and store everything in one transaction.
#pragma once

#include <filesystem>

#include "experiments/cell.h"
#include "experiments/config.h"
#include "experiments/data_cache.h"
#include "results/results_store.h"

namespace ganbench {

struct CellEnv {
  const SweepConfig& cfg;
  std::filesystem::path run_dir;
  ResultsStore& store;
  DataCache& data;
  c10::Device device;
  int threads;
  bool progress;
};

// Throws on failure; the caller records it.
void run_cell(const CellEnv& env, const Cell& cell);

}  // namespace ganbench
