// Reference reports: stored results databases must keep giving byte-identical report files. The files under
// tests/fixtures/reports/ were written by the report code before the results/reports split (issue 12); a
// refactor that changes one byte of a table, a chart or a footnote fails here. To accept an intended change
// of the output, rerun with GANBENCH_UPDATE_GOLDEN=1 and review the diff of the fixtures.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>

#include "common/atomic_file.h"
#include "reports/report.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {

const char* kFormats[] = {"report.md", "report.csv", "report.tex", "report.html"};

// Compares the report files written into `out` with `golden` (or rewrites them when asked).
void check_against_golden(const fs::path& out, const fs::path& golden) {
  const bool update = std::getenv("GANBENCH_UPDATE_GOLDEN") != nullptr;
  for (const char* f : kFormats) {
    CAPTURE(f);
    const std::string text = read_file(out / f);
    if (update) {
      write_file_atomic(golden / f, text);
      continue;
    }
    REQUIRE(fs::exists(golden / f));
    const std::string want = read_file(golden / f);
    if (text != want) {  // show where it first differs
      size_t i = 0;
      while (i < text.size() && i < want.size() && text[i] == want[i]) ++i;
      const size_t from = i > 80 ? i - 80 : 0;
      MESSAGE("first difference at byte ", i, "\n  got:  ", text.substr(from, 160),
              "\n  want: ", want.substr(from, 160));
    }
    CHECK(text == want);
  }
}

// A database that exercises every metric family the cell runner writes, the report's derived names
// (@step0), missing values of each kind, a failed cell, NaN values, curves and a name outside the catalogue.
fs::path rich_run(const fs::path& root) {
  const fs::path run = root / "rich";
  ResultsStore s(run / "results.db");
  s.record_sweep("rich", "name: rich\n");
  const std::vector<std::string> archs = {"dcgan", "stylegan2", "wgan_gp"};
  const std::vector<std::string> mods = {"cardiac", "liver"};
  int k = 0;
  for (const auto& a : archs)
    for (const auto& m : mods)
      for (int seed = 0; seed < 3; ++seed, ++k) {
        if (a == "wgan_gp" && m == "liver") continue;  // not run
        CellRecord c;
        c.id = fmt::format("{}-{}-s{}", a, m, seed);
        c.sweep = "rich";
        c.architecture = a;
        c.modality = m;
        c.seed = seed;
        c.config_hash = fmt::format("{:016x}", 1000 + k);
        c.config_yaml =
            fmt::format("name: rich\narchitectures: [{}]\nmodalities: [{}]\nseeds: [{}]\n", a, m, seed);
        c.started = "2026-01-01T00:00:00Z";
        c.host = "host";
        c.device = "cpu";
        c.threads = 2;
        s.begin_cell(c);
        if ((a == "stylegan2" && m == "liver") || (a == "dcgan" && seed == 2)) {
          s.fail_cell(c.id, fmt::format("non-finite loss | at step {}\nloss_d = nan", 10 + k), 3.5 + k);
          continue;
        }
        const double u = std::sin(1.0 + k * 0.7) * 0.5 + 0.5;  // in [0, 1], varies per cell
        std::vector<MetricRow> rows;
        auto put = [&](const std::string& name, int64_t step, double v) {
          rows.push_back({c.id, name, step, v});
        };
        const int64_t last = 200;
        put("fd_handcrafted", 0, 6.5 + u);
        put("fd_handcrafted", last, 0.2 + 0.3 * u);
        put("kid_handcrafted", last, 0.004 + 0.01 * u);
        put("kid_handcrafted_std", last, 0.001 * u);
        put("precision_handcrafted", last, 0.5 + 0.4 * u);
        put("recall_handcrafted", last, 0.3 + 0.5 * u);
        put("fd_handcrafted_real_floor", last, 0.05);
        if (m == "cardiac") {  // FID only where weights were present
          put("fid_inception", 0, 300 + 10 * u);
          put("fid_inception", last, 40 + 30 * u);
          put("kid_inception", last, 0.03 + 0.02 * u);
          put("kid_inception_std", last, 0.002);
          put("fid_inception_real_floor", last, 3.25);
          put("precision_inception", last, 0.6 + 0.1 * u);
          put("recall_inception", last, 0.2 + 0.1 * u);
        }
        put("degenerate_label_fraction", 0, 0.5);
        put("degenerate_label_fraction", last, seed == 1 ? 0.0 : 0.0625 * u);
        if (a != "stylegan2") {  // segmentation protocol
          put("fd_unet", last, 1.0 + 20 * u);
          put("fd_unet_real_floor", last, 0.25);
          put("seg_dice_real", last, 0.97 + 0.01 * u);
          put("seg_dice_real/LV", last, 0.95);
          put("seg_dice_real/MYO", last, std::nan(""));
          put("seg_hd95_real", last, 0.4 + u);
          put("seg_train_images_real", last, 420);
          put("seg_dice_synth", last, 0.5 + 0.4 * u);
          put("seg_dice_synth_delta", last, -0.47 + 0.4 * u);
          put("seg_dice_synth/LV", last, 0.6 * u);
          put("seg_hd95_synth", last, 1 + 4 * u);
          put("seg_train_images_synth", last, 420);
          for (double r : {0.5, 1.0, 2.0}) {
            const std::string arm = fmt::format("mix_r{}", r);
            put("seg_dice_" + arm, last, 0.96 + 0.01 * u - 0.001 * r);
            put("seg_dice_" + arm + "_delta", last, -0.004 - 0.001 * r + 0.002 * u);
            put("seg_hd95_" + arm, last, 0.5 + u * r);
            put("seg_train_images_" + arm, last, 420 + 420 * r);
            put("seg_dice_" + arm + "/LV", last, 0.9);
          }
        }
        put("train_seconds", last, 40 + 100 * u);
        put("steps_per_second", last, 2.5 + 7 * u);
        put("parameters", last, 466790 + 1000 * k);
        put("peak_rss_mib", last, 230 + 250 * u);
        put("resumed_from_step", last, 0);
        put("custom_score", last, 123.456 * u);
        for (int64_t st = 25; st <= last; st += 25) {
          put("train/loss_d", st, 1.4 - 0.002 * st + 0.1 * u);
          put("train/loss_g", st, 0.7 + 0.004 * st - 0.1 * u);
        }
        c.finished = "2026-01-01T00:10:00Z";
        c.train_seconds = 40 + 100 * u;
        c.total_seconds = 60 + 100 * u;
        s.finish_cell(c, rows, {});
      }
  return run;
}

}  // namespace

TEST_SUITE("reports") {
  TEST_CASE("reference reports: a database with every metric family gives byte-identical files") {
    test::TempDir dir;
    const fs::path run = rich_run(dir.path());
    write_report({run}, {{"md", "csv", "tex", "html"}, {}});
    check_against_golden(run, test::fixtures() / "reports" / "rich");
  }

  TEST_CASE("reference reports: a real sweep's database and sample arrays give byte-identical files") {
    test::TempDir dir;
    const fs::path src = test::fixtures() / "reports" / "tiny_run" / "run";
    REQUIRE(fs::exists(src / "results.db"));
    fs::copy(src, dir / "run", fs::copy_options::recursive);  // reports never write into the fixture
    write_report({dir / "run"}, {{"md", "csv", "tex", "html"}, {}});
    check_against_golden(dir / "run", test::fixtures() / "reports" / "tiny_run");
  }
}
