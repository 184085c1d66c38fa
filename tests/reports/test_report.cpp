#include <doctest/doctest.h>

#include <opencv2/imgcodecs.hpp>

#include "common/atomic_file.h"
#include "common/npy.h"
#include "experiments/results_store.h"
#include "reports/report.h"
#include "reports/sample_grid.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {
void add_cell(ResultsStore& s, const std::string& arch, const std::string& mod, int seed,
              const std::string& status, std::vector<std::pair<std::string, double>> metrics) {
  CellRecord c;
  c.id = fmt::format("{}-{}-s{}", arch, mod, seed);
  c.sweep = "handmade";
  c.architecture = arch;
  c.modality = mod;
  c.seed = seed;
  c.config_hash = "h";
  c.config_yaml = "{}";
  c.started = "2026-01-01T00:00:00Z";
  s.begin_cell(c);
  if (status == "failed") {
    s.fail_cell(c.id, "NaN at step 3", 1.0);
    return;
  }
  std::vector<MetricRow> rows;
  for (const auto& [k, v] : metrics) rows.push_back({c.id, k, 100, v});
  rows.push_back({c.id, "fd_handcrafted", 0, 50.0});
  rows.push_back({c.id, "train/loss_d", 100, 0.7});
  c.finished = "2026-01-01T00:01:00Z";
  c.train_seconds = 60;
  s.finish_cell(c, rows, {});
}

fs::path handmade_run(const fs::path& root) {
  const fs::path run = root / "handmade";
  ResultsStore s(run / "results.db");
  s.record_sweep("handmade", "name: handmade\n");
  add_cell(s, "dcgan", "cardiac", 0, "done", {{"fd_handcrafted", 1.0}, {"steps_per_second", 10}});
  add_cell(s, "dcgan", "cardiac", 1, "done", {{"fd_handcrafted", 2.0}, {"steps_per_second", 12}});
  add_cell(s, "other", "cardiac", 0, "done", {{"fd_handcrafted", 3.0}, {"steps_per_second", 20}});
  add_cell(s, "other", "cardiac", 1, "failed", {});
  add_cell(s, "dcgan", "liver", 0, "failed", {});
  return run;
}
}  // namespace

TEST_SUITE("reports") {
  TEST_CASE("summaries: mean, sample std and n") {
    const Summary s = summarize({1.0, 2.0, NAN});
    CHECK(s.n == 2);
    CHECK(s.mean == doctest::Approx(1.5));
    CHECK(s.std == doctest::Approx(0.70710678));
    CHECK(std::isnan(summarize({4.0}).std));
    CHECK(summarize({}).n == 0);
    CHECK(metric_direction("fd_handcrafted") == -1);
    CHECK(metric_direction("steps_per_second") == 1);
    CHECK(metric_direction("fd_handcrafted_real_floor") == 0);
  }

  TEST_CASE("markdown: mean ± std (n), best in bold by direction, dashes for missing values") {
    test::TempDir dir;
    const auto md = render_markdown({load_run(handmade_run(dir.path()))});
    CHECK(test::contains(md, "## fd_handcrafted (lower is better)"));
    CHECK(test::contains(md, "| architecture | cardiac | liver |"));
    CHECK(test::contains(md, "| dcgan | **1.5 ± 0.7071 (n=2)** | – |"));  // liver cell failed: a dash
    CHECK(test::contains(md, "| other | 3 (n=1) | – |"));                 // one seed failed: n=1, no std
    CHECK(test::contains(md, "## steps_per_second (higher is better)"));
    CHECK(test::contains(md, "| other | **20.0 (n=1)** | – |"));
    CHECK(test::contains(md, "## fd_handcrafted@step0"));
    CHECK(test::contains(md, "| dcgan-liver-s0 | failed | 0 | – | NaN at step 3 |"));
    CHECK(test::contains(md, "2 failed"));
    CHECK(!test::contains(md, "loss_d"));  // curves are not tables
  }

  TEST_CASE("csv: long format, one row per cell and metric") {
    test::TempDir dir;
    const auto csv = render_csv({load_run(handmade_run(dir.path()))});
    CHECK(csv.rfind("sweep,cell,architecture,modality,seed,status,metric,step,value\n", 0) == 0);
    CHECK(test::contains(csv, "handmade,dcgan-cardiac-s1,dcgan,cardiac,1,done,fd_handcrafted,100,2\n"));
    CHECK(test::contains(csv, "handmade,dcgan-cardiac-s0,dcgan,cardiac,0,done,train/loss_d,100,0.7\n"));
  }

  TEST_CASE("reports regenerate byte-identically from a moved copy of the run folder") {
    test::TempDir dir;
    const fs::path run = handmade_run(dir.path());
    const auto files = write_report({run}, {{"md", "csv"}, {}});
    CHECK(files.size() == 2);
    const std::string md1 = read_file(run / "report.md"), csv1 = read_file(run / "report.csv");
    fs::copy(run, dir / "moved", fs::copy_options::recursive);
    fs::remove_all(run);
    write_report({dir / "moved"}, {{"md", "csv"}, {}});
    CHECK(read_file(dir / "moved/report.md") == md1);
    CHECK(read_file(dir / "moved/report.csv") == csv1);
  }

  TEST_CASE("report errors: no database, unknown format, several runs without --out") {
    test::TempDir dir;
    CHECK_THROWS_WITH(write_report({dir.path()}, {}), doctest::Contains("no results.db"));
    const fs::path run = handmade_run(dir.path());
    CHECK_THROWS_WITH(write_report({run}, {{"pdf"}, {}}), doctest::Contains("unknown format 'pdf'"));
    CHECK_THROWS_WITH(write_report({run, run}, {}), doctest::Contains("--out"));
  }

  TEST_CASE("sample grid: two pixel rows per grid row, labels overlaid in colour") {
    std::vector<float> img(2 * 1 * 8 * 8, 0.5f);
    std::vector<uint8_t> lab(2 * 8 * 8, 0);
    lab[8 * 8 + 10] = 3;
    const std::string png = render_sample_grid(
        {GridRow{NpyArray::from_floats(img, {2, 1, 8, 8}), NpyArray::from_bytes(lab, {2, 8, 8})}}, 2);
    cv::Mat m = cv::imdecode(std::vector<uchar>(png.begin(), png.end()), cv::IMREAD_COLOR);
    REQUIRE(!m.empty());
    CHECK(m.cols == 2 * (16 + 2) + 2);
    CHECK(m.rows == 2 * (16 + 2) + 2);
    // Top row: plain grey. Overlay row of image 1: the labelled pixel is tinted.
    const cv::Vec3b plain = m.at<cv::Vec3b>(2 + 2, 2 + 16 + 2 + 2 * 2);
    const cv::Vec3b tinted = m.at<cv::Vec3b>(2 + 16 + 2 + 2 * 1, 2 + 16 + 2 + 2 * 2);
    CHECK(plain[0] == plain[2]);
    CHECK(tinted[0] != tinted[2]);
    CHECK_THROWS_AS(render_sample_grid({}), std::invalid_argument);
  }
}
