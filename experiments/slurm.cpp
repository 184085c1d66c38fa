#include "experiments/slurm.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/atomic_file.h"
#include "common/process.h"
#include "results/results_store.h"

namespace fs = std::filesystem;

namespace ganbench {
namespace {

constexpr const char* kSubmissions = "slurm/submissions.tsv";  // <array job>\t<merge job>\t<folder>, a line each
constexpr int kWaitPollSeconds = 2;                             // squeue polling interval of submit --wait

// `s` as one shell word.
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

struct Submission {
  std::string array_job, merge_job;
  fs::path folder;
  std::vector<std::string> cells;  // task i runs cells[i]
};

std::vector<Submission> submissions(const fs::path& run_dir) {
  std::vector<Submission> out;
  const fs::path list = run_dir / kSubmissions;
  std::error_code ec;
  if (!fs::exists(list, ec)) return out;
  for (const auto& line : lines_of(read_file(list))) {
    const auto f = split(line, '\t');
    if (f.size() != 3) throw std::runtime_error(fmt::format("{}: malformed line '{}'", list.string(), line));
    Submission s{f[0], f[1], run_dir / "slurm" / f[2], {}};
    s.cells = lines_of(read_file(s.folder / "cells.txt"));
    out.push_back(std::move(s));
  }
  return out;
}

struct QueueEntry {
  std::string job, state;  // "<array>_<task>", Slurm's state (PENDING, RUNNING, ...)
};

// This user's jobs in the queue, array tasks one per entry, keyed by "<array job>_<task>" and by plain job id.
// Empty when squeue is missing or fails (no controller): states then come from the files alone.
std::map<std::string, QueueEntry> queue() {
  std::string out;
  std::map<std::string, QueueEntry> q;
  if (run_program({"squeue", "--me", "--noheader", "--array", "--format=%F|%K|%i|%T"}, &out) != 0) return q;
  for (const auto& line : lines_of(out)) {
    const auto f = split(line, '|');
    if (f.size() != 4) continue;
    q[f[2]] = {f[2], f[3]};
    if (f[1] != "N/A") q[f[0] + "_" + f[1]] = {f[0] + "_" + f[1], f[3]};
  }
  return q;
}

std::string sbatch_job_id(const std::string& out, const fs::path& script) {
  const std::string id = out.substr(0, out.find_first_not_of("0123456789"));
  if (id.empty())
    throw std::runtime_error(fmt::format("sbatch {}: no job id in its output '{}'", script.string(), out));
  return id;
}

SweepConfig run_config(const fs::path& run_dir) {
  const fs::path p = run_dir / "config.yaml";
  std::error_code ec;
  if (!fs::exists(p, ec))
    throw std::runtime_error(fmt::format("{}: no config.yaml; is it a run folder?", run_dir.string()));
  return load_sweep_config(p);
}

std::optional<CellRecord> shard_record(const fs::path& shard, const std::string& id) {
  std::error_code ec;
  if (!fs::exists(shard / "results.db", ec)) return std::nullopt;
  return ResultsStore(shard / "results.db", false).find_cell(id);
}

}  // namespace

fs::path shard_dir(const fs::path& run_dir, const std::string& cell_id) { return run_dir / "shards" / cell_id; }

std::vector<CellState> cell_states(const fs::path& run_dir) {
  const SweepConfig cfg = run_config(run_dir);
  std::map<std::string, CellRecord> merged;
  std::error_code ec;
  if (fs::exists(run_dir / "results.db", ec))
    for (auto& c : ResultsStore(run_dir / "results.db", false).cells()) merged[c.id] = c;
  // The newest submission of each cell, and its task's queue entry.
  std::map<std::string, std::pair<const Submission*, size_t>> task_of;
  const auto subs = submissions(run_dir);
  for (const auto& s : subs)
    for (size_t i = 0; i < s.cells.size(); ++i) task_of[s.cells[i]] = {&s, i};
  const auto q = subs.empty() ? std::map<std::string, QueueEntry>{} : queue();

  std::vector<CellState> out;
  for (const auto& cell : expand_cells(cfg)) {
    CellState st{cell.id, "pending", "", "", ""};
    const auto m = merged.find(cell.id);
    const fs::path shard = shard_dir(run_dir, cell.id);
    if (m != merged.end() && m->second.status == "done") {
      st.state = "done", st.where = "merged";
    } else if (FolderLock::held(shard)) {
      st.state = "running", st.where = "shard";
    } else if (auto rec = shard_record(shard, cell.id)) {
      st.where = "shard";
      st.state = rec->status == "running" ? "stopped" : rec->status;
      st.error = rec->status == "running" ? "killed while running; submitting again resumes it" : rec->error;
    } else if (m != merged.end()) {
      st.state = m->second.status, st.where = "merged", st.error = m->second.error;
    }
    if (st.state != "done" && st.state != "running") {
      if (auto t = task_of.find(cell.id); t != task_of.end()) {
        const auto& [sub, task] = t->second;
        const std::string job = fmt::format("{}_{}", sub->array_job, task);
        if (auto e = q.find(job); e != q.end()) {
          st.state = e->second.state == "PENDING" ? "queued" : "running";
          st.where = "queue", st.job = job;
        } else if (st.state == "pending") {
          const fs::path log = sub->folder / "logs" / fmt::format("{}.out", task);
          if (fs::exists(log, ec)) st.error = "its task ended without a result; see " + log.string();
        }
      }
    }
    out.push_back(std::move(st));
  }
  return out;
}

SlurmScripts slurm_scripts(const SweepConfig& cfg, const fs::path& run_dir, const fs::path& submission,
                           const fs::path& workdir, const std::vector<std::string>& cells,
                           const std::string& exe) {
  const ClusterConfig& cl = cfg.cluster;
  auto header = [&](const std::string& name, bool task) {
    std::string h = "#!/bin/bash\n";
    h += fmt::format("#SBATCH --job-name={}\n", name);
    h += fmt::format("#SBATCH --chdir={}\n", workdir.string());
    for (const auto& [opt, v] : std::vector<std::pair<const char*, std::string>>{
             {"partition", cl.partition}, {"account", cl.account}, {"qos", cl.qos}, {"time", cl.time}})
      if (!v.empty()) h += fmt::format("#SBATCH --{}={}\n", opt, v);
    if (task) {
      if (!cl.mem.empty()) h += fmt::format("#SBATCH --mem={}\n", cl.mem);
      if (cl.cpus_per_task > 0) h += fmt::format("#SBATCH --cpus-per-task={}\n", cl.cpus_per_task);
      if (!cl.gres.empty()) h += fmt::format("#SBATCH --gres={}\n", cl.gres);
      for (const auto& o : cl.sbatch) h += fmt::format("#SBATCH {}\n", o);
    }
    return h;
  };
  auto body = [&] {
    std::string b = "set -euo pipefail\n";
    for (const auto& line : cl.setup) b += line + "\n";
    return b;
  };
  SlurmScripts s;
  s.cells = cells;
  const int64_t n = static_cast<int64_t>(cells.size());
  s.array = header("ganbench-" + cfg.name, true);
  s.array += fmt::format("#SBATCH --array=0-{}{}\n", n - 1,
                         cl.array_throttle > 0 ? fmt::format("%{}", cl.array_throttle) : "");
  s.array += fmt::format("#SBATCH --output={}\n", (submission / "logs" / "%a.out").string());
  s.array += body();
  s.array += "cells=(";
  for (const auto& c : cells) s.array += " " + quote(c);
  s.array += " )\n";
  // The shard is <run>/shards/<cell>: --out is the run folder's parent, --cell picks the cell and its shard.
  s.array += fmt::format("exec {} run {} --out {} --cell \"${{cells[$SLURM_ARRAY_TASK_ID]}}\" --quiet\n",
                         quote(exe), quote((submission / "config.yaml").string()),
                         quote(run_dir.parent_path().string()));
  s.merge = header("ganbench-merge-" + cfg.name, false);
  s.merge += fmt::format("#SBATCH --output={}\n", (submission / "merge.out").string());
  s.merge += body();
  s.merge += fmt::format("exec {} merge {}\n", quote(exe), quote(run_dir.string()));
  return s;
}

namespace {
// A cell that is not run again: finished, or in Slurm's hands.
bool left_out(const CellState& st) { return st.state == "done" || st.state == "queued" || st.state == "running"; }
}  // namespace

CellPlan plan_cells(const SweepConfig& cfg, const CellFilter& only) {
  const fs::path run_dir = cfg.run_dir();
  CellPlan plan;
  for (const auto& c : expand_cells(cfg))
    if (only.admits(c)) plan.admitted.push_back(c);
  if (plan.admitted.empty()) throw std::invalid_argument("--only admits none of the sweep's cells");

  // What the run folder already holds: done cells must match this config; queued and running ones wait.
  std::map<std::string, CellState> known;
  std::error_code ec;
  if (fs::exists(run_dir / "config.yaml", ec))
    for (auto& st : cell_states(run_dir)) known[st.id] = st;
  for (const auto& c : plan.admitted) {
    const auto k = known.find(c.id);
    const CellState st = k == known.end() ? CellState{c.id, "pending", "", "", ""} : k->second;
    if (st.state == "done") {
      std::optional<CellRecord> rec;
      if (st.where == "merged")
        rec = ResultsStore(run_dir / "results.db", false).find_cell(c.id);
      else
        rec = shard_record(shard_dir(run_dir, c.id), c.id);
      if (rec && rec->config_hash != cell_config_hash(cfg, c))
        throw std::runtime_error(fmt::format("cell {} in {} finished under a different config (hash {} vs {}); "
                                             "use another --out for the changed config",
                                             c.id, run_dir.string(), rec->config_hash,
                                             cell_config_hash(cfg, c)));
    }
    if (!left_out(st)) plan.todo.push_back(c.id);
    plan.states.push_back(st);
  }
  return plan;
}

void note_skipped(const CellPlan& plan, const std::string& verb) {
  for (const auto& st : plan.states)
    if (left_out(st)) fmt::print(stderr, "ganbench: {} {}, {}\n", st.id, st.state, verb);
}

int submit_sweep(const SweepConfig& cfg_in, const SubmitOptions& opts) {
  SweepConfig cfg = cfg_in;
  cfg.validate();
  const fs::path workdir = fs::current_path();
  cfg.output = fs::absolute(cfg.output).lexically_normal();
  const fs::path run_dir = cfg.run_dir();
  const std::string exe = cfg.cluster.ganbench.empty() ? opts.exe : cfg.cluster.ganbench;

  const CellPlan plan = plan_cells(cfg, opts.only);
  note_skipped(plan, "not submitted");
  const std::vector<std::string>& todo = plan.todo;
  const std::vector<Cell>& cells = plan.admitted;  // done ones included (--wait reports on them all)
  std::error_code ec;

  const std::string folder_name = fmt::format("submit-{:03d}", submissions(run_dir).size() + 1);
  const fs::path submission = run_dir / "slurm" / folder_name;
  if (todo.empty()) {
    fmt::print(stderr, "ganbench: nothing to submit: every cell is done, queued or running\n");
    return 0;
  }
  const SlurmScripts scripts = slurm_scripts(cfg, run_dir, submission, workdir, todo, exe);
  if (opts.dry_run) {
    fmt::print("# {} ({} tasks)\n{}\n# {} (after the array: sbatch --dependency=afterany:<array job>)\n{}",
               (submission / "array.sbatch").string(), todo.size(), scripts.array,
               (submission / "merge.sbatch").string(), scripts.merge);
    return 0;
  }

  fs::create_directories(submission / "logs");
  const std::string yaml = to_yaml(cfg);
  write_file_atomic(run_dir / "config.yaml", yaml);
  write_file_atomic(submission / "config.yaml", yaml);
  write_file_atomic(submission / "cells.txt", fmt::format("{}\n", fmt::join(todo, "\n")));
  write_file_atomic(submission / "array.sbatch", scripts.array);
  write_file_atomic(submission / "merge.sbatch", scripts.merge);

  auto sbatch = [](std::vector<std::string> args, const fs::path& script) {
    std::string out;
    args.insert(args.begin(), {"sbatch", "--parsable"});
    args.push_back(script.string());
    const int rc = run_program(args, &out);
    if (rc == -1) throw std::runtime_error("sbatch not found: is this a Slurm login node?");
    if (rc != 0) throw std::runtime_error(fmt::format("sbatch {} failed (exit {})", script.string(), rc));
    return sbatch_job_id(out, script);
  };
  const std::string array_job = sbatch({}, submission / "array.sbatch");
  const std::string merge_job =
      sbatch({"--dependency=afterany:" + array_job}, submission / "merge.sbatch");
  std::string list = fs::exists(run_dir / kSubmissions, ec) ? read_file(run_dir / kSubmissions) : "";
  list += fmt::format("{}\t{}\t{}\n", array_job, merge_job, folder_name);
  write_file_atomic(run_dir / kSubmissions, list);
  fmt::print("submitted {} cells as job array {}{}; merge job {} runs after it\n"
             "  ganbench status {}\n",
             todo.size(), array_job,
             cfg.cluster.array_throttle > 0 ? fmt::format(" (at most {} at once)", cfg.cluster.array_throttle) : "",
             merge_job, run_dir.string());
  if (!opts.wait) return 0;
  for (;;) {  // until both jobs have left the queue
    const auto q = queue();
    const bool waiting = std::any_of(q.begin(), q.end(), [&](const auto& kv) {
      return kv.first == merge_job || kv.first.rfind(array_job + "_", 0) == 0 || kv.first == array_job;
    });
    if (!waiting) break;
    std::this_thread::sleep_for(std::chrono::seconds(kWaitPollSeconds));
  }
  int not_done = 0;  // of the cells this command was asked for
  for (const auto& st : cell_states(run_dir))
    if (std::any_of(cells.begin(), cells.end(), [&](const Cell& c) { return c.id == st.id; }) &&
        (st.state != "done" || st.where != "merged"))
      ++not_done;
  return not_done > 0 ? 3 : 0;
}

MergeSummary merge_shards(const fs::path& run_dir) {
  const FolderLock lock(run_dir);  // one merge at a time, and never during a local run on this folder
  const SweepConfig cfg = run_config(run_dir);
  ResultsStore store(run_dir / "results.db");
  store.record_sweep(cfg.name, read_file(run_dir / "config.yaml"));
  MergeSummary sum;
  std::error_code ec;
  if (fs::is_directory(run_dir / "shards", ec)) {
    std::vector<fs::path> shards;
    for (const auto& d : fs::directory_iterator(run_dir / "shards"))
      if (d.is_directory()) shards.push_back(d.path());
    std::sort(shards.begin(), shards.end());
    for (const auto& shard : shards) {
      const std::string id = shard.filename().string();
      std::optional<FolderLock> shard_lock;
      try {
        shard_lock.emplace(shard);
      } catch (const std::runtime_error&) {
        continue;  // its task is running
      }
      std::optional<CellRecord> rec;
      std::vector<MetricRow> metrics;
      std::vector<ArtefactRow> artefacts;
      {
        if (!fs::exists(shard / "results.db", ec)) continue;
        ResultsStore s(shard / "results.db", false);
        rec = s.find_cell(id);
        if (!rec || rec->status == "running") continue;  // never started, or killed: resubmitting resumes it
        metrics = s.metrics(id);
        artefacts = s.artefacts(id);
      }
      if (rec->status == "done") {
        // The folder first: the run folder never says done without the cell's files. After a crash between
        // the two, the next merge finds the folder moved and imports the rows.
        const fs::path from = shard / "cells" / id, to = run_dir / "cells" / id;
        if (fs::exists(from, ec)) {
          fs::create_directories(to.parent_path());
          fs::remove_all(to);
          fs::rename(from, to);
        }
      }
      store.import_cell(*rec, metrics, artefacts);
      ++sum.merged;
      if (rec->status == "done") {
        shard_lock.reset();
        fs::remove_all(shard);
      }
    }
  }
  std::map<std::string, std::string> status;
  for (const auto& c : store.cells()) status[c.id] = c.status;
  for (const auto& c : expand_cells(cfg)) (status[c.id] == "done" ? sum.done : sum.not_done)++;
  return sum;
}

}  // namespace ganbench
