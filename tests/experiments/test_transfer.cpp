// Transfer learning and data scarcity (experiments/transfer, the train.init_from and data.train_subjects axes):
// a fine-tuned cell starts from exactly its source's generator and records the source in its config and hash; a
// changed or missing source is refused by name; the axes expand into cells the report files as rows and plots
// against N.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "experiments/cell.h"
#include "experiments/config.h"
#include "experiments/sweep.h"
#include "experiments/transfer.h"
#include "reports/report.h"
#include "results/results_store.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {

// A pretrained DCGAN on the liver CT phantom (seed 0), shared by the cases.
const fs::path& pretrained_run() {
  static test::TempDir dir;
  static const fs::path run = [] {
    SweepConfig c = parse_sweep_config(R"(
name: pre
architectures: [dcgan]
modalities: [liver]
image_size: 32
threads: 2
train: {steps: 12, batch_size: 8, checkpoint_every: 0}
data: {count: 60}
eval: {samples: 32, grid: 4, kid_subsets: 2, kid_subset_size: 16}
arch: {dcgan: {z_dim: 16, base_channels: 8}}
)",
                                       "pre.yaml");
    c.output = dir.path();
    RunOptions ro;
    ro.progress = false;
    REQUIRE(run_sweep(c, ro).done == 1);
    return c.run_dir();
  }();
  return run;
}

std::string fine_tune_yaml(const fs::path& source, const std::string& extra = "") {
  return fmt::format(R"(
name: ft
architectures: [dcgan]
modalities: [liver_mr]
image_size: 32
threads: 2
train: {{steps: 6, batch_size: 8, checkpoint_every: 0, init_from: [scratch, "{}"], freeze_d: 1}}
data: {{count: 60, train_subjects: [8, 16]}}
eval: {{samples: 32, grid: 4, kid_subsets: 2, kid_subset_size: 16}}
arch: {{dcgan: {{z_dim: 16, base_channels: 8}}}}
{})",
                     source.string(), extra);
}

NpyArray npy(const fs::path& p) { return read_npy(p); }

}  // namespace

