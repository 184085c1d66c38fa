// ganbench verify: every file of a run folder read back with ganbench's own readers.
#include <fmt/format.h>

#include "apps/cli.h"
#include "experiments/run_check.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  if (args.size() != 1) throw UsageError("verify needs one RUN_DIR");
  const RunCheck check = verify_run_dir(args[0]);
  for (const auto& p : check.problems) fmt::print(stderr, "ganbench: unreadable: {}\n", p);
  for (const auto& p : check.leftovers)
    fmt::print(stderr, "ganbench: leftover temp file of a killed write (the next run removes it): {}\n", p);
  fmt::print("{}: {} files read, {} unreadable, {} leftover temp files\n", args[0], check.files,
             check.problems.size(), check.leftovers.size());
  return check.problems.empty() ? 0 : 1;
}

}  // namespace

extern const Command kVerifyCommand = {"verify", R"(  ganbench verify RUN_DIR
      Reads every file of a run folder with ganbench's own readers (database integrity, checkpoints, arrays,
      configs, images, reports); exits 1 naming each unreadable file.
)",
                                       run};

}  // namespace ganbench::cli
