#include <doctest/doctest.h>

#include <fstream>

#include <fmt/format.h>

#include "common/npy.h"
#include "experiments/sweep.h"
#include "results/results_store.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {
SweepConfig tiny_sweep(const std::filesystem::path& out, int64_t steps = 120) {
  const std::string yaml = fmt::format(R"(
name: tiny
architectures: [dcgan]
modalities: [cardiac]
seeds: [0, 1]
image_size: 16
threads: 2
train: {{steps: {}, batch_size: 16, checkpoint_every: 50, log_every: 20}}
data: {{count: 60}}
eval: {{samples: 64, grid: 4, kid_subsets: 5, kid_subset_size: 32}}
arch: {{dcgan: {{z_dim: 16, base_channels: 8}}}}
)",
                                       steps);
  SweepConfig c = parse_sweep_config(yaml, "tiny.yaml");
  c.output = out;
  return c;
}

double metric(const ResultsStore& s, const std::string& cell, const std::string& name, int64_t step) {
  for (const auto& m : s.metrics(cell))
    if (m.name == name && m.step == step) return m.value;
  FAIL("metric " << name << "@" << step << " missing for " << cell);
  return NAN;
}
}  // namespace

TEST_SUITE("experiments") {
  TEST_CASE("expansion and --only filters") {
    test::TempDir dir;
    const SweepConfig c = tiny_sweep(dir.path());
    const auto cells = expand_cells(c);
    REQUIRE(cells.size() == 2);
    CHECK(cells[0].id == "dcgan-cardiac-s0");
    CHECK(cell_config_hash(c, cells[0]) != cell_config_hash(c, cells[1]));
    SweepConfig moved = c;
    moved.output = "/elsewhere";
    moved.threads = "1";
    moved.parallel_cells = 2;  // where cells run
    moved.train.divergence_threshold = 50;  // decides when a cell fails, not what a finished one computed
    CHECK(cell_config_hash(moved, cells[0]) == cell_config_hash(c, cells[0]));
    CHECK(cell_config_yaml(moved, cells[0]).find("divergence_threshold: 50") != std::string::npos);
    CHECK(cell_config_yaml(c, cells[0]).find("divergence_threshold") == std::string::npos);  // -1: not written
    const CellFilter f = parse_cell_filter("arch=dcgan,seed=1");
    CHECK(!f.admits(cells[0]));
    CHECK(f.admits(cells[1]));
    CHECK_THROWS_WITH(parse_cell_filter("model=x"), doctest::Contains("unknown key 'model'"));
  }

  TEST_CASE("a sweep trains, scores and stores every cell; resume skips finished cells") {
    test::TempDir dir;
    const SweepConfig c = tiny_sweep(dir.path());
    RunOptions o;
    o.progress = false;
    const SweepSummary s = run_sweep(c, o);
    CHECK(s.done == 2);
    CHECK(s.failed == 0);
    const auto run = dir / "tiny";
    CHECK(std::filesystem::exists(run / "config.yaml"));
    CHECK(std::filesystem::exists(run / "cells/dcgan-cardiac-s0/config.yaml"));
    CHECK(std::filesystem::exists(run / "cells/dcgan-cardiac-s0/checkpoints/step_00000120.pt"));
    {
      ResultsStore store(run / "results.db", false);
      for (const auto& cell : store.cells()) {
        CAPTURE(cell.id);
        CHECK(cell.status == "done");
        // Training moved the samples toward the phantom in the stand-in feature space.
        const double before = metric(store, cell.id, "fd_handcrafted", 0);
        const double after = metric(store, cell.id, "fd_handcrafted", 120);
        MESSAGE(cell.id << ": fd_handcrafted " << before << " at step 0 -> " << after << " at step 120");
        CHECK(after < 0.5 * before);
        CHECK(metric(store, cell.id, "kid_handcrafted", 120) < metric(store, cell.id, "fd_handcrafted", 0));
        CHECK(std::isfinite(metric(store, cell.id, "train/loss_d", 120)));
      }
    }
    // Without --resume an existing run is refused and nothing is touched.
    CHECK_THROWS_WITH(run_sweep(c, o), doctest::Contains("--resume"));
    o.resume = true;
    const SweepSummary again = run_sweep(c, o);
    CHECK(again.skipped == 2);
    CHECK(again.done == 0);
    // A changed config does not silently reuse finished cells.
    SweepConfig changed = c;
    changed.train.steps = 121;
    CHECK_THROWS_WITH(run_sweep(changed, o), doctest::Contains("different config"));
  }

  TEST_CASE("a volume sweep (data.dims: 3): both 3-D architectures train, are scored per plane and stored [volumes]") {
    test::TempDir dir;
    SweepConfig c = parse_sweep_config(R"(
name: vol
architectures: [dcgan3d, multiscale3d]
modalities: [liver]
image_size: 16
threads: 2
train: {steps: 40, batch_size: 8, checkpoint_every: 20, log_every: 10}
data: {dims: 3, count: 40}
eval: {samples: 16, grid: 2, kid_subsets: 3, kid_subset_size: 16}
segmentation: {enabled: true, ratios: [1], steps: 30, batch_size: 4, eval_every: 10, depth: 2, base_channels: 4}
arch: {dcgan3d: {z_dim: 16, base_channels: 8}, multiscale3d: {z_dim: 16, base_channels: 8, patch: 8, patch_channels: 8}}
)",
                                       "vol.yaml");
    c.output = dir.path();
    RunOptions o;
    o.progress = false;
    const SweepSummary s = run_sweep(c, o);
    CHECK(s.done == 2);
    CHECK(s.failed == 0);
    ResultsStore store(dir / "vol" / "results.db", false);
    for (const auto& cell : store.cells()) {
      CAPTURE(cell.id);
      CHECK(cell.status == "done");
      double sum = 0;
      for (const char* plane : {"axial", "coronal", "sagittal"}) {
        const double v = metric(store, cell.id, fmt::format("fd_handcrafted-{}", plane), 40);
        CHECK(v > 0);
        sum += v;
        CHECK(std::isfinite(metric(store, cell.id, fmt::format("kid_handcrafted-{}", plane), 40)));
      }
      CHECK(metric(store, cell.id, "fd_handcrafted-mean", 40) == doctest::Approx(sum / 3));
      // The 3-D U-Net protocol: Dice in [0, 1], HD95 in mm (400 mm field of view / 16 voxels = 25 mm voxels),
      // and the distance in the 3-D U-Net encoder's features.
      for (const char* arm : {"real", "synth", "mix_r1"}) {
        CAPTURE(arm);
        const double dice = metric(store, cell.id, fmt::format("seg_dice_{}", arm), 40);
        CHECK(dice >= 0);
        CHECK(dice <= 1);
        const double hd = metric(store, cell.id, fmt::format("seg_hd95_mm_{}", arm), 40);
        CHECK((std::isnan(hd) || hd >= 25.0));  // at least one voxel when defined
      }
      CHECK(metric(store, cell.id, "fd_unet3d", 40) >= 0);
      CHECK(std::isfinite(metric(store, cell.id, "fd_handcrafted-mean", 0)));
      const NpyArray samples = read_npy(dir / "vol" / "cells" / cell.id / "samples_images.npy");
      CHECK(samples.shape == std::vector<int64_t>{2, 1, 16, 16, 16});
      CHECK(read_npy(dir / "vol" / "cells" / cell.id / "samples_labels.npy").shape ==
            std::vector<int64_t>{2, 16, 16, 16});
    }
  }

  TEST_CASE("a failing cell is recorded as failed with its error, and the sweep goes on") {
    test::TempDir dir;
    SweepConfig c = tiny_sweep(dir.path(), 4);
    c.train.batch_size = 2;
    RunOptions o;
    o.progress = false;
    // Force a failure by pointing the checkpoint folder at a file.
    std::filesystem::create_directories(dir / "tiny/cells/dcgan-cardiac-s0");
    std::ofstream(dir / "tiny/cells/dcgan-cardiac-s0/checkpoints") << "not a folder";
    const SweepSummary s = run_sweep(c, o);
    CHECK(s.failed == 1);
    CHECK(s.done == 1);
    ResultsStore store(dir / "tiny/results.db", false);
    const auto failed = store.find_cell("dcgan-cardiac-s0");
    REQUIRE(failed);
    CHECK(failed->status == "failed");
    CHECK(!failed->error.empty());
  }

  TEST_CASE("a diverging cell (learning rate 1) fails with the step and the value; its report row says so") {
    test::TempDir dir;
    SweepConfig c = tiny_sweep(dir.path(), 40);
    c.arch["dcgan"]["lr"] = 1.0;
    c.train.checkpoint_every = 1;
    RunOptions o;
    o.progress = false;
    const SweepSummary s = run_sweep(c, o);
    CHECK(s.failed == 2);
    ResultsStore store(dir / "tiny/results.db", false);
    for (const char* id : {"dcgan-cardiac-s0", "dcgan-cardiac-s1"}) {
      CAPTURE(id);
      const auto cell = store.find_cell(id);
      REQUIRE(cell);
      CHECK(cell->status == "failed");
      CHECK(cell->error.find("training diverged: ") != std::string::npos);
      CHECK(cell->error.find("beyond train.divergence_threshold 100") != std::string::npos);
    }
    // Off: the same cells run to the end.
    c.train.divergence_threshold = 0;
    c.name = "tiny_off";
    c.train.steps = 4;
    CHECK(run_sweep(c, o).done == 2);
  }
}
