#include "experiments/cell.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "common/hash.h"

namespace ganbench {

bool CellFilter::admits(const Cell& c) const {
  auto in = [](const auto& list, const auto& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
  };
  return in(architectures, c.architecture) && in(modalities, c.modality) && in(seeds, c.seed);
}

CellFilter parse_cell_filter(const std::string& spec) {
  CellFilter f;
  std::string key;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    std::string value = item;
    if (auto eq = item.find('='); eq != std::string::npos) {
      key = item.substr(0, eq);
      value = item.substr(eq + 1);
    }
    if (key == "arch" || key == "architecture")
      f.architectures.push_back(value);
    else if (key == "modality")
      f.modalities.push_back(value);
    else if (key == "seed") {
      try {
        f.seeds.push_back(std::stoull(value));
      } catch (const std::exception&) {
        throw std::invalid_argument(
            fmt::format("--only: seed must be a non-negative integer, got '{}'", value));
      }
    } else {
      throw std::invalid_argument(fmt::format("--only: unknown key '{}'; valid: arch, modality, seed", key));
    }
  }
  return f;
}

std::string direction_name(const std::string& from, const std::string& to) { return from + "2" + to; }

std::vector<std::string> cell_modalities(const Cell& cell) {
  if (cell.to.empty()) return {cell.modality};
  if (cell.from == TranslationConfig::kDegraded) return {cell.to};
  return {cell.from, cell.to};
}

std::vector<Cell> expand_cells(const SweepConfig& cfg) {
  std::vector<Cell> cells;
  if (cfg.task == "translation") {
    for (const auto& a : cfg.architectures)
      for (size_t d = 0; d < cfg.translation.from.size(); ++d)
        for (auto s : cfg.seeds) {
          const auto& from = cfg.translation.from[d];
          const auto& to = cfg.translation.to[d];
          const auto dir = direction_name(from, to);
          cells.push_back({fmt::format("{}-{}-s{}", a, dir, s), a, dir, s, from, to});
        }
    return cells;
  }
  for (const auto& a : cfg.architectures)
    for (const auto& m : cfg.modalities)
      for (auto s : cfg.seeds) cells.push_back({fmt::format("{}-{}-s{}", a, m, s), a, m, s});
  return cells;
}

SweepConfig cell_config(const SweepConfig& cfg, const Cell& cell) {
  SweepConfig c = cfg;
  c.architectures = {cell.architecture};
  c.modalities = cell_modalities(cell);
  if (!cell.to.empty()) {
    c.translation.from = {cell.from};
    c.translation.to = {cell.to};
  }
  c.seeds = {cell.seed};
  std::map<std::string, ArchOptions> arch;
  if (auto it = cfg.arch.find(cell.architecture); it != cfg.arch.end()) arch[cell.architecture] = it->second;
  c.arch = arch;
  // Settings whose default belongs to the architecture are written out resolved, so the cell's config and
  // hash say what ran.
  if (c.train.augment.instance_noise < 0)
    c.train.augment.instance_noise = find_architecture(cell.architecture).capabilities.instance_noise;
  return c;
}

std::string cell_config_yaml(const SweepConfig& cfg, const Cell& cell) {
  return to_yaml(cell_config(cfg, cell));
}

std::string cell_config_hash(const SweepConfig& cfg, const Cell& cell) {
  SweepConfig c = cell_config(cfg, cell);
  c.output = "";
  c.threads = "auto";
  c.parallel_cells = 1;
  c.device = "auto";
  c.eval.feature_cache = "auto";  // where things are stored does not change results
  c.eval.inception_weights = "";
  c.train.divergence_threshold = TrainConfig::kArchDefault;  // decides when a cell fails, not what it computed
  c.cluster = ClusterConfig{};                                // where it runs
  return hex64(fnv1a64(to_yaml(c)));
}

}  // namespace ganbench
