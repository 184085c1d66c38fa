#include <doctest/doctest.h>

#include <map>

#include <opencv2/imgcodecs.hpp>

#include "common/atomic_file.h"
#include "common/npy.h"
#include "reports/report.h"
#include "reports/sample_grid.h"
#include "results/results_store.h"
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

  TEST_CASE("summaries: PSNR's infinity (identical images) is kept and shown as ∞, never as a number or NaN") {
    const Summary s = summarize({31.5, INFINITY, 30.1});
    CHECK(std::isinf(s.mean));
    CHECK(s.mean > 0);
    CHECK(s.n == 3);
    CHECK(std::isnan(s.std));
    CHECK(format_value("paired_psnr", s.mean) == "∞");
    CHECK(format_value("paired_psnr", -INFINITY) == "−∞");
    CHECK(format_value("paired_psnr", NAN) == "–");
    CHECK(format_value("paired_psnr", 31.456) == "31.46");
    CHECK(entry_text("paired_psnr", s, " ± ", " (n=", ")") == "∞ (n=3)");
    CHECK(metric_direction("paired_psnr") == 1);
    CHECK(metric_direction("paired_mae_hu") == -1);
  }

  TEST_CASE("markdown: mean ± std (n), best in bold by direction, dashes for missing values") {
    test::TempDir dir;
    const auto md = render_markdown({load_run(handmade_run(dir.path()))});
    CHECK(test::contains(md, "## fd_handcrafted (lower is better)"));
    CHECK(test::contains(md, "| architecture | cardiac | liver |"));
    CHECK(test::contains(md, "| dcgan | **1.500 ± 6.353 (n=2)** | –[b] |"));  // liver cell failed: a dash
    CHECK(test::contains(md, "| other | 3 (n=1) | –[a] |"));  // one seed failed: n=1, no std; liver not run
    CHECK(test::contains(md, "[a] not run: this architecture and modality are not in the sweep"));
    CHECK(test::contains(md, "[b] no finished cell"));
    CHECK(test::contains(md, "## steps_per_second (higher is better)"));
    CHECK(test::contains(md, "| other | **20.0 (n=1)** | –[a] |"));
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
    const auto files = write_report({run}, {{"md", "csv", "tex", "html"}, {}});
    CHECK(files.size() == 4);
    std::map<std::string, std::string> first;
    for (const char* f : {"report.md", "report.csv", "report.tex", "report.html"})
      first[f] = read_file(run / f);
    fs::copy(run, dir / "moved", fs::copy_options::recursive);
    fs::remove_all(run);
    write_report({dir / "moved"}, {{"md", "csv", "tex", "html"}, {}});
    for (const auto& [f, text] : first) {
      CAPTURE(f);
      CHECK(read_file(dir / "moved" / f) == text);
    }
  }

  TEST_CASE("report errors: no database, unknown format, several runs without --out") {
    test::TempDir dir;
    CHECK_THROWS_WITH(write_report({dir.path()}, {}), doctest::Contains("no results.db"));
    const fs::path run = handmade_run(dir.path());
    CHECK_THROWS_WITH(write_report({run}, {{"pdf"}, {}}),
                      doctest::Contains("unknown format 'pdf'; valid: md, csv, tex, html, png"));
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

  TEST_CASE("precision fits the metric; deltas keep their sign") {
    CHECK(format_value("fid_inception", 12.3456) == "12.35");
    CHECK(format_value("kid_inception", 0.012345) == "0.0123");
    CHECK(format_value("seg_dice_real", 0.97777) == "0.978");
    CHECK(format_value("seg_dice_mix_r0.5_delta", -0.0042) == "-0.004");
    CHECK(format_value("seg_dice_mix_r0.5_delta", 0.01) == "+0.010");
    CHECK(format_value("peak_rss_mib", 812.6) == "813");
    CHECK(format_value("fd_handcrafted", NAN) == "–");
    CHECK(metric_direction("seg_dice_mix_r1") == 1);
    CHECK(metric_direction("seg_hd95_real") == -1);
  }

  TEST_CASE("LaTeX: booktabs, bold best, footnoted dashes; compiles when pdflatex is present") {
    test::TempDir dir;
    const std::string tex = render_latex({load_run(handmade_run(dir.path()))});
    CHECK(test::contains(tex, "\\usepackage{booktabs}"));
    CHECK(test::contains(tex, "\\toprule\nArchitecture & cardiac & liver \\\\\n\\midrule\n"));
    CHECK(test::contains(tex, "dcgan & \\textbf{1.500 $\\pm$ 6.353 (2)} & --\\textsuperscript{b} \\\\"));
    CHECK(test::contains(tex, "other & 3 (1) & --\\textsuperscript{a} \\\\"));
    CHECK(test::contains(tex, "fd\\_handcrafted (lower is better)"));
    CHECK(test::contains(tex, "\\bottomrule"));
    if (std::system("command -v pdflatex > /dev/null 2>&1") != 0) {
      MESSAGE("pdflatex not installed: compile check skipped");
      return;
    }
    write_file_atomic(dir / "r.tex", tex);
    const int rc = std::system(
        fmt::format("cd '{}' && pdflatex -interaction=nonstopmode -halt-on-error r.tex > /dev/null",
                    dir.path().string())
            .c_str());
    CHECK(rc == 0);
    CHECK(fs::exists(dir / "r.pdf"));
  }

  TEST_CASE("HTML: one self-contained file with tables, SVG charts, loss curves and configs") {
    test::TempDir dir;
    const std::string html = render_html({load_run(handmade_run(dir.path()))});
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(test::contains(html, "<b>1.500 ± 6.353 <span class=\"n\">(n=2)</span></b>"));
    CHECK(test::contains(html, "<td class=\"missing\">–<sup>b</sup></td>"));
    // The summary: a row per modality and architecture, a column per headline metric.
    CHECK(test::contains(html, "<table class=\"summary\">"));
    CHECK(test::contains(html, "<tr><th>liver</th><th>dcgan</th><td class=\"missing\">–<sup>b</sup></td>"));
    CHECK(test::contains(html, "fd_handcrafted per architecture"));
    CHECK(test::contains(html, "<summary>config</summary>"));
    size_t http = 0, ns = 0;  // nothing is fetched at view time: the only URI is the SVG namespace
    for (size_t p = html.find("http"); p != std::string::npos; p = html.find("http", p + 1)) ++http;
    for (size_t p = html.find("http://www.w3.org/2000/svg"); p != std::string::npos;
         p = html.find("http://www.w3.org/2000/svg", p + 1))
      ++ns;
    CHECK(http == ns);
    CHECK(!test::contains(html, "<script"));
    CHECK(!test::contains(html, "src=\"http"));
    size_t marks = 0;
    for (size_t p = html.find("class=\"mark\""); p != std::string::npos;
         p = html.find("class=\"mark\"", p + 1))
      ++marks;
    CHECK(marks >= 4);  // bars for the distance and time charts, and the loss curves
  }

  TEST_CASE(
      "memorization and label fidelity: note, gallery of nearest pairs, and the segmentation-off note") {
    test::TempDir dir;
    const fs::path run = dir / "mem";
    {
      ResultsStore s(run / "results.db");
      s.record_sweep("mem", "name: mem\n");
      CellRecord c;
      c.id = "dcgan-cardiac-s0";
      c.sweep = "mem";
      c.architecture = "dcgan";
      c.modality = "cardiac";
      c.config_hash = "h";
      c.config_yaml = "{}";
      c.started = c.finished = "2026-01-01T00:00:00Z";
      s.begin_cell(c);
      std::vector<ArtefactRow> art;
      for (const std::string stem : {"nearest_generated", "nearest_train"}) {
        write_npy(run / (stem + "_images.npy"),
                  NpyArray::from_floats(std::vector<float>(2 * 8 * 8, 0.5f), {2, 1, 8, 8}));
        write_npy(run / (stem + "_labels.npy"),
                  NpyArray::from_bytes(std::vector<uint8_t>(2 * 8 * 8, 1), {2, 8, 8}));
        art.push_back({c.id, stem + "_images", stem + "_images.npy"});
        art.push_back({c.id, stem + "_labels", stem + "_labels.npy"});
      }
      s.finish_cell(c, {{c.id, "memorization_near_copy_fraction_pixels", 10, 0.25}}, art);
    }
    const std::string html = render_html({load_run(run)});
    CHECK(test::contains(html, "<h2>Memorization and label fidelity</h2>"));
    CHECK(
        test::contains(html, "alt=\"dcgan-cardiac-s0 nearest training pairs\" src=\"data:image/png;base64,"));
    CHECK(
        test::contains(html, "Label fidelity needs the segmentation protocol (segmentation.enabled: true)"));
    CHECK(test::contains(html, "0.250"));  // the near-copy value
    const std::string md = render_markdown({load_run(run)}, "report");
    CHECK(test::contains(md, "Memorization audit: for each generated image"));
    CHECK(test::contains(md, "## memorization_near_copy_fraction_pixels (reference 0.05, neither end is best)"));
    CHECK(test::contains(md, "![dcgan-cardiac-s0 nearest](report/dcgan-cardiac-s0_nearest.png)"));
    const auto files = write_report({run}, {{"png", "tex", "csv"}, {}});
    CHECK(fs::exists(run / "report" / "dcgan-cardiac-s0_nearest.png"));
    CHECK(test::contains(read_file(run / "report.tex"), "Memorization audit"));
    CHECK(test::contains(read_file(run / "report.csv"), "memorization_near_copy_fraction_pixels"));
  }

  TEST_CASE("report A B merges run folders, such as one per cluster task") {
    test::TempDir dir;
    const fs::path a = handmade_run(dir / "a");
    const fs::path b = dir / "b" / "other_task";
    {
      ResultsStore s(b / "results.db");
      s.record_sweep("other_task", "name: other_task\n");
      add_cell(s, "dcgan", "cardiac", 2, "done", {{"fd_handcrafted", 3.0}});
    }
    const auto files = write_report({a, b}, {{"md"}, dir / "merged"});
    REQUIRE(files.size() == 1);
    const std::string md = read_file(dir / "merged/report.md");
    CHECK(test::contains(md, "# ganbench report: handmade, other_task"));
    CHECK(test::contains(md, "| dcgan | **2.000 ± 2.484 (n=3)** |"));  // seeds 0, 1 from a and seed 2 from b
  }

  TEST_CASE("segmentation arms: a Dice-by-arm table in Markdown and a Dice-vs-ratio chart in HTML") {
    test::TempDir dir;
    const fs::path run = dir / "seg";
    {
      ResultsStore s(run / "results.db");
      s.record_sweep("seg", "name: seg\n");
      add_cell(s, "dcgan", "cardiac", 0, "done",
               {{"seg_dice_real", 0.9},
                {"fd_handcrafted", 3.0},
                {"seg_dice_synth", 0.5},
                {"seg_dice_mix_r0.5", 0.8},
                {"seg_dice_mix_r2", 0.7},
                {"seg_dice_mix_r2_delta", -0.2}});
      add_cell(s, "dcgan", "cardiac", 1, "done",
               {{"seg_dice_real", 0.8},
                {"fd_handcrafted", 5.0},
                {"seg_dice_synth", 0.7},
                {"seg_dice_mix_r0.5", 0.6},
                {"seg_dice_mix_r2", 0.9},
                {"seg_dice_mix_r2_delta", 0.1}});
    }
    const auto runs = std::vector<RunData>{load_run(run)};
    const std::string md = render_markdown(runs);
    CHECK(test::contains(md, "| architecture | real only | synthetic only | real + 0.5 N | real + 2 N |"));
    CHECK(test::contains(md,
                         "| dcgan | 0.850 ± 0.635 (n=2) | 0.600 ± 1.271 (n=2) | 0.700 ± 1.271 (n=2) | "
                         "0.800 ± 1.271 (n=2) |"));
    CHECK(test::contains(md, "## seg_dice_mix_r2_delta (higher is better)"));
    CHECK(test::contains(md, "| dcgan | -0.050 ± 1.906 (n=2) |"));
    const std::string html = render_html(runs);
    CHECK(test::contains(html, "U-Net Dice vs synthetic ratio, cardiac"));
    // The study table (Skandarani et al. 2023's layout): distance and synthetic-only Dice side by side per
    // dataset, the real-only U-Net last; the stand-in distance is named as one.
    CHECK(test::contains(md, "## Study table (the layout of Skandarani et al. 2023)"));
    CHECK(test::contains(md, "| architecture | cardiac fd_handcrafted | cardiac Dice |"));
    CHECK(test::contains(md, "| dcgan | 4.000 ± 12.706 (n=2) | 0.600 ± 1.271 (n=2) |"));
    CHECK(test::contains(md, "| real data | | 0.850 ± 0.635 (n=2) |"));
    CHECK(test::contains(md, "a stand-in, not FID"));
    CHECK(test::contains(html, "<th colspan=\"2\">cardiac</th>"));
    const std::string tex = render_latex(runs);
    CHECK(test::contains(tex, "\\multicolumn{2}{c}{cardiac}"));
    CHECK(test::contains(tex, "real data & & 0.850 $\\pm$ 0.635 (2)"));
  }
  TEST_CASE("significance: Welch tests per column, Holm-corrected, marked in every format") {
    test::TempDir dir;
    const fs::path run = dir / "sig";
    {
      ResultsStore s(run / "results.db");
      s.record_sweep("sig", "name: sig\n");
      // Three architectures, three seeds on cardiac: a is clearly best, b and c overlap.
      const std::vector<std::pair<std::string, std::vector<double>>> v = {
          {"a", {0.285, 0.271, 0.30}}, {"b", {0.51, 0.47, 0.55}}, {"c", {0.49, 0.56, 0.52}}};
      for (const auto& [arch, values] : v)
        for (int seed = 0; seed < 3; ++seed)
          add_cell(s, arch, "cardiac", seed, "done", {{"fd_handcrafted", values[seed]}});
    }
    const auto runs = std::vector<RunData>{load_run(run)};
    const ReportModel m(runs);
    const MetricTable t = m.table("fd_handcrafted");
    REQUIRE(t.tests.size() == 1);
    CHECK(t.tests[0].size() == 3);  // a-b, a-c, b-c
    CHECK(t.rows[0][0].beats_all);  // a beats b and c after Holm
    CHECK(!t.rows[1][0].beats_all);
    const std::string md = render_markdown(runs);
    CHECK(test::contains(md, "| a | **0.2853 ± 0.0360 (n=3)**† |"));
    CHECK(
        test::contains(md, "Significant differences (Welch's t-test, Holm-corrected): cardiac: a < b (p = "));
    CHECK(!test::contains(md, "b < c"));
    CHECK(test::contains(render_latex(runs), "\\textbf{0.2853 $\\pm$ 0.0360 (3)}\\dag{}"));
    CHECK(test::contains(render_latex(runs), "a $<$ b (p = "));
    CHECK(test::contains(render_html(runs), "</b>†</td>"));
  }
  TEST_CASE("FID from fewer than 2048 generated images is footnoted with its N") {
    test::TempDir dir;
    const fs::path run = dir / "fidn";
    {
      ResultsStore s(run / "results.db");
      s.record_sweep("fidn", "name: fidn\n");
      add_cell(s, "dcgan", "cardiac", 0, "done", {{"fid_inception", 40.0}, {"distance_n", 256}});
      add_cell(s, "dcgan", "cardiac", 1, "done", {{"fid_inception", 42.0}, {"distance_n", 256}});
      add_cell(s, "dcgan", "liver", 0, "done", {{"fid_inception", 30.0}, {"distance_n", 2048}});
    }
    const auto runs = std::vector<RunData>{load_run(run)};
    const std::string md = render_markdown(runs);
    CHECK(test::contains(md, "* FID from N = 256 generated images, fewer than 2048"));
    CHECK(test::contains(render_html(runs), "FID from N = 256 generated images"));
    CHECK(test::contains(render_latex(runs), "FID from N = 256 generated images"));
    const MetricTable fd = ReportModel(runs).table("fd_handcrafted");
    CHECK(fd.caveats.empty());  // only FID tables carry it
  }
}

