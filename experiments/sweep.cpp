#include "experiments/sweep.h"

#include <algorithm>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/process.h"
#include "common/runtime.h"
#include "experiments/cell_runner.h"
#include "experiments/data_cache.h"
#include "experiments/trainer.h"
#include "metrics/metric_catalogue.h"

namespace ganbench {

SweepSummary run_sweep(const SweepConfig& cfg, const RunOptions& opts) {
  cfg.validate();
  const auto& ex = cfg.eval.extractors;
  if (std::find(ex.begin(), ex.end(), "inception") != ex.end() && cfg.eval.samples < kFidMinSamples)
    fmt::print(
        stderr,
        "ganbench: warning: eval.samples = {} < {}: FID from fewer generated images is biased upward "
        "(pytorch-fid's minimum); the report footnotes it, and fid_infinity_inception corrects for N\n",
        cfg.eval.samples, kFidMinSamples);
  const int threads = parse_threads(cfg.threads);
  apply_threads(threads);
  const c10::Device device = parse_device(cfg.device);
  use_device(device);

  std::vector<Cell> cells;
  for (const auto& c : expand_cells(cfg))
    if (opts.only.admits(c)) cells.push_back(c);
  if (cells.empty()) throw std::invalid_argument("--only admits none of the sweep's cells");

  const auto run_dir = opts.run_dir.empty() ? cfg.run_dir() : opts.run_dir;
  std::filesystem::create_directories(run_dir);
  const FolderLock lock(run_dir);  // a second `ganbench run` on this folder stops here, naming our PID
  for (const auto& p : remove_stale_temp_files(run_dir))  // ours alone now: left by a killed run
    fmt::print(stderr, "ganbench: removed {}, a partial write of a killed run\n", p.string());
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
  if (parse_precision(cfg.train.precision) == Precision::bf16 && device.is_cpu())
    fmt::print(stderr,
               "ganbench: note: train.precision bf16 on the CPU, where LibTorch may have no fast bfloat16 "
               "kernels (with 1.13, training steps took 13-23x as long as in fp32 on a 2-core AMD EPYC); "
               "bf16 is meant for GPUs\n");
  DataCache data(cfg, device, run_dir / "data");
  CellEnv env{cfg, run_dir, store, data, device, threads, opts.progress};
  // Load every modality that still has work before training anything: a wrong path or a corrupt file
  // stops the sweep here with one error, instead of failing each of its cells.
  for (const auto& m : cfg.modalities) {
    const bool pending = std::any_of(cells.begin(), cells.end(), [&](const Cell& c) {
      const auto mods = cell_modalities(c);
      if (std::find(mods.begin(), mods.end(), m) == mods.end()) return false;
      const auto prior = store.find_cell(c.id);
      return !prior || prior->status != "done";
    });
    if (pending) data.splits(m);
  }
  SweepSummary summary;
  for (const auto& cell : cells) {
    if (const int sig = stop_signal()) {  // arrived outside training: stop before the next cell
      summary.interrupted = sig;
      break;
    }
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
    } catch (const Interrupted& e) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "\nganbench: cell {} {}\n", cell.id, e.what());
      store.fail_cell(cell.id, e.what(), secs, "interrupted");
      summary.interrupted = e.signal;
      break;
    } catch (const std::exception& e) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "\nganbench: cell {} failed: {}\n", cell.id, e.what());
      store.fail_cell(cell.id, e.what(), secs);
      ++summary.failed;
    }
  }
  fmt::print(stderr, "ganbench: sweep '{}': {} done, {} skipped, {} failed{}\n", cfg.name, summary.done,
             summary.skipped, summary.failed,
             summary.interrupted
                 ? fmt::format("; interrupted by signal {}, --resume continues", summary.interrupted)
                 : "");
  return summary;
}

}  // namespace ganbench
