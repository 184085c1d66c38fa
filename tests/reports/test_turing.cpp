#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <regex>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/atomic_file.h"
#include "common/npy.h"
#include "reports/report.h"
#include "reports/statistics.h"
#include "reports/turing.h"
#include "results/results_store.h"
#include "results/run_data.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {

// A finished run with two cells, each holding 6 real and 6 generated 8x8 images (real dark, generated
// bright).
fs::path turing_run(const fs::path& root) {
  const fs::path run = root / "turing_run";
  ResultsStore s(run / "results.db");
  s.record_sweep("turing_run", "name: turing_run\n");
  for (const std::string arch : {"dcgan", "stylegan2"}) {
    CellRecord c;
    c.id = arch + "-cardiac-s0";
    c.sweep = "turing_run";
    c.architecture = arch;
    c.modality = "cardiac";
    c.config_hash = "h";
    c.config_yaml = "{}";
    c.started = c.finished = "2026-01-01T00:00:00Z";
    s.begin_cell(c);
    std::vector<ArtefactRow> art;
    for (const std::string stem : {"turing_real", "turing_generated"}) {
      std::vector<float> px(6 * 64);
      for (size_t i = 0; i < px.size(); ++i)
        px[i] = (stem == "turing_real" ? 0.1f : 0.6f) + 0.001f * (i % 97);
      write_npy(run / "cells" / c.id / (stem + "_images.npy"), NpyArray::from_floats(px, {6, 1, 8, 8}));
      art.push_back({c.id, stem + "_images", "cells/" + c.id + "/" + stem + "_images.npy"});
    }
    s.finish_cell(c, {{c.id, "fd_handcrafted", 10, 1.0}}, art);
  }
  return run;
}

// The page's items in order, with their truth from the key.
std::vector<std::pair<std::string, std::string>> key_items(const TuringPage& p) {
  const YAML::Node key = YAML::LoadFile(p.key.string());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : key["items"])
    out.push_back({kv.first.as<std::string>(),
                   kv.second["cell"].as<std::string>() + "/" + kv.second["truth"].as<std::string>()});
  return out;
}

// The known answer pattern: every generated image of dcgan is spotted and every real one called real;
// stylegan2's images are all called real.
std::string pattern_answer(const std::string& cell_truth) {
  if (cell_truth.rfind("dcgan", 0) == 0) return cell_truth.substr(cell_truth.find('/') + 1);
  return "real";
}

// Checks the stored scores of the pattern above (each cell: 3 real + 3 generated images at --n 6).
void check_pattern_scores(const fs::path& run, const std::string& rater) {
  std::map<std::string, double> m;
  for (const auto& r : load_run(run).metrics) m[r.cell_id + " " + r.name] = r.value;
  CHECK(m.at("dcgan-cardiac-s0 turing_accuracy/" + rater) == 1.0);
  CHECK(m.at("dcgan-cardiac-s0 turing_sensitivity/" + rater) == 1.0);
  CHECK(m.at("dcgan-cardiac-s0 turing_specificity/" + rater) == 1.0);
  CHECK(m.at("dcgan-cardiac-s0 turing_p/" + rater) == doctest::Approx(binomial_test(6, 6)));  // 2/64
  CHECK(m.at("dcgan-cardiac-s0 turing_accuracy_lo/" + rater) == doctest::Approx(clopper_pearson(6, 6).lo));
  CHECK(m.at("stylegan2-cardiac-s0 turing_accuracy/" + rater) == 0.5);  // fooled: chance
  CHECK(m.at("stylegan2-cardiac-s0 turing_sensitivity/" + rater) == 0.0);
  CHECK(m.at("stylegan2-cardiac-s0 turing_specificity/" + rater) == 1.0);
  CHECK(m.at("stylegan2-cardiac-s0 turing_p/" + rater) == 1.0);
  CHECK(m.at("stylegan2-cardiac-s0 turing_n/" + rater) == 6);
}

}  // namespace