TEST_SUITE("reports") {
  TEST_CASE("volume sample sheets: the three orthogonal mid-slices of each volume, labels alongside") {
    // Volume 0 holds z / 8 (axial planes differ), volume 1 holds x / 8; the label is 1 where y >= 4.
    const int64_t s = 8;
    std::vector<float> img(static_cast<size_t>(2 * s * s * s));
    std::vector<uint8_t> lab(img.size() / 1);
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t z = 0; z < s; ++z)
        for (int64_t y = 0; y < s; ++y)
          for (int64_t x = 0; x < s; ++x) {
            const size_t at = static_cast<size_t>(((i * s + z) * s + y) * s + x);
            img[at] = static_cast<float>(i == 0 ? z : x) / s;
            lab[at] = y >= 4;
          }
    const GridRow vol{NpyArray::from_floats(img, {2, 1, s, s, s}), NpyArray::from_bytes(lab, {2, s, s, s})};
    const GridRow mid = volume_mid_slices(vol);
    REQUIRE(mid.images.shape == std::vector<int64_t>{6, 1, s, s});
    REQUIRE(mid.labels.shape == std::vector<int64_t>{6, s, s});
    const auto v = mid.images.to_floats();
    const auto l = mid.labels.to_doubles();
    auto px = [&](int64_t tile, int64_t r, int64_t c) { return v[static_cast<size_t>((tile * s + r) * s + c)]; };
    CHECK(px(0, 1, 2) == doctest::Approx(4.0 / 8));  // volume 0 axial: z = 4 everywhere
    CHECK(px(1, 6, 2) == doctest::Approx(6.0 / 8));  // volume 0 coronal: row = z
    CHECK(px(2, 3, 7) == doctest::Approx(3.0 / 8));  // volume 0 sagittal: row = z
    CHECK(px(3, 1, 5) == doctest::Approx(5.0 / 8));  // volume 1 axial: column = x
    CHECK(px(5, 2, 6) == doctest::Approx(4.0 / 8));  // volume 1 sagittal: x = 4 everywhere
    CHECK(l[static_cast<size_t>((0 * s + 5) * s + 0)] == 1);  // axial row y = 5: label 1
    CHECK(l[static_cast<size_t>((1 * s + 5) * s + 0)] == 1);  // coronal at y = 4: label 1 everywhere
    CHECK(l[static_cast<size_t>((2 * s + 0) * s + 3)] == 0);  // sagittal column y = 3: label 0
    const std::string png = render_sample_grid({vol});
    CHECK(png.substr(1, 3) == "PNG");
    CHECK_THROWS_AS(volume_mid_slices({NpyArray::from_floats(img, {2, 1, s, s * s}), vol.labels}),
                    std::invalid_argument);
  }
}

