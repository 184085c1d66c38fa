// ganbench export: every stored value of a run as one tidy CSV.
#include <fmt/format.h>

#include "apps/cli.h"
#include "common/atomic_file.h"
#include "reports/export.h"
#include "results/run_data.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  std::string dir, out;
  bool reproducible = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--reproducible")
      reproducible = true;
    else if (a == "--out")
      out = take_value(args, i);
    else
      take_positional("export", a, {&dir});
  }
  if (dir.empty()) throw UsageError("export needs a RUN_DIR");
  const std::string csv = export_csv(load_run(dir), reproducible);
  if (out.empty())
    fmt::print("{}", csv);
  else
    write_file_atomic(out, csv);
  return 0;
}

}  // namespace

extern const Command kExportCommand = {"export", R"(  ganbench export RUN_DIR [--reproducible] [--out FILE.csv]
      Every stored value as one tidy CSV (cell, architecture, modality, seed, status, error, metric, step,
      value; 17 digits). --reproducible leaves out wall times, memory and resumed_from_step, so two runs of
      one config can be compared with diff.
)",
                                       run};

}  // namespace ganbench::cli
