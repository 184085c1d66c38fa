// The HTML report in a real browser: Debian's chromium, headless. Labelled [browser] and run apart
// (ctest -L browser, or scripts/test.sh --browser, which installs chromium).
#include <doctest/doctest.h>

#include <cstdlib>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "common/atomic_file.h"
#include "reports/report.h"
#include "results/results_store.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {
void cell(ResultsStore& s, const std::string& arch, int seed, double fd, double seconds) {
  CellRecord c;
  c.id = fmt::format("{}-cardiac-s{}", arch, seed);
  c.sweep = "browser";
  c.architecture = arch;
  c.modality = "cardiac";
  c.seed = seed;
  c.config_hash = "h";
  c.config_yaml = "name: browser\n";
  c.started = "2026-01-01T00:00:00Z";
  s.begin_cell(c);
  std::vector<MetricRow> rows{{c.id, "fd_handcrafted", 100, fd}, {c.id, "train_seconds", 100, seconds}};
  for (int step = 25; step <= 100; step += 25) {
    rows.push_back({c.id, "train/loss_d", step, 1.0 / step});
    rows.push_back({c.id, "train/loss_g", step, 2.0 - 0.01 * step});
  }
  c.finished = "2026-01-01T00:01:00Z";
  c.train_seconds = seconds;
  s.finish_cell(c, rows, {});
}

std::string chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"})
    if (std::system(fmt::format("command -v {} > /dev/null 2>&1", name).c_str()) == 0) return name;
  return "";
}
}  // namespace

TEST_SUITE("reports") {
  TEST_CASE("[browser] chromium loads the HTML report and draws the charts' marks") {
    const std::string browser = chromium();
    if (browser.empty()) {
      MESSAGE("chromium not installed (scripts/test.sh --browser installs it): skipped");
      return;
    }
    test::TempDir dir;
    const fs::path run = dir / "browser";
    {
      ResultsStore s(run / "results.db");
      s.record_sweep("browser", "name: browser\n");
      cell(s, "dcgan", 0, 1.0, 50);
      cell(s, "dcgan", 1, 1.4, 52);
      cell(s, "stylegan2", 0, 0.6, 120);
    }
    write_report({run}, {{"html"}, {}});
    const fs::path html = run / "report.html", shot = dir / "shot.png", dom = dir / "dom.html";
    const std::string flags =
        "--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600";
    const std::string url = "file://" + html.string();
    REQUIRE(std::system(fmt::format("{} {} --screenshot='{}' '{}' > /dev/null 2>&1", browser, flags,
                                    shot.string(), url)
                            .c_str()) == 0);
    REQUIRE(std::system(
                fmt::format("{} {} --dump-dom '{}' > '{}' 2> /dev/null", browser, flags, url, dom.string())
                    .c_str()) == 0);
    // The page loaded: the DOM the browser built has the title and the charts.
    const std::string d = read_file(dom);
    CHECK(test::contains(d, "<title>ganbench report: browser</title>"));
    CHECK(test::contains(d, "<svg"));
    // The charts drew marks: the first series colour (#0072B2) covers a visible area of the screenshot.
    const cv::Mat img = cv::imread(shot.string(), cv::IMREAD_COLOR);
    REQUIRE(!img.empty());
    CHECK(img.cols == 1200);
    int blue = 0, orange = 0;
    for (int y = 0; y < img.rows; ++y)
      for (int x = 0; x < img.cols; ++x) {
        const cv::Vec3b p = img.at<cv::Vec3b>(y, x);  // BGR
        blue += std::abs(p[0] - 0xB2) < 12 && std::abs(p[1] - 0x72) < 12 && p[2] < 12;
        orange += p[0] < 12 && std::abs(p[1] - 0x9F) < 12 && std::abs(p[2] - 0xE6) < 12;  // #E69F00, series 2
      }
    MESSAGE("chart pixels: blue " << blue << ", orange " << orange);
    CHECK(blue > 500);
    CHECK(orange > 200);
  }
}
