// ganbench run: a sweep into its run folder, or one cell into its shard (a Slurm array task).
#include <csignal>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "apps/cli.h"
#include "common/process.h"
#include "experiments/config.h"
#include "experiments/parallel.h"
#include "experiments/slurm.h"
#include "experiments/sweep.h"
#include "reports/report.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  std::string config, out, only, cell;
  RunOptions opts;
  bool report = true;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--out")
      out = take_value(args, i);
    else if (a == "--cell")
      cell = take_value(args, i);
    else if (a == "--resume")
      opts.resume = true;
    else if (a == "--only")
      only = take_value(args, i);
    else if (a == "--no-report")
      report = false;
    else if (a == "--quiet")
      opts.progress = false;
    else
      take_positional("run", a, {&config});
  }
  if (config.empty()) throw UsageError("run needs a CONFIG.yaml");
  SweepConfig cfg = load_sweep_config(config);
  if (!out.empty()) cfg.output = out;
  if (!only.empty()) opts.only = parse_cell_filter(only);
  if (!cell.empty()) {  // one cell into its own shard folder, resuming it (a Slurm array task)
    if (!only.empty()) throw UsageError("run: --cell and --only exclude each other");
    std::vector<std::string> ids;
    for (const auto& c : expand_cells(cfg)) {
      ids.push_back(c.id);
      if (c.id == cell) opts.only.ids = {c.id};  // the id alone: the transfer axes share arch, modality and seed
    }
    if (opts.only.ids.empty())
      throw UsageError(fmt::format("run: no cell '{}' in {}; its cells: {}", cell, config, fmt::join(ids, ", ")));
    opts.run_dir = shard_dir(cfg.run_dir(), cell);
    opts.resume = true;
    report = false;
  }
  install_stop_handlers();  // SIGINT/SIGTERM: finish the step, checkpoint, mark the cell interrupted
  // A file-size limit (ulimit -f) then fails the write with EFBIG, handled like a full disk, instead of
  // killing the process mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  SweepSummary s;
  if (cfg.parallel_cells > 1 && cell.empty()) {  // cells as child processes into shards, then merged
    ParallelOptions po{opts.only, opts.resume, std::filesystem::read_symlink("/proc/self/exe").string()};
    s = run_parallel(cfg, po);
  } else {
    s = run_sweep(cfg, opts);
  }
  if (s.interrupted) return 128 + s.interrupted;  // 130 for SIGINT, 143 for SIGTERM
  if (report) {
    for (const auto& f : write_report({cfg.run_dir()}, {})) fmt::print("{}\n", f.string());
  }
  return s.failed > 0 ? 3 : 0;
}

}  // namespace

extern const Command kRunCommand = {"run", R"(  ganbench run CONFIG.yaml [--out DIR] [--resume] [--only arch=..,modality=..,seed=..,n=..,init=..] [--no-report] [--quiet]
      Run a sweep (architectures x modalities x seeds, and the transfer axes data.train_subjects x
      train.init_from: --only n=25,init=scratch|finetuned) into DIR/<name> (default: the config's output), then
      write its report. --resume skips finished cells and continues unfinished ones from their checkpoints.
      Exit 0 when every cell finished, 3 when a cell failed, 130/143 when stopped by SIGINT/SIGTERM.
  ganbench run CONFIG.yaml --cell ID [--out DIR]
      Run one cell into its shard folder DIR/<name>/shards/ID, resuming it (what a Slurm array task runs).
)",
                                    run};

}  // namespace ganbench::cli
