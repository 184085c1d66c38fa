#include "experiments/cell.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "common/hash.h"
#include "experiments/transfer.h"

namespace ganbench {

bool CellFilter::admits(const Cell& c) const {
  auto in = [](const auto& list, const auto& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
  };
  return in(architectures, c.architecture) && in(modalities, c.modality) && in(seeds, c.seed) &&
         in(train_subjects, c.train_subjects) && in(inits, std::string(c.init_from.empty() ? "scratch" : "finetuned")) &&
         in(ids, c.id);
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
    } else if (key == "n") {
      try {
        f.train_subjects.push_back(std::stoull(value));
      } catch (const std::exception&) {
        throw std::invalid_argument(fmt::format("--only: n must be a number of training subjects, got '{}'", value));
      }
    } else if (key == "init") {
      if (value != "scratch" && value != "finetuned")
        throw std::invalid_argument(fmt::format("--only: init must be scratch or finetuned, got '{}'", value));
      f.inits.push_back(value);
    } else {
      throw std::invalid_argument(
          fmt::format("--only: unknown key '{}'; valid: arch, modality, seed, n, init", key));
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

namespace {
Cell make_cell(std::string id, const std::string& architecture, const std::string& modality, uint64_t seed) {
  Cell c;
  c.id = std::move(id);
  c.architecture = architecture;
  c.modality = modality;
  c.seed = seed;
  return c;
}
}  // namespace

std::vector<Cell> expand_cells(const SweepConfig& cfg) {
  std::vector<Cell> cells;
  if (cfg.task == "translation") {
    for (const auto& a : cfg.architectures)
      for (size_t d = 0; d < cfg.translation.from.size(); ++d)
        for (auto s : cfg.seeds) {
          const auto& from = cfg.translation.from[d];
          const auto& to = cfg.translation.to[d];
          const auto dir = direction_name(from, to);
          Cell c = make_cell(fmt::format("{}-{}-s{}", a, dir, s), a, dir, s);
          c.from = from;
          c.to = to;
          cells.push_back(std::move(c));
        }
    return cells;
  }
  // The transfer axes: training-set sizes, then starting weights (scratch, then each source in order).
  std::vector<uint64_t> sizes = cfg.data.train_subjects;
  if (sizes.empty()) sizes = {0};
  std::vector<std::pair<std::string, std::string>> inits;  // (entry, id tag)
  size_t sources = 0;
  for (const auto& e : cfg.train.init_from) sources += e != TrainConfig::kScratch;
  if (cfg.train.init_from.empty()) inits.push_back({"", ""});
  size_t k = 0;
  for (const auto& e : cfg.train.init_from) {
    if (e == TrainConfig::kScratch)
      inits.push_back({"", ""});
    else
      inits.push_back({e, sources == 1 ? "-ft" : fmt::format("-ft{}", ++k)});
  }
  for (const auto& a : cfg.architectures)
    for (const auto& m : cfg.modalities)
      for (auto n : sizes)
        for (const auto& [from, tag] : inits)
          for (auto s : cfg.seeds) {
            Cell c = make_cell(fmt::format("{}-{}{}{}-s{}", a, m, n > 0 ? fmt::format("-n{}", n) : "", tag, s), a, m, s);
            c.train_subjects = n;
            c.init_from = from;
            cells.push_back(std::move(c));
          }
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
  // The transfer axes, narrowed; a fine-tuned cell records its source (id, config hash, checkpoint SHA-256), so
  // retraining the source changes this cell's hash. FreezeD applies to fine-tuned cells only.
  c.data.train_subjects = cell.train_subjects > 0 ? std::vector<uint64_t>{cell.train_subjects} : std::vector<uint64_t>{};
  c.train.init_from.clear();
  c.train.init_source.clear();
  if (!cell.init_from.empty()) {
    c.train.init_from = {cell.init_from};
    c.train.init_source =
        resolve_init_source(cell.init_from, cell.architecture, cell.seed, "train.init_from").record();
  } else {
    c.train.freeze_d = 0;
  }
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
