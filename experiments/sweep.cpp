#include "experiments/sweep.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/runtime.h"
#include "experiments/cell_runner.h"
#include "metrics/feature_extractor.h"

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

std::vector<Cell> expand_cells(const SweepConfig& cfg) {
  std::vector<Cell> cells;
  for (const auto& a : cfg.architectures)
    for (const auto& m : cfg.modalities)
      for (auto s : cfg.seeds) cells.push_back({fmt::format("{}-{}-s{}", a, m, s), a, m, s});
  return cells;
}

namespace {
SweepConfig narrow(const SweepConfig& cfg, const Cell& cell) {
  SweepConfig c = cfg;
  c.architectures = {cell.architecture};
  c.modalities = {cell.modality};
  c.seeds = {cell.seed};
  std::map<std::string, ArchOptions> arch;
  if (auto it = cfg.arch.find(cell.architecture); it != cfg.arch.end()) arch[cell.architecture] = it->second;
  c.arch = arch;
  return c;
}
}  // namespace

std::string cell_config_yaml(const SweepConfig& cfg, const Cell& cell) { return to_yaml(narrow(cfg, cell)); }

std::string cell_config_hash(const SweepConfig& cfg, const Cell& cell) {
  SweepConfig c = narrow(cfg, cell);
  c.output = "";
  c.threads = "auto";
  c.device = "auto";
  c.eval.feature_cache = "auto";  // where things are stored does not change results
  c.eval.inception_weights = "";
  return hex64(fnv1a64(to_yaml(c)));
}

SweepSummary run_sweep(const SweepConfig& cfg, const RunOptions& opts) {
  register_builtin_architectures();
  register_builtin_modalities();
  register_builtin_feature_extractors();
  cfg.validate();
  for (const auto& ex : cfg.eval.extractors) {
    try {
      const auto names = feature_extractor_names();
      if (std::find(names.begin(), names.end(), ex) == names.end()) make_feature_extractor(ex);  // throws
    } catch (const std::invalid_argument& e) {
      throw ConfigError(fmt::format("{}: key 'eval.extractors': {}", cfg.source, e.what()));
    }
  }
  const int threads = parse_threads(cfg.threads);
  apply_threads(threads);
  const c10::Device device = parse_device(cfg.device);

  std::vector<Cell> cells;
  for (const auto& c : expand_cells(cfg))
    if (opts.only.admits(c)) cells.push_back(c);
  if (cells.empty()) throw std::invalid_argument("--only admits none of the sweep's cells");

  const auto run_dir = cfg.run_dir();
  std::filesystem::create_directories(run_dir);
  ResultsStore store(run_dir / "results.db");
  if (!opts.resume) {
    for (const auto& c : cells)
      if (auto prior = store.find_cell(c.id))
        throw std::runtime_error(
            fmt::format("{} already holds cell {} ({}); pass --resume to keep finished cells and "
                        "continue the others, or choose another --out",
                        run_dir.string(), c.id, prior->status));
  }
  const std::string yaml = to_yaml(cfg);
  write_file_atomic(run_dir / "config.yaml", yaml);
  store.record_sweep(cfg.name, yaml);

  fmt::print(stderr, "ganbench: sweep '{}': {} cells, {} threads, device {}, run folder {}\n", cfg.name,
             cells.size(), threads, device.str(), run_dir.string());
  DataCache data(cfg, device, run_dir / "data");
  CellEnv env{cfg, run_dir, store, data, device, threads, opts.progress};
  // Load every modality that still has work before training anything: a wrong path or a corrupt file
  // stops the sweep here with one error, instead of failing each of its cells.
  for (const auto& m : cfg.modalities) {
    const bool pending = std::any_of(cells.begin(), cells.end(), [&](const Cell& c) {
      auto prior = c.modality == m ? store.find_cell(c.id) : std::nullopt;
      return c.modality == m && (!prior || prior->status != "done");
    });
    if (pending) data.splits(m);
  }
  SweepSummary summary;
  for (const auto& cell : cells) {
    const std::string hash = cell_config_hash(cfg, cell);
    if (auto prior = store.find_cell(cell.id)) {
      if (prior->status == "done") {
        if (prior->config_hash != hash)
          throw std::runtime_error(
              fmt::format("cell {} in {} finished under a different config (hash {} vs {}); "
                          "use another --out for the changed config",
                          cell.id, run_dir.string(), prior->config_hash, hash));
        fmt::print(stderr, "ganbench: {} done already, skipped\n", cell.id);
        ++summary.skipped;
        continue;
      }
      if (prior->config_hash != hash) {  // unfinished under another config: its checkpoints do not apply
        std::filesystem::remove_all(run_dir / "cells" / cell.id / "checkpoints");
      }
    }
    const auto t0 = std::chrono::steady_clock::now();
    try {
      run_cell(env, cell);
      ++summary.done;
    } catch (const std::exception& e) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "\nganbench: cell {} failed: {}\n", cell.id, e.what());
      store.fail_cell(cell.id, e.what(), secs);
      ++summary.failed;
    }
  }
  fmt::print(stderr, "ganbench: sweep '{}': {} done, {} skipped, {} failed\n", cfg.name, summary.done,
             summary.skipped, summary.failed);
  return summary;
}

}  // namespace ganbench
