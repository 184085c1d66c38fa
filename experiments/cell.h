// A sweep cell (architecture x modality x seed), the --only filter, and the cell's resolved config and hash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/config.h"

namespace ganbench {

struct Cell {
  std::string id;  // "<architecture>-<modality>[-n<N>][-ft[K]]-s<seed>"
  std::string architecture;
  std::string modality;  // translation: the direction, "<from>2<to>" (CycleGAN's horse2zebra)
  uint64_t seed = 0;
  std::string from, to;  // translation only: source ("degraded" for super-resolution) and target modality
  uint64_t train_subjects = 0;  // data.train_subjects: the first N training subjects; 0 = all
  std::string init_from;        // train.init_from entry the weights start from; "" = from scratch
};

// "<from>2<to>": a translation direction as cells, folders and reports name it.
std::string direction_name(const std::string& from, const std::string& to);
// The modalities whose data a cell reads: its modality, or its direction's source and target.
std::vector<std::string> cell_modalities(const Cell& cell);

// --only arch=a,b,modality=m,seed=0: keys may repeat; an empty list admits everything.
struct CellFilter {
  std::vector<std::string> architectures, modalities;
  std::vector<uint64_t> seeds;
  std::vector<uint64_t> train_subjects;  // n=25
  std::vector<std::string> inits;        // init=scratch or init=finetuned
  std::vector<std::string> ids;          // exact cell ids (run --cell: one Slurm task's cell); not in --only
  bool admits(const Cell& c) const;
};
// Parses "arch=dcgan,modality=cardiac,seed=1,n=25,init=finetuned"; throws std::invalid_argument on an unknown key.
CellFilter parse_cell_filter(const std::string& spec);

std::vector<Cell> expand_cells(const SweepConfig& cfg);

// The resolved config of one cell (its lists narrowed to the cell), and its hash, which ignores the output
// folder, threads, device and cache locations so a moved or re-hosted run still matches.
// The cell's own config: lists narrowed to the cell, architecture-dependent defaults resolved.
SweepConfig cell_config(const SweepConfig& cfg, const Cell& cell);
std::string cell_config_yaml(const SweepConfig& cfg, const Cell& cell);
std::string cell_config_hash(const SweepConfig& cfg, const Cell& cell);

}  // namespace ganbench
