// ganbench submit: the cells that are not done as one Slurm job array, and a merge job after it.
#include <filesystem>

#include "apps/cli.h"
#include "experiments/config.h"
#include "experiments/slurm.h"
#include "experiments/sweep.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  std::string config, out, only;
  SubmitOptions opts;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--out")
      out = take_value(args, i);
    else if (a == "--only")
      only = take_value(args, i);
    else if (a == "--dry-run")
      opts.dry_run = true;
    else if (a == "--wait")
      opts.wait = true;
    else
      take_positional("submit", a, {&config});
  }
  if (config.empty()) throw UsageError("submit needs a CONFIG.yaml");
  SweepConfig cfg = load_sweep_config(config);
  if (!out.empty()) cfg.output = out;
  if (!only.empty()) opts.only = parse_cell_filter(only);
  opts.exe = std::filesystem::read_symlink("/proc/self/exe").string();
  return submit_sweep(cfg, opts);
}

}  // namespace

extern const Command kSubmitCommand = {"submit", R"(  ganbench submit CONFIG.yaml [--out DIR] [--only ...] [--dry-run] [--wait]
      Submit the cells that are not done, queued or running as one Slurm job array (the config's cluster:
      section: partition, account, qos, time, mem, cpus_per_task, gres, array_throttle, sbatch, setup), each
      task writing its own shard, and a merge job after it (afterany) that gathers the shards and writes the
      report. --dry-run prints both job scripts; --wait blocks until they end (exit 3 if a cell did not finish).
)",
                                       run};

}  // namespace ganbench::cli
