#include "reports/turing.h"

#include <map>
#include <regex>
#include <stdexcept>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/npy.h"
#include "metrics/metric_catalogue.h"
#include "reports/sample_grid.h"
#include "reports/statistics.h"
#include "results/results_store.h"
#include "results/run_data.h"

namespace ganbench {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kOrderSalt = 0x7E57;  // the page's item order

struct Item {
  std::string cell, truth, png;
};

// The stored images of one kind for a cell: the Turing arrays, or the report grid's for older runs.
NpyArray stored_images(const RunData& run, const std::string& cell, bool real) {
  std::map<std::string, std::string> art = run.artefact_paths(cell);
  for (const char* kind : real ? std::vector<const char*>{"turing_real_images", "real_images"}
                               : std::vector<const char*>{"turing_generated_images", "samples_images"}) {
    std::error_code ec;
    if (art.count(kind) && fs::exists(run.run_dir / art[kind], ec)) return read_npy(run.run_dir / art[kind]);
  }
  throw std::runtime_error(fmt::format("{}: cell {} has no stored {} images", run.run_dir.string(), cell,
                                       real ? "real" : "generated"));
}

const char* kPageHead = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ganbench visual Turing test</title>
<style>
body{font-family:sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}
.items{display:flex;flex-wrap:wrap;gap:14px}
.item{border:1px solid #ccc;border-radius:6px;padding:8px;text-align:center}
.item.done{background:#eef6ee}
.item img{display:block;margin:0 auto 6px;image-rendering:pixelated}
button{margin:2px;padding:4px 10px;cursor:pointer}
button.on{background:#335;color:#fff}
.conf label{font-size:12px;margin:0 2px}
#bar{position:sticky;top:0;background:#fff;padding:8px 0;border-bottom:1px solid #ddd;margin-bottom:12px}
</style></head><body>
<h1>Visual Turing test</h1>
<p>Each image below is either a real image or one that a GAN generated. For each, choose <b>Real</b> or
<b>Generated</b>, and how sure you are (1 = a guess, 5 = certain). Images are shown at their native resolution;
use Zoom to enlarge them. Your answers stay in this browser until you export them; send the exported file
to the study's organiser.</p>
)";

// The page's script: answers in localStorage, exported as {page, rater, answers: [{item, answer,
// confidence}]}.
const char* kPageScript = R"(<script>
const KEY = "ganbench-turing-" + PAGE;
let state = {rater: "", answers: {}};
try { state = Object.assign(state, JSON.parse(localStorage.getItem(KEY) || "{}")); } catch (e) {}
function save() { localStorage.setItem(KEY, JSON.stringify(state)); render(); }
function render() {
  let done = 0;
  for (const id of ITEMS) {
    const a = state.answers[id] || {};
    const el = document.getElementById(id);
    el.querySelector("button.real").classList.toggle("on", a.answer === "real");
    el.querySelector("button.generated").classList.toggle("on", a.answer === "generated");
    for (const r of el.querySelectorAll("input")) r.checked = Number(r.value) === a.confidence;
    el.classList.toggle("done", !!a.answer);
    if (a.answer) done++;
  }
  document.getElementById("progress").textContent = done + " of " + ITEMS.length + " answered";
  document.getElementById("rater").value = state.rater;
}
function answer(id, field, value) {
  state.answers[id] = Object.assign(state.answers[id] || {}, {[field]: value});
  save();
}
for (const id of ITEMS) {
  const el = document.getElementById(id);
  el.querySelector("button.real").onclick = () => answer(id, "answer", "real");
  el.querySelector("button.generated").onclick = () => answer(id, "answer", "generated");
  for (const r of el.querySelectorAll("input")) r.onchange = () => answer(id, "confidence", Number(r.value));
}
document.getElementById("rater").oninput = e => { state.rater = e.target.value.replace(/[^A-Za-z0-9_.-]/g, ""); save(); };
document.getElementById("zoom").onchange = e => {
  for (const img of document.querySelectorAll(".item img")) {
    img.style.width = img.naturalWidth * Number(e.target.value) + "px";
  }
};
document.getElementById("export").onclick = () => {
  if (!state.rater) { alert("Enter your rater name first."); return; }
  const out = {page: PAGE, rater: state.rater, answers: ITEMS.filter(id => state.answers[id] && state.answers[id].answer)
    .map(id => ({item: id, answer: state.answers[id].answer, confidence: state.answers[id].confidence || null}))};
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(out, null, 1)], {type: "application/json"}));
  a.download = "turing-" + PAGE + "-" + state.rater + ".json";
  document.body.appendChild(a);
  a.click();
  a.remove();
};
render();
</script>
)";

}  // namespace