TEST_SUITE("reports") {
  TEST_CASE("visual Turing test: page, key, known answer pattern scored and stored, shown in the report") {
    test::TempDir dir;
    const fs::path run = turing_run(dir.path());
    TuringOptions o;
    o.n = 6;
    o.seed = 3;
    const TuringPage p = write_turing_page(run, dir / "turing.html", o);
    CHECK(p.items == 12);
    const std::string html = read_file(dir / "turing.html");
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(!test::contains(html, "http"));   // nothing fetched
    CHECK(!test::contains(html, "truth"));  // the key stays in the run folder
    CHECK(!test::contains(html, "dcgan"));
    size_t imgs = 0;
    for (size_t at = html.find("data:image/png;base64,"); at != std::string::npos;
         at = html.find("data:image/png;base64,", at + 1))
      ++imgs;
    CHECK(imgs == 12);
    const auto items = key_items(p);
    REQUIRE(items.size() == 12);
    int real = 0;
    for (const auto& [id, ct] : items) real += ct.find("/real") != std::string::npos;
    CHECK(real == 6);
    // Seeded: the same options give the same page; another seed another order.
    write_turing_page(run, dir / "again.html", o);
    CHECK(read_file(dir / "again.html") == html);
    o.seed = 4;
    CHECK(read_file(write_turing_page(run, dir / "other.html", o).key) != read_file(p.key));

    std::string answers = fmt::format("{{\"page\": \"{}\", \"rater\": \"alice\", \"answers\": [", p.id);
    for (size_t k = 0; k < items.size(); ++k)
      answers += fmt::format("{}{{\"item\": \"{}\", \"answer\": \"{}\", \"confidence\": 3}}", k ? "," : "",
                             items[k].first, pattern_answer(items[k].second));
    write_file_atomic(dir / "alice.json", answers + "]}");
    store_turing_scores(run, score_turing(dir / "alice.json", run));
    check_pattern_scores(run, "alice");
    const std::string md = render_markdown({load_run(run)});
    CHECK(test::contains(md, "## turing_accuracy/alice"));
    CHECK(test::contains(md, "| dcgan | 1.000 (n=1) |"));
  }

  TEST_CASE("visual Turing test: bad answers files are errors that name the file") {
    test::TempDir dir;
    const fs::path run = turing_run(dir.path());
    TuringOptions o;
    o.n = 4;
    const TuringPage p = write_turing_page(run, dir / "t.html", o);
    auto bad = [&](const std::string& body, const std::string& why) {
      write_file_atomic(dir / "a.json", body);
      CHECK_THROWS_WITH(score_turing(dir / "a.json", run), doctest::Contains(why.c_str()));
    };
    bad("{not json", "a.json");
    bad("{\"page\": \"" + p.id + "\", \"rater\": \"a b\", \"answers\": []}", "rater 'a b'");
    bad("{\"page\": \"0123456789ab\", \"rater\": \"a\", \"answers\": []}",
        "page 0123456789ab was not made from");
    bad("{\"page\": \"" + p.id +
            "\", \"rater\": \"a\", \"answers\": [{\"item\": \"q999\", \"answer\": \"real\"}]}",
        "item 'q999' is not on page");
    bad("{\"page\": \"" + p.id +
            "\", \"rater\": \"a\", \"answers\": [{\"item\": \"q001\", \"answer\": \"fake\"}]}",
        "neither real nor generated");
    bad("{\"page\": [1], \"rater\": \"a\", \"answers\": []}", "a.json: not a Turing answers file");
    bad("{\"page\": \"" + p.id + "\", \"rater\": \"a\", \"answers\": [{\"item\": [1]}]}",
        "a.json: not a Turing answers file");
    CHECK_THROWS_WITH(write_turing_page(run, dir / "x.html", {4, {"nope-cardiac-s0"}, 0}),
                      doctest::Contains("no finished cell nope-cardiac-s0"));
  }

  // Headless chromium driven by playwright-core (scripts/setup.sh --browser installs both): the page is
  // opened, the known pattern clicked, the answers exported through the page's own button, then scored.
  TEST_CASE("[browser] visual Turing test end to end: click a known pattern in chromium, export, score") {
    const char* node_path = std::getenv("NODE_PATH");
    REQUIRE_MESSAGE(node_path != nullptr,
                    "NODE_PATH must name a folder with playwright-core (ctest sets it)");
    test::TempDir dir;
    const fs::path run = turing_run(dir.path());
    TuringOptions o;
    o.n = 6;
    o.seed = 11;
    const TuringPage p = write_turing_page(run, dir / "turing.html", o);
    std::string pattern = "{";
    const auto items = key_items(p);
    for (size_t k = 0; k < items.size(); ++k)
      pattern +=
          fmt::format("{}\"{}\": \"{}\"", k ? "," : "", items[k].first, pattern_answer(items[k].second));
    write_file_atomic(dir / "pattern.json", pattern + "}");
    const std::string cmd = fmt::format("node '{}/tests/reports/turing_browser.js' '{}' '{}' bob '{}' 2>&1",
                                        GANBENCH_SOURCE_DIR, (dir / "turing.html").string(),
                                        (dir / "pattern.json").string(), (dir / "bob.json").string());
    REQUIRE(std::system(cmd.c_str()) == 0);
    const YAML::Node exported = YAML::LoadFile((dir / "bob.json").string());
    CHECK(exported["rater"].as<std::string>() == "bob");
    CHECK(exported["answers"].size() == 12);
    store_turing_scores(run, score_turing(dir / "bob.json", run));
    check_pattern_scores(run, "bob");
  }
}
