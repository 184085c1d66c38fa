// The Slurm executor without Slurm: config keys, job scripts, shards and their merge, cell states.
// tests/cli/slurm.sh drives a real one-node cluster.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <algorithm>

#include <fmt/format.h>

#include "common/atomic_file.h"
#include "experiments/cell.h"
#include "experiments/config.h"
#include "experiments/slurm.h"
#include "experiments/sweep.h"
#include "metrics/metric_catalogue.h"
#include "results/results_store.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {
const char* kSweep = R"(
name: sh
architectures: [dcgan]
modalities: [cardiac]
seeds: [0, 1, 2]
image_size: 16
threads: 1
train: {steps: 6, batch_size: 8, checkpoint_every: 3, log_every: 3}
data: {count: 40}
eval: {samples: 16, grid: 4, kid_subsets: 2, kid_subset_size: 8}
arch: {dcgan: {z_dim: 16, base_channels: 8}}
)";

std::string config_error(const std::string& yaml) {
  try {
    parse_sweep_config(yaml, "c.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::map<std::string, std::string> states_of(const fs::path& run) {
  std::map<std::string, std::string> out;
  for (const auto& s : cell_states(run)) out[s.id] = s.state + "/" + s.where;
  return out;
}
}  // namespace

TEST_SUITE("experiments") {
  TEST_CASE("cluster keys: written only when set, checked like the rest, outside the cell hash") {
    const SweepConfig plain = parse_sweep_config(kSweep, "a.yaml");
    CHECK(to_yaml(plain).find("cluster") == std::string::npos);  // older run folders keep their hashes
    const SweepConfig c = parse_sweep_config(
        std::string(kSweep) +
            "cluster: {partition: gpu, time: '1-02:00:00', mem: 16G, gres: 'gpu:1', array_throttle: 4, "
            "cpus_per_task: 8, sbatch: [--constraint=a100], setup: [module load cuda]}\n",
        "b.yaml");
    CHECK(c.cluster.partition == "gpu");
    CHECK(c.cluster.array_throttle == 4);
    CHECK(c.cluster.setup == std::vector<std::string>{"module load cuda"});
    CHECK(parse_sweep_config(to_yaml(c), "r.yaml").cluster.gres == "gpu:1");  // round trip
    const Cell cell = expand_cells(c)[0];
    CHECK(cell_config_hash(c, cell) == cell_config_hash(plain, cell));

    CHECK(config_error(std::string(kSweep) + "cluster: {time: soon}\n").find("key 'cluster.time'") !=
          std::string::npos);
    CHECK(config_error(std::string(kSweep) + "cluster: {mem: 16GB}\n").find("key 'cluster.mem'") !=
          std::string::npos);
    CHECK(config_error(std::string(kSweep) + "cluster: {sbatch: [constraint=a100]}\n")
              .find("key 'cluster.sbatch[0]'") != std::string::npos);
    CHECK(config_error(std::string(kSweep) + "cluster: {partition: \"a\\nb\"}\n")
              .find("key 'cluster.partition'") != std::string::npos);
    CHECK(config_error(std::string(kSweep) + "cluster: {array_throttle: -1}\n")
              .find("key 'cluster.array_throttle'") != std::string::npos);
    CHECK(config_error(std::string(kSweep) + "cluster: {partion: gpu}\n").find("'cluster.partion'") !=
          std::string::npos);
  }

  TEST_CASE("job scripts: one array with its throttle, every sbatch option, quoted paths, the merge job") {
    SweepConfig c = parse_sweep_config(
        std::string(kSweep) +
            "cluster: {partition: gpu, account: lab, qos: high, time: '04:00:00', mem: 16G, gres: 'gpu:1', "
            "array_throttle: 2, cpus_per_task: 8, sbatch: [--constraint=a100], setup: [module load cuda]}\n",
        "b.yaml");
    const SlurmScripts s = slurm_scripts(c, "/scratch/runs/sh", "/scratch/runs/sh/slurm/submit-001", "/home/u",
                                         {"dcgan-cardiac-s0", "dcgan-cardiac-s2"}, "/opt/it's/ganbench");
    for (const char* line :
         {"#SBATCH --job-name=ganbench-sh\n", "#SBATCH --chdir=/home/u\n", "#SBATCH --partition=gpu\n",
          "#SBATCH --account=lab\n", "#SBATCH --qos=high\n", "#SBATCH --time=04:00:00\n", "#SBATCH --mem=16G\n",
          "#SBATCH --cpus-per-task=8\n", "#SBATCH --gres=gpu:1\n", "#SBATCH --constraint=a100\n",
          "#SBATCH --array=0-1%2\n", "#SBATCH --output=/scratch/runs/sh/slurm/submit-001/logs/%a.out\n",
          "module load cuda\n", "cells=( 'dcgan-cardiac-s0' 'dcgan-cardiac-s2' )\n",
          "exec '/opt/it'\\''s/ganbench' run '/scratch/runs/sh/slurm/submit-001/config.yaml' --out '/scratch/runs' "
          "--cell \"${cells[$SLURM_ARRAY_TASK_ID]}\" --quiet\n"}) {
      CAPTURE(line);
      CHECK(test::contains(s.array, line));
    }
    CHECK(s.array.rfind("#!/bin/bash\n", 0) == 0);
    CHECK(test::contains(s.merge, "exec '/opt/it'\\''s/ganbench' merge '/scratch/runs/sh'\n"));
    CHECK(test::contains(s.merge, "#SBATCH --partition=gpu\n"));
    CHECK(!test::contains(s.merge, "--gres"));  // the merge needs no GPU
    c.cluster.array_throttle = 0;
    CHECK(test::contains(slurm_scripts(c, "/r/sh", "/r/sh/slurm/submit-001", "/", {"a", "b", "c"}, "g").array,
                         "#SBATCH --array=0-2\n"));
  }

  TEST_CASE("shards merge into a run folder equal to a local run; states: merged, shard, stopped, pending") {
    test::TempDir dir;
    SweepConfig c = parse_sweep_config(kSweep, "sh.yaml");
    c.output = dir / "local";
    RunOptions o;
    o.progress = false;
    REQUIRE(run_sweep(c, o).done == 3);
    ResultsStore local(dir / "local/sh/results.db", false);

    // As `ganbench submit` leaves it: the resolved config in the run folder; tasks write shards.
    c.output = dir / "cluster";
    const fs::path run = c.run_dir();
    fs::create_directories(run);
    write_file_atomic(run / "config.yaml", to_yaml(c));
    CHECK(states_of(run) == std::map<std::string, std::string>{{"dcgan-cardiac-s0", "pending/"},
                                                               {"dcgan-cardiac-s1", "pending/"},
                                                               {"dcgan-cardiac-s2", "pending/"}});
    const auto cells = expand_cells(c);
    for (int i : {0, 1}) {  // what `ganbench run --cell` does
      RunOptions t = o;
      t.only.ids = {cells[i].id};  // as `run --cell ID` selects it
      t.run_dir = shard_dir(run, cells[i].id);
      t.resume = true;
      REQUIRE(run_sweep(c, t).done == 1);
    }
    {  // the third task killed mid-run: its shard still says running, and no process holds it
      const fs::path shard = shard_dir(run, cells[2].id);
      fs::create_directories(shard);
      ResultsStore s(shard / "results.db");
      CellRecord r;
      r.id = cells[2].id, r.sweep = "sh", r.architecture = "dcgan", r.modality = "cardiac", r.seed = 2;
      r.config_hash = cell_config_hash(c, cells[2]), r.config_yaml = "x";
      s.begin_cell(r);
    }
    CHECK(states_of(run) == std::map<std::string, std::string>{{"dcgan-cardiac-s0", "done/shard"},
                                                               {"dcgan-cardiac-s1", "done/shard"},
                                                               {"dcgan-cardiac-s2", "stopped/shard"}});
    {
      const FolderLock held(shard_dir(run, cells[1].id));  // a task that is running now
      CHECK(states_of(run)["dcgan-cardiac-s1"] == "running/shard");
      const MergeSummary m = merge_shards(run);  // leaves a held shard alone
      CHECK(m.merged == 1);
      CHECK(m.done == 1);
      CHECK(m.not_done == 2);
    }
    const MergeSummary m = merge_shards(run);
    CHECK(m.merged == 1);
    CHECK(m.done == 2);
    CHECK(!fs::exists(shard_dir(run, cells[0].id)));  // gathered and removed
    CHECK(fs::exists(shard_dir(run, cells[2].id)));   // kept: resubmitting resumes it
    CHECK(merge_shards(run).merged == 0);             // idempotent
    CHECK(states_of(run) == std::map<std::string, std::string>{{"dcgan-cardiac-s0", "done/merged"},
                                                               {"dcgan-cardiac-s1", "done/merged"},
                                                               {"dcgan-cardiac-s2", "stopped/shard"}});
    {  // `ganbench status` while a writer holds the merged database's write lock with an uncommitted change
      sqlite3* w = nullptr;
      REQUIRE(sqlite3_open((run / "results.db").c_str(), &w) == SQLITE_OK);
      REQUIRE(sqlite3_exec(w, "BEGIN IMMEDIATE; UPDATE cells SET status = 'failed' WHERE id = 'dcgan-cardiac-s0';",
                           nullptr, nullptr, nullptr) == SQLITE_OK);
      CHECK(states_of(run)["dcgan-cardiac-s0"] == "done/merged");  // neither blocks nor sees it
      REQUIRE(sqlite3_exec(w, "ROLLBACK;", nullptr, nullptr, nullptr) == SQLITE_OK);
      sqlite3_close(w);
    }
    ResultsStore merged(run / "results.db", false);
    for (int i : {0, 1}) {
      CAPTURE(cells[i].id);
      auto reproducible = [](std::vector<MetricRow> rows) {  // wall times and memory differ per attempt
        register_builtin_metrics();
        rows.erase(std::remove_if(rows.begin(), rows.end(),
                                  [](const MetricRow& r) {
                                    const auto m = match_metric(r.name);
                                    return m && m->spec->per_attempt;
                                  }),
                   rows.end());
        return rows;
      };
      const auto a = reproducible(local.metrics(cells[i].id)), b = reproducible(merged.metrics(cells[i].id));
      REQUIRE(a.size() == b.size());
      CHECK(a.size() > 5);
      for (size_t k = 0; k < a.size(); ++k) {
        CHECK(a[k].name == b[k].name);
        CHECK(a[k].step == b[k].step);
        CHECK(a[k].value == b[k].value);  // bit for bit: same machine, same cell
      }
      CHECK(merged.find_cell(cells[i].id)->config_hash == local.find_cell(cells[i].id)->config_hash);
      for (const auto& art : merged.artefacts(cells[i].id)) CHECK(fs::exists(run / art.path));
    }
  }
}
