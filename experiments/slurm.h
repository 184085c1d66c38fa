// The Slurm executor: a sweep's pending cells as one job array (a task per cell, each writing its own shard
// folder, so no two nodes ever write one SQLite file), a merge job after it (afterany) that gathers the
// shards into the run folder and writes the report, and each cell's state from the shards and squeue.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/cell.h"
#include "experiments/config.h"

namespace ganbench {

// The run folder a cell's Slurm task writes: <run>/shards/<cell id>.
std::filesystem::path shard_dir(const std::filesystem::path& run_dir, const std::string& cell_id);

struct CellState {
  std::string id;
  // done | failed | interrupted | running | queued | stopped (killed: resubmitting resumes it) | pending
  std::string state;
  std::string where;  // merged | shard | queue | "" (never ran)
  std::string job;    // Slurm "<array job>_<task>" while queued or running
  std::string error;  // why it failed, or where its log is when a task ended without a result
};

// Every cell of the sweep in `run_dir` (its config.yaml, written by `ganbench submit`): merged results
// first, then its shard (a shard whose lock is held is running; one still marked running with no holder was
// killed), then squeue for the jobs ganbench submitted there, when squeue exists.
std::vector<CellState> cell_states(const std::filesystem::path& run_dir);

struct SlurmScripts {
  std::string array;               // the job array: task i runs cells[i]
  std::string merge;               // the merge job (submitted with --dependency=afterany:<array>)
  std::vector<std::string> cells;  // cell ids, in task order
};

// The job scripts for `cells` of `cfg`, run from `workdir`, with `submission` as the folder of their
// config copy and logs. `exe` is ganbench on the nodes.
SlurmScripts slurm_scripts(const SweepConfig& cfg, const std::filesystem::path& run_dir,
                           const std::filesystem::path& submission, const std::filesystem::path& workdir,
                           const std::vector<std::string>& cells, const std::string& exe);

// The admitted cells of `cfg` and what its run folder holds for each.
struct CellPlan {
  std::vector<Cell> admitted;     // in sweep order
  std::vector<CellState> states;  // one per admitted cell; "pending" where the folder has none
  std::vector<std::string> todo;  // the admitted cells not done, queued or running
};
// Throws when a done cell's config hash differs from `cfg`'s, or when `only` admits no cell.
CellPlan plan_cells(const SweepConfig& cfg, const CellFilter& only);
// Names on stderr each admitted cell left out of plan.todo, with its state and `verb` ("not submitted").
void note_skipped(const CellPlan& plan, const std::string& verb);

struct SubmitOptions {
  CellFilter only;
  bool dry_run = false;  // print the scripts; submit and write nothing
  bool wait = false;     // block until the array and merge jobs have left the queue
  std::string exe;       // this executable's absolute path (cluster.ganbench = "")
};

// Submits the cells of `cfg` that are not done, queued or running. Returns the exit status for the
// command: 0, or with `wait` 3 when a cell did not finish (the merged report says which).
int submit_sweep(const SweepConfig& cfg, const SubmitOptions& opts);

struct MergeSummary {
  int merged = 0;    // shards gathered by this call
  int done = 0;      // cells done in the run folder afterwards
  int not_done = 0;  // cells failed, interrupted, running or never run
};

// Gathers every shard that no task holds into <run>/results.db (one transaction per cell): a done cell's
// folder moves to <run>/cells/ and its shard is removed; a failed one keeps its shard (and checkpoints) for
// the next submission. Idempotent, and safe to run again after a crash at any point.
MergeSummary merge_shards(const std::filesystem::path& run_dir);

}  // namespace ganbench
