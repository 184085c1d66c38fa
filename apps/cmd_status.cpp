// ganbench status: each cell's state from the run folder, its shards and squeue.
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "apps/cli.h"
#include "experiments/slurm.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  if (args.size() != 1) throw UsageError("status needs one RUN_DIR");
  const auto states = cell_states(args[0]);
  std::map<std::string, int> count;
  fmt::print("{:<32} {:<12} {:<8} {:<12} {}\n", "cell", "state", "where", "job", "note");
  for (const auto& s : states) {
    ++count[s.state];
    fmt::print("{:<32} {:<12} {:<8} {:<12} {}\n", s.id, s.state, s.where, s.job, s.error);
  }
  std::vector<std::string> parts;
  for (const char* k : {"done", "running", "queued", "failed", "interrupted", "stopped", "pending"})
    if (count[k]) parts.push_back(fmt::format("{} {}", count[k], k));
  fmt::print("{} cells: {}\n", states.size(), fmt::join(parts, ", "));
  return 0;
}

}  // namespace

extern const Command kStatusCommand = {"status", R"(  ganbench status RUN_DIR
      Each cell's state (done, running, queued, failed, interrupted, stopped, pending) from the run folder,
      its shards and squeue.
)",
                                       run};

}  // namespace ganbench::cli
