// A sweep cell (architecture x modality x seed), the --only filter, and the cell's resolved config and hash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/config.h"

namespace ganbench {

struct Cell {
  std::string id;  // "<architecture>-<modality>-s<seed>"
  std::string architecture;
  std::string modality;  // translation: the direction, "<from>2<to>" (CycleGAN's horse2zebra)
  uint64_t seed = 0;
  std::string from, to;  // translation only: source ("degraded" for super-resolution) and target modality
};

// "<from>2<to>": a translation direction as cells, folders and reports name it.
std::string direction_name(const std::string& from, const std::string& to);
// The modalities whose data a cell reads: its modality, or its direction's source and target.
std::vector<std::string> cell_modalities(const Cell& cell);

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
// folder, threads, device and cache locations so a moved or re-hosted run still matches.
// The cell's own config: lists narrowed to the cell, architecture-dependent defaults resolved.
SweepConfig cell_config(const SweepConfig& cfg, const Cell& cell);
std::string cell_config_yaml(const SweepConfig& cfg, const Cell& cell);
std::string cell_config_hash(const SweepConfig& cfg, const Cell& cell);

}  // namespace ganbench