TEST_SUITE("experiments") {
  TEST_CASE("transfer: the axes expand into cells, scratch first, and --only selects them") {
    SweepConfig c = parse_sweep_config(fine_tune_yaml("/src/a"), "t.yaml");
    const auto cells = expand_cells(c);
    std::vector<std::string> ids;
    for (const auto& x : cells) ids.push_back(x.id);
    CHECK(ids == std::vector<std::string>{"dcgan-liver_mr-n8-s0", "dcgan-liver_mr-n8-ft-s0", "dcgan-liver_mr-n16-s0",
                                          "dcgan-liver_mr-n16-ft-s0"});
    CHECK(cells[1].init_from == "/src/a");
    CHECK(cells[1].train_subjects == 8);
    CHECK(cells[0].init_from.empty());
    c.train.init_from = {"/src/a", "/src/b"};  // two sources: numbered
    CHECK(expand_cells(c)[1].id == "dcgan-liver_mr-n8-ft2-s0");
    const CellFilter f = parse_cell_filter("n=16,init=finetuned");
    int admitted = 0;
    for (const auto& x : cells) admitted += f.admits(x);
    CHECK(admitted == 1);
    CHECK_THROWS_WITH_AS(parse_cell_filter("init=pretrained"), doctest::Contains("scratch or finetuned"),
                         std::invalid_argument);
    // One Slurm task's cell (run --cell ID) by its id alone: the four cells share architecture, modality and seed.
    CellFilter one;
    one.ids = {"dcgan-liver_mr-n16-ft-s0"};
    int selected = 0;
    for (const auto& x : cells) selected += one.admits(x);
    CHECK(selected == 1);
    // Without the axes, ids are what they were.
    SweepConfig plain = parse_sweep_config("architectures: [dcgan]\nmodalities: [cardiac]\n", "p.yaml");
    CHECK(expand_cells(plain)[0].id == "dcgan-cardiac-s0");
  }

  TEST_CASE("transfer: the config refuses FreezeD without a source or a layered D, and repeated entries") {
    auto bad = [](const std::string& yaml) { return parse_sweep_config(yaml, "b.yaml"); };
    CHECK_THROWS_WITH_AS(bad("architectures: [dcgan]\nmodalities: [cardiac]\ntrain: {freeze_d: 2}\n"),
                         doctest::Contains("key 'train.freeze_d'"), ConfigError);
    CHECK_THROWS_WITH_AS(
        bad("architectures: [multiscale]\nmodalities: [cardiac]\ntrain: {freeze_d: 1, init_from: [runs/x]}\n"),
        doctest::Contains("'multiscale' has no single layered discriminator"), ConfigError);
    CHECK_THROWS_WITH_AS(bad("architectures: [dcgan]\nmodalities: [cardiac]\ntrain: {init_from: [scratch, scratch]}\n"),
                         doctest::Contains("listed twice"), ConfigError);
    CHECK_THROWS_WITH_AS(bad("architectures: [dcgan]\nmodalities: [cardiac]\ndata: {train_subjects: [25, 25]}\n"),
                         doctest::Contains("key 'data.train_subjects'"), ConfigError);
    CHECK_THROWS_WITH_AS(bad("architectures: [dcgan]\nmodalities: [cardiac]\ndata: {train_subjects: [0]}\n"),
                         doctest::Contains("data.train_subjects"), ConfigError);
  }

  TEST_CASE("transfer: first_subjects keeps whole subjects in order, nested across N") {
    ImageSet s;
    s.images = torch::arange(6, torch::kFloat32).view({6, 1, 1, 1});
    s.labels = torch::zeros({6, 1, 1}, torch::kInt64);
    s.subjects = {"a", "a", "b", "c", "b", "d"};  // b's slices are not adjacent
    const ImageSet two = first_subjects(s, 2, "toy");
    CHECK(two.subjects == std::vector<std::string>{"a", "a", "b", "b"});
    CHECK(torch::equal(two.images.flatten(), torch::tensor({0.f, 1.f, 2.f, 4.f})));
    const ImageSet three = first_subjects(s, 3, "toy");
    CHECK(three.size() == 5);  // two's images and c's
    CHECK_THROWS_WITH_AS(first_subjects(s, 5, "toy"), doctest::Contains("asks for 5 training subjects but the split has 4"),
                         std::runtime_error);
  }

  TEST_CASE("transfer: a fine-tuned cell starts from its source's generator, records the source, and plots against N") {
    const fs::path& pre = pretrained_run();
    test::TempDir out;
    SweepConfig c = parse_sweep_config(fine_tune_yaml(pre), "ft.yaml");
    c.output = out.path();
    RunOptions ro;
    ro.progress = false;
    REQUIRE(run_sweep(c, ro).done == 4);
    const fs::path run = c.run_dir();
    // Step 0 of the fine-tuned cell is the source's trained generator on the same latents: equal arrays.
    const auto src = npy(pre / "cells" / "dcgan-liver-s0" / "samples_images.npy").to_floats();
    CHECK(npy(run / "cells" / "dcgan-liver_mr-n8-ft-s0" / "samples_step0_images.npy").to_floats() == src);
    CHECK(npy(run / "cells" / "dcgan-liver_mr-n8-s0" / "samples_step0_images.npy").to_floats() != src);
    // The source in the cell's config, and so in its hash.
    const ResultsStore source_store(pre / "results.db", false);
    const auto source_cell = source_store.find_cell("dcgan-liver-s0");
    REQUIRE(source_cell);
    const std::string yaml = read_file(run / "cells" / "dcgan-liver_mr-n8-ft-s0" / "config.yaml");
    CHECK(yaml.find(fmt::format("cell dcgan-liver-s0 (config {})", source_cell->config_hash)) != std::string::npos);
    CHECK(yaml.find("freeze_d: 1") != std::string::npos);
    CHECK(read_file(run / "cells" / "dcgan-liver_mr-n8-s0" / "config.yaml").find("freeze_d") == std::string::npos);
    // The cells' stored settings: N and the start.
    const ResultsStore store(run / "results.db", false);
    std::map<std::string, double> n_of, init_of;
    for (const auto& cell : store.cells())
      for (const auto& m : store.metrics(cell.id)) {
        if (m.name == "train_subjects") n_of[cell.id] = m.value;
        if (m.name == "init_pretrained") init_of[cell.id] = m.value;
      }
    CHECK(n_of["dcgan-liver_mr-n16-ft-s0"] == 16);
    CHECK(init_of["dcgan-liver_mr-n16-ft-s0"] == 1);
    CHECK(init_of["dcgan-liver_mr-n16-s0"] == 0);
    // Resume skips all four: the hashes hold.
    ro.resume = true;
    CHECK(run_sweep(c, ro).skipped == 4);
    // The report: one row per start and N, and the metric-vs-N plot.
    ReportOptions rop;
    rop.formats = {"md", "html"};
    rop.out_dir = run / "rep";
    write_report({run}, rop);
    const std::string md = read_file(run / "rep" / "report.md");
    CHECK(md.find("dcgan n=8 fine-tuned (FreezeD 1)") != std::string::npos);
    CHECK(md.find("dcgan n=16 scratch") != std::string::npos);
    CHECK(md.find("## Study table") == std::string::npos);  // one real-data row cannot stand for every N
    const std::string html = read_file(run / "rep" / "report.html");
    CHECK(html.find("vs training subjects, liver_mr") != std::string::npos);
    // A source whose checkpoint changed after it finished is refused by name, so is a missing one, or a run
    // without a cell of the architecture.
    const auto cells = expand_cells(c);
    SweepConfig other = c;
    other.train.init_from = {(out / "nowhere").string()};
    CHECK_THROWS_WITH_AS(cell_config(other, expand_cells(other)[0]), doctest::Contains("train.init_from"),
                         std::runtime_error);
    other.architectures = {"lsgan"};
    other.train.init_from = {pre.string()};
    other.train.freeze_d = 0;
    CHECK_THROWS_WITH_AS(cell_config(other, expand_cells(other)[0]), doctest::Contains("has no finished lsgan cell"),
                         std::runtime_error);
    const fs::path ck = [&] {
      for (const auto& e : fs::directory_iterator(pre / "cells" / "dcgan-liver-s0" / "checkpoints")) return e.path();
      return fs::path();
    }();
    const std::string bytes = read_file(ck);
    write_file_atomic(ck, bytes + "x");
    CHECK_THROWS_WITH_AS(cell_config(c, cells[1]), doctest::Contains("has changed since its cell finished"),
                         std::runtime_error);
    write_file_atomic(ck, bytes);
    CHECK_NOTHROW(cell_config(c, cells[1]));
  }
}