TuringPage write_turing_page(const fs::path& run_dir, const fs::path& out_html, const TuringOptions& opts) {
  if (opts.n < 2) throw std::invalid_argument("turing: --n must be at least 2");
  const RunData run = load_run(run_dir);
  std::vector<std::string> cells = opts.cells;
  if (cells.empty()) {
    for (const auto& c : run.cells)
      if (c.status == "done") cells.push_back(c.id);
  } else {
    for (const auto& id : cells) {
      bool found = false;
      for (const auto& c : run.cells) found |= c.id == id && c.status == "done";
      if (!found)
        throw std::runtime_error(fmt::format("turing: {} has no finished cell {}", run_dir.string(), id));
    }
  }
  if (cells.empty())
    throw std::runtime_error(fmt::format("turing: {} has no finished cells", run_dir.string()));
  std::vector<Item> items;
  for (const auto& cell : cells)
    for (bool real : {true, false}) {
      const NpyArray images = stored_images(run, cell, real);
      const int64_t want = real ? opts.n / 2 : opts.n - opts.n / 2;
      const int64_t take = std::min(want, images.shape.at(0));
      for (int64_t r :
           sample_rows(images.shape[0], take, mix_seed(opts.seed, fnv1a64(cell + (real ? "/r" : "/g")))))
        items.push_back({cell, real ? "real" : "generated", encode_image_png(images, r)});
    }
  const auto order = sample_rows(static_cast<int64_t>(items.size()), static_cast<int64_t>(items.size()),
                                 mix_seed(opts.seed, kOrderSalt));
  TuringPage page;
  page.id = hex64(fnv1a64(fmt::format("{}|{}|{}|{}", run.sweep, fmt::join(cells, ","), opts.n, opts.seed)))
                .substr(0, 12);
  page.items = static_cast<int64_t>(items.size());
  std::string html = kPageHead, key_items, ids;
  html +=
      "<div id=\"bar\"><label>Rater <input id=\"rater\" placeholder=\"your name or code\"></label> "
      "<label>Zoom <select id=\"zoom\"><option value=\"1\">1x</option><option value=\"2\">2x</option>"
      "<option value=\"4\">4x</option></select></label> <span id=\"progress\"></span> "
      "<button id=\"export\">Export answers</button></div>\n<div class=\"items\">\n";
  for (size_t k = 0; k < order.size(); ++k) {
    const Item& it = items[static_cast<size_t>(order[k])];
    const std::string id = fmt::format("q{:03d}", k + 1);
    html += fmt::format(
        "<div class=\"item\" id=\"{0}\"><img alt=\"{0}\" src=\"data:image/png;base64,{1}\"><div>"
        "<button class=\"real\">Real</button><button class=\"generated\">Generated</button></div>"
        "<div class=\"conf\">",
        id, base64_encode(it.png));
    for (int c = 1; c <= 5; ++c)
      html += fmt::format("<label><input type=\"radio\" name=\"c-{0}\" value=\"{1}\">{1}</label>", id, c);
    html += "</div></div>\n";
    key_items += fmt::format("{}\n  \"{}\": {{\"cell\": \"{}\", \"truth\": \"{}\"}}", k ? "," : "", id,
                             it.cell, it.truth);
    ids += fmt::format("{}\"{}\"", k ? "," : "", id);
  }
  html += "</div>\n";
  html += fmt::format("<script>const PAGE = \"{}\"; const ITEMS = [{}];</script>\n", page.id, ids);
  html += kPageScript;
  html += "</body></html>\n";
  page.key = run_dir / "turing" / (page.id + ".json");
  fs::create_directories(page.key.parent_path());
  write_file_atomic(page.key, fmt::format("{{\"page\": \"{}\", \"sweep\": \"{}\", \"n\": {}, \"seed\": {}, "
                                          "\"items\": {{{}\n}}}}\n",
                                          page.id, run.sweep, opts.n, opts.seed, key_items));
  if (!out_html.parent_path().empty()) fs::create_directories(out_html.parent_path());
  write_file_atomic(out_html, html);
  return page;
}