TEST_SUITE("reports") {
  TEST_CASE("transfer axes: rows per start and N, ordered by N, and fine-tuned against scratch by Welch and Holm") {
    test::TempDir dir;
    const fs::path run = dir / "tr";
    {
      ResultsStore s(run / "results.db");
      s.record_sweep("tr", "name: tr\n");
      // fd_handcrafted per seed: scratch 3, 4, 5 and fine-tuned 1, 2, 3 at N = 25; 2, 2.5, 3 and 1, 1.5, 2 at
      // N = 100. Both pairs: means 2 (or 1) apart, equal variances, t = sqrt(6), 4 df: p = 0.0704 each, Holm 0.141.
      const std::map<std::pair<int, bool>, std::vector<double>> fd = {
          {{25, false}, {3, 4, 5}}, {{25, true}, {1, 2, 3}}, {{100, false}, {2, 2.5, 3}}, {{100, true}, {1, 1.5, 2}}};
      for (const auto& [key, values] : fd)
        for (int seed = 0; seed < 3; ++seed) {
          CellRecord c;
          c.id = fmt::format("dcgan-liver_mr-n{}{}-s{}", key.first, key.second ? "-ft" : "", seed);
          c.sweep = "tr";
          c.architecture = "dcgan";
          c.modality = "liver_mr";
          c.seed = seed;
          c.config_hash = "h";
          c.config_yaml = "{}";
          c.started = "2026-01-01T00:00:00Z";
          s.begin_cell(c);
          c.finished = "2026-01-01T00:01:00Z";
          s.finish_cell(c,
                        {{c.id, "fd_handcrafted", 300, values[static_cast<size_t>(seed)]},
                         {c.id, "train_subjects", 300, static_cast<double>(key.first)},
                         {c.id, "init_pretrained", 300, key.second ? 1.0 : 0.0}},
                        {});
        }
    }
    const auto runs = std::vector<RunData>{load_run(run)};
    const std::string md = render_markdown(runs);
    // Rows by N as a number (25 before 100), each start its own row.
    const auto r25 = md.find("| dcgan n=25 fine-tuned |"), r100 = md.find("| dcgan n=100 fine-tuned |");
    CHECK(r25 != std::string::npos);
    CHECK(r100 != std::string::npos);
    CHECK(r25 < r100);
    CHECK(test::contains(md, "| dcgan n=25 scratch | 4.000 ± 2.484 (n=3) |"));
    CHECK(test::contains(md, "## Fine-tuned against scratch"));
    CHECK(test::contains(md, "| dcgan | fine-tuned | 25 | 2.000 ± 2.484 (n=3) | 4.000 ± 2.484 (n=3) | -2.000 | 0.07 | 0.14 |"));
    CHECK(test::contains(md, "| dcgan | fine-tuned | 100 | 1.500 ± 1.242 (n=3) | 2.500 ± 1.242 (n=3) | -1.000 | 0.07 | 0.14 |"));
    const std::string html = render_html(runs);
    CHECK(test::contains(html, "<h2>Fine-tuned against scratch</h2>"));
    CHECK(test::contains(html, "fd_handcrafted vs training subjects, liver_mr"));
    CHECK(!test::contains(md, "## Study table"));
  }
}
