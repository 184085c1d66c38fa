#include "experiments/parallel.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "common/atomic_file.h"
#include "common/process.h"
#include "common/runtime.h"
#include "experiments/slurm.h"

extern char** environ;

namespace ganbench {
namespace fs = std::filesystem;
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);  // between checks for finished children

pid_t spawn_cell(const std::string& exe, const fs::path& config, const std::string& id, const fs::path& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  const std::vector<std::string> args = {exe, "run", config.string(), "--cell", id, "--quiet"};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error(fmt::format("cannot start {} for cell {}: {}", exe, id, std::strerror(rc)));
  return pid;
}

}  // namespace

SweepSummary run_parallel(const SweepConfig& cfg_in, const ParallelOptions& opts) {
  SweepConfig cfg = cfg_in;
  cfg.validate();
  cfg.output = fs::absolute(cfg.output).lexically_normal();
  const fs::path run_dir = cfg.run_dir();
  const auto n = static_cast<size_t>(cfg.parallel_cells);
  fs::create_directories(run_dir / "parallel");
  const auto log_of = [&](const std::string& id) { return run_dir / "parallel" / (id + ".log"); };
  SweepSummary summary;
  {
    const FolderLock lock(run_dir);  // no other run and no merge on this folder while the children work
    const CellPlan plan = plan_cells(cfg, opts.only);
    if (!opts.resume)  // as a one-at-a-time run: a folder that holds an admitted cell needs --resume
      for (const auto& st : plan.states)
        if (st.state != "pending")
          throw std::runtime_error(
              fmt::format("{} already holds cell {} ({}); pass --resume to keep finished cells and "
                          "continue the others, or choose another --out",
                          run_dir.string(), st.id, st.state));
    note_skipped(plan, "not run");
    const std::vector<std::string>& todo = plan.todo;
    write_file_atomic(run_dir / "config.yaml", to_yaml(cfg));
    SweepConfig child = cfg;  // what each child reads: one cell, its share of the cores
    child.parallel_cells = 1;
    if (cfg.threads == "auto")
      child.threads = std::to_string(std::max<int>(1, parse_threads("auto") / static_cast<int>(n)));
    const fs::path child_config = run_dir / "parallel" / "config.yaml";
    write_file_atomic(child_config, to_yaml(child));
    fmt::print(stderr, "ganbench: sweep '{}': {} cells to run, {} at a time ({} threads each), run folder {}\n",
               cfg.name, todo.size(), n, child.threads, run_dir.string());

    std::map<pid_t, std::pair<std::string, std::chrono::steady_clock::time_point>> live;
    size_t next = 0;
    int forwarded = 0;  // the stop signal passed on to the children
    while ((!forwarded && next < todo.size()) || !live.empty()) {
      if (const int sig = stop_signal(); sig && !forwarded) {  // no new cells; the running ones stop
        for (const auto& kv : live) ::kill(kv.first, sig);
        forwarded = sig;
        summary.interrupted = sig;
        continue;
      }
      while (!forwarded && live.size() < n && next < todo.size()) {
        const std::string& id = todo[next++];
        live[spawn_cell(opts.exe, child_config, id, log_of(id))] = {id, std::chrono::steady_clock::now()};
      }
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, WNOHANG);
      if (pid <= 0) {
        std::this_thread::sleep_for(kPollInterval);
        continue;
      }
      const auto it = live.find(pid);
      if (it == live.end()) continue;
      const auto [id, start] = it->second;
      live.erase(it);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      const fs::path log = log_of(id);
      if (code == 0) {
        ++summary.done;
        fmt::print(stderr, "ganbench: {} done in {:.1f}s\n", id, secs);
      } else if (code == 130 || code == 143) {
        fmt::print(stderr, "ganbench: {} interrupted after {:.1f}s (log {})\n", id, secs, log.string());
      } else {
        ++summary.failed;
        fmt::print(stderr, "ganbench: {} failed (exit {}) after {:.1f}s; log {}\n", id, code, secs, log.string());
      }
    }
  }
  const MergeSummary m = merge_shards(run_dir);
  fmt::print(stderr, "ganbench: sweep '{}': {} cells merged, {} done in the run folder, {} not done\n", cfg.name,
             m.merged, m.done, m.not_done);
  return summary;
}

}  // namespace ganbench