namespace {
// score_turing without the translation of yaml-cpp's type errors (a list where a string belongs).
std::vector<TuringScore> score_turing_unchecked(const fs::path& answers_json, const fs::path& run_dir) {
  const std::string what = answers_json.string();
  YAML::Node answers;
  try {
    answers = YAML::Load(read_file(answers_json));  // JSON is YAML
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(fmt::format("{}: not a Turing answers file: {}", what, e.what()));
  }
  if (!answers.IsMap() || !answers["page"] || !answers["rater"] || !answers["answers"] ||
      !answers["answers"].IsSequence())
    throw std::runtime_error(
        fmt::format("{}: not a Turing answers file (needs page, rater and answers)", what));
  const std::string page = answers["page"].as<std::string>(), rater = answers["rater"].as<std::string>();
  if (!std::regex_match(rater, std::regex("[A-Za-z0-9_.-]+")))
    throw std::runtime_error(
        fmt::format("{}: rater '{}' must be letters, digits, '_', '.' or '-'", what, rater));
  if (!std::regex_match(page, std::regex("[0-9a-f]{12}")))
    throw std::runtime_error(fmt::format("{}: '{}' is not a Turing page id", what, page));
  const fs::path key_path = run_dir / "turing" / (page + ".json");
  std::error_code ec;
  if (!fs::exists(key_path, ec))
    throw std::runtime_error(fmt::format("{}: page {} was not made from {} (no {})", what, page,
                                         run_dir.string(), key_path.string()));
  const YAML::Node key = YAML::Load(read_file(key_path))["items"];
  std::map<std::string, TuringScore> by_cell;
  std::map<std::string, bool> seen;
  for (const auto& a : answers["answers"]) {
    const std::string item = a["item"] ? a["item"].as<std::string>() : "";
    const std::string ans = a["answer"] ? a["answer"].as<std::string>() : "";
    if (!key[item])
      throw std::runtime_error(fmt::format("{}: item '{}' is not on page {}", what, item, page));
    if (ans != "real" && ans != "generated")
      throw std::runtime_error(
          fmt::format("{}: item {}: answer '{}' is neither real nor generated", what, item, ans));
    if (seen[item]) throw std::runtime_error(fmt::format("{}: item {} answered twice", what, item));
    seen[item] = true;
    const std::string cell = key[item]["cell"].as<std::string>(),
                      truth = key[item]["truth"].as<std::string>();
    TuringScore& s = by_cell[cell];
    s.cell = cell;
    s.rater = rater;
    ++s.n;
    if (truth == "generated")
      (ans == "generated" ? s.tp : s.fn)++;
    else
      (ans == "real" ? s.tn : s.fp)++;
  }
  std::vector<TuringScore> out;
  for (auto& [cell, s] : by_cell) {
    const long correct = static_cast<long>(s.tp + s.tn);
    s.accuracy = static_cast<double>(correct) / static_cast<double>(s.n);
    const Interval acc = clopper_pearson(correct, static_cast<long>(s.n));
    s.accuracy_lo = acc.lo;
    s.accuracy_hi = acc.hi;
    s.p_value = binomial_test(correct, static_cast<long>(s.n));
    auto rate = [](int64_t k, int64_t n, double& v, double& lo, double& hi) {
      if (n == 0) {
        v = lo = hi = std::numeric_limits<double>::quiet_NaN();
        return;
      }
      v = static_cast<double>(k) / static_cast<double>(n);
      const Interval ci = clopper_pearson(static_cast<long>(k), static_cast<long>(n));
      lo = ci.lo;
      hi = ci.hi;
    };
    rate(s.tp, s.tp + s.fn, s.sensitivity, s.sensitivity_lo, s.sensitivity_hi);
    rate(s.tn, s.tn + s.fp, s.specificity, s.specificity_lo, s.specificity_hi);
    out.push_back(s);
  }
  return out;
}
}  // namespace

std::vector<TuringScore> score_turing(const fs::path& answers_json, const fs::path& run_dir) {
  try {
    return score_turing_unchecked(answers_json, run_dir);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(fmt::format("{}: not a Turing answers file: {}", answers_json.string(), e.what()));
  }
}

void store_turing_scores(const fs::path& run_dir, const std::vector<TuringScore>& scores) {
  register_builtin_metrics();
  ResultsStore store(run_dir / "results.db", false);
  std::vector<MetricRow> rows;
  for (const auto& s : scores) {
    const std::map<std::string, std::string> r{{"rater", s.rater}};
    for (const auto& [id, v] :
         std::vector<std::pair<std::string, double>>{{"turing_accuracy", s.accuracy},
                                                     {"turing_accuracy_lo", s.accuracy_lo},
                                                     {"turing_accuracy_hi", s.accuracy_hi},
                                                     {"turing_sensitivity", s.sensitivity},
                                                     {"turing_sensitivity_lo", s.sensitivity_lo},
                                                     {"turing_sensitivity_hi", s.sensitivity_hi},
                                                     {"turing_specificity", s.specificity},
                                                     {"turing_specificity_lo", s.specificity_lo},
                                                     {"turing_specificity_hi", s.specificity_hi},
                                                     {"turing_p", s.p_value},
                                                     {"turing_n", static_cast<double>(s.n)}})
      rows.push_back({s.cell, metric_name(id, r), 0, v});
  }
  store.add_metrics(rows);
}

}  // namespace ganbench
