// ganbench merge: finished shards into the run's results.db, then the report (what the merge job runs).
#include <fmt/format.h>

#include "apps/cli.h"
#include "experiments/slurm.h"
#include "reports/report.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  std::string run_dir;
  bool report = true;
  for (const auto& a : args) {
    if (a == "--no-report")
      report = false;
    else
      take_positional("merge", a, {&run_dir});
  }
  if (run_dir.empty()) throw UsageError("merge needs a RUN_DIR");
  const MergeSummary m = merge_shards(run_dir);
  fmt::print(stderr, "ganbench: merged {} shards into {}: {} cells done, {} not done\n", m.merged, run_dir,
             m.done, m.not_done);
  if (report)
    for (const auto& f : write_report({run_dir}, {})) fmt::print("{}\n", f.string());
  return m.not_done > 0 ? 3 : 0;
}

}  // namespace

extern const Command kMergeCommand = {"merge", R"(  ganbench merge RUN_DIR [--no-report]
      Gather finished shards into RUN_DIR/results.db and write the report (the merge job runs this).
)",
                                      run};

}  // namespace ganbench::cli
