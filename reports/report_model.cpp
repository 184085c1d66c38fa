#include "reports/report_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/npy.h"
#include "metrics/metric_catalogue.h"
#include "reports/sample_grid.h"
#include "reports/statistics.h"

namespace ganbench {
namespace {

std::optional<MetricMatch> lookup(const std::string& name) {
  register_builtin_metrics();
  return match_metric(name);
}

MetricShow show_of(const std::string& name) {
  const auto m = lookup(name);
  return m ? m->spec->show : MetricShow::table;  // a name outside the catalogue still gets its table
}

// Value of each (cell, metric) at its last step, and the step-0 views.
std::map<std::string, std::map<std::string, double>> collect(const RunData& run) {
  std::map<std::string, std::map<std::string, double>> by_cell;
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, double>> last;
  for (const auto& m : run.metrics) {
    const auto match = lookup(m.name);
    if (match && match->spec->show != MetricShow::table) continue;
    auto key = std::make_pair(m.cell_id, m.name);
    auto it = last.find(key);
    if (it == last.end() || m.step > it->second.first) last[key] = {m.step, m.value};
    if (m.step == 0 && match && match->spec->step0_view) by_cell[m.cell_id][m.name + "@step0"] = m.value;
  }
  for (const auto& [key, v] : last) by_cell[key.first][key.second] = v.second;
  return by_cell;
}

}  // namespace

Summary summarize(const std::vector<double>& values) {
  Summary s;
  std::vector<double> v;
  bool infinite = false;  // e.g. PSNR of identical images: the mean is that infinity, with no spread
  for (double x : values) {
    if (std::isfinite(x)) v.push_back(x);
    if (std::isinf(x)) infinite = true;
  }
  if (infinite) {
    for (double x : values)
      if (!std::isnan(x)) s.mean += x;  // +inf, -inf, or NaN when both occur
    s.n = static_cast<int>(std::count_if(values.begin(), values.end(), [](double x) { return !std::isnan(x); }));
    s.std = NAN;
    return s;
  }
  s.n = static_cast<int>(v.size());
  s.values = v;
  if (v.empty()) {
    s.mean = s.std = NAN;
    return s;
  }
  for (double x : v) s.mean += x;
  s.mean /= s.n;
  if (s.n < 2) {
    s.std = NAN;
    return s;
  }
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(ss / (s.n - 1));
  s.ci = t_interval_half_width(v);
  return s;
}

int metric_direction(const std::string& name) {
  const auto m = lookup(name);
  return m ? m->spec->direction : 0;
}

int metric_decimals(const std::string& name) {
  const auto m = lookup(name);
  return m ? m->spec->decimals : -1;
}

std::string format_value(const std::string& metric, double v) {
  if (std::isinf(v)) return v > 0 ? "∞" : "−∞";  // PSNR of identical images: shown, never stored as NaN
  if (!std::isfinite(v)) return "–";
  const auto m = lookup(metric);
  const int d = m ? m->spec->decimals : -1;
  if (m && m->spec->signed_value) return fmt::format("{:+.{}f}", v, d);  // negative = augmentation hurt
  return d >= 0 ? fmt::format("{:.{}f}", v, d) : fmt::format("{:.4g}", v);
}

std::string format_p(double p) { return std::isfinite(p) ? fmt::format("{:.2g}", p) : "–"; }

std::string format_std(const std::string& metric, double v, double mean) {
  int d = metric_decimals(metric);
  if (d < 0) {
    if (!std::isfinite(mean) || mean == 0 || std::abs(mean) >= 1e4 || std::abs(mean) < 1e-4)
      return fmt::format("{:.2g}", v);
    d = std::max(0, 3 - static_cast<int>(std::floor(std::log10(std::abs(mean)))));
  }
  return fmt::format("{:.{}f}", v, d);
}

std::string fmt_num(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : ""; }

char note_letter(Missing m) {
  return m == Missing::not_run ? 'a' : m == Missing::no_finished_cell ? 'b' : 'c';
}

std::string note_text(Missing m) {
  switch (m) {
    case Missing::not_run:
      return "not run: this architecture and modality are not in the sweep";
    case Missing::no_finished_cell:
      return "no finished cell: every seed failed or is unfinished (see Cells)";
    default:
      return "not computed: the finished cells have no value for this metric (for example FID without "
             "Inception weights, or segmentation turned off)";
  }
}

bool NaturalLess::operator()(const std::string& a, const std::string& b) const {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      const std::string x = a.substr(i, i2 - i), y = b.substr(j, j2 - j);
      if (x.size() != y.size()) return x.size() < y.size();  // no leading zeros in these numbers
      if (x != y) return x < y;
      i = i2, j = j2;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i, ++j;
  }
  return a.size() - i < b.size() - j;
}

std::string CellAxes::family() const {
  std::string f = architecture;
  if (init == 0) f += " scratch";
  if (init == 1) f += freeze_d > 0 ? fmt::format(" fine-tuned (FreezeD {})", freeze_d) : " fine-tuned";
  return f;
}

std::string CellAxes::row() const {
  if (train_subjects <= 0) return family();
  const std::string f = family();
  return architecture + fmt::format(" n={}", train_subjects) + f.substr(architecture.size());
}

ReportModel::ReportModel(const std::vector<RunData>& runs_in) : runs(runs_in) {
  std::set<std::string> sweep_set, mod_set;
  std::set<std::string, NaturalLess> arch_set;
  struct Item {
    CellRecord c;
    std::string key;
    size_t run;
    CellAxes axes;
  };
  std::vector<Item> items;
  for (size_t r = 0; r < runs.size(); ++r) {
    const auto& run = runs[r];
    sweep_set.insert(run.sweep);
    const auto by_cell = collect(run);
    std::map<std::string, CellAxes> axes_of;  // hidden settings, so read from the stored rows
    for (const auto& row : run.metrics) {
      if (row.name == "train_subjects") axes_of[row.cell_id].train_subjects = static_cast<int64_t>(row.value);
      if (row.name == "init_pretrained") axes_of[row.cell_id].init = row.value == 1 ? 1 : 0;
      if (row.name == "freeze_d") axes_of[row.cell_id].freeze_d = static_cast<int64_t>(row.value);
    }
    std::map<std::string, std::string> key_of;
    for (auto c : run.cells) {
      const std::string key = fmt::format("{}:{}", r, c.id);
      key_of[c.id] = key;
      CellAxes ax = axes_of[c.id];
      ax.architecture = c.architecture;
      c.architecture = ax.row();
      items.push_back({c, key, r, ax});
      arch_set.insert(c.architecture);
      mod_set.insert(c.modality);
      auto it = by_cell.find(c.id);
      if (it != by_cell.end()) finals[key] = it->second;
    }
    for (const auto& row : run.metrics)
      if (show_of(row.name) == MetricShow::curve && key_of.count(row.cell_id))
        curves[key_of[row.cell_id]][row.name].emplace_back(row.step, row.value);
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.c.architecture != b.c.architecture) return NaturalLess{}(a.c.architecture, b.c.architecture);
    return std::tie(a.c.modality, a.c.seed, a.c.id, a.run) < std::tie(b.c.modality, b.c.seed, b.c.id, b.run);
  });
  for (auto& it : items) {
    cells.push_back(it.c);
    axes.push_back(it.axes);
    keys.push_back(it.key);
    run_index.push_back(it.run);
  }
  for (auto& [key, by_name] : curves)
    for (auto& [name, pts] : by_name) std::sort(pts.begin(), pts.end());
  sweeps.assign(sweep_set.begin(), sweep_set.end());
  archs.assign(arch_set.begin(), arch_set.end());
  mods.assign(mod_set.begin(), mod_set.end());
}

int ReportModel::done() const {
  return static_cast<int>(
      std::count_if(cells.begin(), cells.end(), [](auto& c) { return c.status == "done"; }));
}

int ReportModel::failed() const {
  return static_cast<int>(
      std::count_if(cells.begin(), cells.end(), [](auto& c) { return c.status == "failed"; }));
}

std::vector<std::string> ReportModel::table_names() const {
  std::set<std::string> all;
  for (const auto& [cell, metrics] : finals)
    for (const auto& [name, v] : metrics) all.insert(name);
  std::vector<std::string> out;
  for (const auto& n : headline_metrics()) {
    if (all.count(n)) out.push_back(n);
    if (all.count(n + "@step0")) out.push_back(n + "@step0");
  }
  for (const auto& n : all)
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  return out;
}

bool ReportModel::has_metric(const std::string& metric) const {
  for (const auto& [k, v] : finals)
    if (v.count(metric)) return true;
  return false;
}

bool ReportModel::uses_space(const std::string& space) const {
  for (const auto& [k, v] : finals)
    for (const auto& [name, x] : v) {
      const auto m = lookup(name);
      if (m && m->params.count("space") && m->params.at("space") == space) return true;
    }
  return false;
}

MetricTable ReportModel::table(const std::string& name) const {
  MetricTable t;
  t.metric = name;
  t.dir = metric_direction(name);
  if (const auto m = lookup(name)) t.reference = m->spec->reference;
  std::set<Missing> used;
  for (const auto& a : archs) {
    std::vector<Entry> row;
    for (const auto& mod : mods) {
      Entry e;
      std::vector<double> v;
      int n_cells = 0, n_done = 0;
      for (size_t i = 0; i < cells.size(); ++i) {
        const auto& c = cells[i];
        if (c.architecture != a || c.modality != mod) continue;
        ++n_cells;
        if (c.status != "done") continue;
        ++n_done;
        if (const auto x = final_value(i, name)) v.push_back(*x);
      }
      e.s = summarize(v);
      if (e.s.n == 0) {
        e.missing = n_cells == 0  ? Missing::not_run
                    : n_done == 0 ? Missing::no_finished_cell
                                  : Missing::not_computed;
        used.insert(e.missing);
      }
      row.push_back(e);
    }
    t.rows.push_back(row);
  }
  if (t.dir != 0 && archs.size() > 1)
    for (size_t j = 0; j < mods.size(); ++j) {
      double b = NAN;
      for (const auto& row : t.rows) {
        const double x = row[j].s.mean;
        if (row[j].s.n > 0 && (!std::isfinite(b) || (t.dir < 0 ? x < b : x > b))) b = x;
      }
      for (auto& row : t.rows)
        if (row[j].s.n > 0 && row[j].s.mean == b) row[j].best = true;
    }
  // Pairwise Welch tests per column, Holm-corrected within the column (the family of one table cell row).
  t.tests.assign(mods.size(), {});
  if (t.dir != 0)
    for (size_t j = 0; j < mods.size(); ++j) {
      auto& tests = t.tests[j];
      for (size_t a = 0; a < archs.size(); ++a)
        for (size_t b = a + 1; b < archs.size(); ++b) {
          const Summary &sa = t.rows[a][j].s, &sb = t.rows[b][j].s;
          if (sa.n < 2 || sb.n < 2) continue;
          Comparison c;
          const bool a_better = t.dir < 0 ? sa.mean <= sb.mean : sa.mean >= sb.mean;
          c.a = a_better ? a : b;
          c.b = a_better ? b : a;
          c.p = welch_t_test(sa.values, sb.values).p;
          tests.push_back(c);
        }
      std::vector<double> p;
      for (const auto& c : tests) p.push_back(c.p);
      const auto adj = holm_adjust(p);
      for (size_t k = 0; k < tests.size(); ++k) tests[k].p_holm = adj[k];
      for (size_t a = 0; a < archs.size(); ++a) {
        if (!t.rows[a][j].best) continue;
        int others = 0, beaten = 0;
        for (size_t b = 0; b < archs.size(); ++b)
          if (b != a && t.rows[b][j].s.n > 0) ++others;
        for (const auto& c : tests) beaten += c.a == a && c.significant();
        t.rows[a][j].beats_all = others > 0 && beaten == others;
      }
    }
  t.notes.assign(used.begin(), used.end());
  if (const auto match = lookup(name);
      match && (match->spec->id.rfind("label_fidelity", 0) == 0 ||  // the Dice section carries its own note
                (match->spec->family == "privacy" && match->params.count("space") && match->params.at("space") == "labels")))
    if (const std::string note = label_conditioned_note(); !note.empty()) t.caveats.push_back(note);
  // FID from fewer than kFidMinSamples generated images: biased upward, footnoted with the sizes used.
  if (const auto match = lookup(name);
      match && (match->spec->id == "fid" || match->spec->id == "fid_infinity")) {
    std::set<int64_t> small;
    for (size_t i = 0; i < cells.size(); ++i) {
      auto fit = finals.find(keys[i]);
      if (fit == finals.end() || !fit->second.count(name)) continue;
      auto n = fit->second.find(metric_name("distance_n"));
      if (n != fit->second.end() && n->second < kFidMinSamples) small.insert(static_cast<int64_t>(n->second));
    }
    if (!small.empty())
      t.caveats.push_back(fmt::format(
          "FID from N = {} generated images, fewer than {} (pytorch-fid's minimum for 2048-d features): biased "
          "upward and not comparable with FIDs at other N; compare fid_infinity_inception",
          fmt::join(small, ", "), kFidMinSamples));
  }
  return t;
}

void ReportModel::grouped(const std::string& metric, std::vector<std::vector<double>>& mean,
                          std::vector<std::vector<double>>& sd) const {
  const MetricTable t = table(metric);
  mean.assign(archs.size(), {});
  sd.assign(archs.size(), {});
  for (size_t i = 0; i < archs.size(); ++i)
    for (const auto& e : t.rows[i]) {
      mean[i].push_back(e.s.n > 0 ? e.s.mean : NAN);
      sd[i].push_back(e.s.ci);
    }
}

std::vector<std::pair<double, std::string>> ReportModel::mixed_arms() const {
  std::set<std::string> names;
  for (const auto& [k, v] : finals)
    for (const auto& [name, x] : v) names.insert(name);
  std::vector<std::pair<double, std::string>> out;
  for (const auto& n : names) {
    const auto m = lookup(n);
    if (!m || m->spec->id != "seg_dice" || !m->view.empty()) continue;
    if (auto r = seg_arm_ratio(m->params.at("arm"))) out.emplace_back(*r, n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, std::string>> ReportModel::dice_arms() const {
  std::vector<std::pair<std::string, std::string>> arms;
  for (const char* arm : {"real", "synth"}) {
    const std::string name = metric_name("seg_dice", {{"arm", arm}});
    if (has_metric(name))
      arms.emplace_back(std::string(arm) == "real" ? "real only" : "synthetic only", name);
  }
  for (const auto& [r, n] : mixed_arms()) arms.emplace_back(fmt::format("real + {} N", fmt_num(r)), n);
  // Translation's arms (experiments/translation_cell.cpp).
  for (const auto& [arm, title] : {std::pair<const char*, const char*>{"preserve", "real-target U-Net on translated"},
                                   {"adapt", "trained on translated source"},
                                   {"floor", "trained on untranslated source"}}) {
    const std::string name = metric_name("seg_dice", {{"arm", arm}});
    if (has_metric(name)) arms.emplace_back(title, name);
  }
  return arms;
}

const std::vector<std::string> kSampleSheetStems = {"real", "samples_step0", "samples"};
const std::vector<std::string> kNearestSheetStems = {"nearest_generated", "nearest_train"};
const std::vector<std::string> kTranslationSheetStems = {"translation_source", "translated", "translation_target",
                                                         "translation_error"};

std::vector<std::string> ReportModel::label_conditioned_archs() const {
  std::set<std::string> out;  // a hidden setting, so read from the stored rows rather than the tables' finals
  for (const auto& run : runs)
    for (const auto& row : run.metrics)
      if (row.name == "label_conditioned" && row.value == 1)
        for (const auto& c : run.cells)
          if (c.id == row.cell_id) out.insert(c.architecture);
  return {out.begin(), out.end()};
}

std::optional<StudyTable> ReportModel::study_table() const {
  StudyTable t;
  t.dice = metric_name("seg_dice", {{"arm", "synth"}});
  // On the data.train_subjects axis the real-only U-Net differs per N, so one "real data" row would mislead:
  // the Dice-by-arm table and the metric-vs-N plot show those runs.
  if (!has_metric(t.dice) || has_train_subjects()) return std::nullopt;
  for (const char* d : {"fid_inception", "fd_unet", "fd_handcrafted"})
    if (has_metric(d)) {
      t.distance = d;
      break;
    }
  if (t.distance.empty()) return std::nullopt;
  t.d = table(t.distance);
  t.s = table(t.dice);
  const MetricTable real = table(metric_name("seg_dice", {{"arm", "real"}}));
  for (size_t j = 0; j < mods.size(); ++j) {
    // The real-only U-Net is the same for every architecture at a seed: the first row holding it.
    Summary best;
    for (const auto& row : real.rows)
      if (row[j].s.n > best.n) best = row[j].s;
    t.real.push_back(best);
  }
  return t;
}

std::optional<double> ReportModel::final_value(size_t i, const std::string& metric) const {
  const auto fit = finals.find(keys[i]);
  if (fit == finals.end()) return std::nullopt;
  const auto it = fit->second.find(metric);
  if (it == fit->second.end() || !std::isfinite(it->second)) return std::nullopt;
  return it->second;
}

bool ReportModel::has_train_subjects() const {
  return std::any_of(axes.begin(), axes.end(), [](const CellAxes& a) { return a.train_subjects > 0; });
}

std::vector<ScarcityLine> ReportModel::scarcity(const std::string& metric, const std::string& modality) const {
  std::map<std::string, std::map<int64_t, std::vector<double>>, NaturalLess> by_family;
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& c = cells[i];
    if (c.modality != modality || c.status != "done" || axes[i].train_subjects <= 0) continue;
    auto& values = by_family[axes[i].family()][axes[i].train_subjects];
    if (const auto x = final_value(i, metric)) values.push_back(*x);
  }
  std::vector<ScarcityLine> out;
  for (const auto& [family, by_n] : by_family) {
    ScarcityLine line;
    line.name = family;
    bool any = false;
    for (const auto& [n, values] : by_n) {
      line.n.push_back(static_cast<double>(n));
      line.s.push_back(summarize(values));
      any = any || !values.empty();
    }
    if (any) out.push_back(std::move(line));
  }
  return out;
}

std::vector<TransferComparison> ReportModel::transfer_comparisons(const std::string& metric,
                                                                  const std::string& modality) const {
  // (architecture, start, N) -> values over seeds; start "" = scratch.
  std::map<std::tuple<std::string, std::string, int64_t>, std::vector<double>> values;
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& ax = axes[i];
    if (cells[i].modality != modality || cells[i].status != "done" || ax.init < 0) continue;
    const std::string start = ax.init == 0 ? "" : ax.family().substr(ax.architecture.size() + 1);
    auto& v = values[{ax.architecture, start, ax.train_subjects}];
    if (const auto x = final_value(i, metric)) v.push_back(*x);
  }
  std::vector<TransferComparison> out;
  for (const auto& [key, fine] : values) {
    const auto& [arch, start, n] = key;
    if (start.empty()) continue;
    const auto sc = values.find({arch, "", n});
    if (sc == values.end() || fine.empty() || sc->second.empty()) continue;
    TransferComparison c;
    c.architecture = arch;
    c.finetuned = start;
    c.n = n;
    c.fine = summarize(fine);
    c.scratch = summarize(sc->second);
    c.p = welch_t_test(fine, sc->second).p;
    out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const TransferComparison& a, const TransferComparison& b) {
    return std::tie(a.architecture, a.finetuned, a.n) < std::tie(b.architecture, b.finetuned, b.n);
  });
  std::vector<double> p;
  for (const auto& c : out) p.push_back(c.p);
  const auto adj = holm_adjust(p);
  for (size_t k = 0; k < out.size(); ++k) out[k].p_holm = adj[k];
  return out;
}

std::vector<std::string> ReportModel::transfer_metrics() const {
  std::vector<std::string> out;
  for (const char* d : {"fid_inception", "fd_unet", "fd_handcrafted"})
    if (has_metric(d)) {
      out.push_back(d);
      break;
    }
  // The real-only arm is left out: its U-Net never sees the GAN, so both starts share it by construction.
  for (const auto& arm : dice_arms())
    if (arm.second != metric_name("seg_dice", {{"arm", "real"}})) out.push_back(arm.second);
  return out;
}

std::string ReportModel::label_conditioned_note() const {
  const auto a = label_conditioned_archs();
  if (a.empty()) return "";
  return fmt::format(
      "Label-conditioned: {} make{} each synthetic image from a real training label map instead of generating "
      "the map, so {} synthetic pairs reuse real anatomy: {} Dice arms and label fidelity are not comparable with "
      "joint synthesis without this note, and {} near-copy fraction in the labels space is 1 by construction",
      fmt::join(a, ", "), a.size() == 1 ? "s" : "", a.size() == 1 ? "its" : "their", a.size() == 1 ? "its" : "their",
      a.size() == 1 ? "its" : "their");
}

std::string ReportModel::export_command(size_t i) const {
  const CellRecord& c = cells[i];
  const auto art = runs[run_index[i]].artefact_paths(c.id);
  if (c.status != "done" || !art.count("checkpoint") || art.count("translated_images")) return "";
  std::string name = c.modality;
  name.erase(std::remove_if(name.begin(), name.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }),
             name.end());
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return fmt::format("ganbench sample {} --cell {} --n 1000 --out Dataset501_Synth{}",
                     runs[run_index[i]].run_dir.filename().string(), c.id, name);
}

const std::vector<std::string>& sheet_stems(const RunData& run, const std::string& cell_id) {
  return run.artefact_paths(cell_id).count("translated_images") ? kTranslationSheetStems : kSampleSheetStems;
}

std::string sample_sheet(const RunData& run, const std::string& cell_id,
                         const std::vector<std::string>& stems) {
  std::map<std::string, std::string> art = run.artefact_paths(cell_id);
  std::vector<GridRow> rows;
  for (const auto& stem : stems) {
    const std::string ki = stem + "_images", kl = stem + "_labels";
    std::error_code ec;
    if (art.count(ki) && !std::filesystem::exists(run.run_dir / art[ki], ec))
      continue;  // recorded, not there
    if (!art.count(ki) || !art.count(kl)) continue;
    rows.push_back({read_npy(run.run_dir / art[ki]), read_npy(run.run_dir / art[kl])});
  }
  return rows.empty() ? std::string() : render_sample_grid(rows);
}

std::string ReportModel::sample_sheet(size_t i) const {
  const RunData& run = runs[run_index[i]];
  return ganbench::sample_sheet(run, cells[i].id, sheet_stems(run, cells[i].id));
}

std::string ReportModel::nearest_sheet(size_t i) const {
  return ganbench::sample_sheet(runs[run_index[i]], cells[i].id, kNearestSheetStems);
}

const char* const kPrivacyNote =
    "Memorization audit: for each generated image, the distance to its nearest training image, against the "
    "same distance for held-out real test images that no model saw. memorization_near_copy_fraction_<space> "
    "is the share of generated images nearer the training set than 95% of the test images are: about 0.05 "
    "for a GAN that draws new images, 1 for one that copies. memorization_median_ratio_<space> is the ratio "
    "of the median distances (below 1: closer to the training images than new real images are). Spaces: raw "
    "pixels, the real-only U-Net encoder, each configured extractor, and labels (the label maps, one-hot: a "
    "distance counts the pixels whose label differs). A generator collapsed towards the "
    "mean image also sits near training images, so read the audit with precision/recall and the gallery. "
    "Label fidelity: the frozen real-only U-Net segments each generated image, and label_fidelity_dice is "
    "the Dice against the label map generated with it; its ceiling is that U-Net's Dice on the real test "
    "split (seg_dice_real).";

std::string label_fidelity_off_note(const ReportModel& m) {
  if (m.has_metric("label_fidelity_dice")) return "";
  return "Label fidelity needs the segmentation protocol (segmentation.enabled: true), which was off in "
         "these runs.";
}

const char* const kStatisticsNote =
    "Values are mean ± the half-width of the 95% confidence interval over seeds (Student t, n − 1 degrees of "
    "freedom), with n; a single seed shows its value alone. The best per column is in bold; † marks a best "
    "value that is significantly better than every other architecture in its column (Welch's t-test over "
    "seeds, Holm-corrected over the column's pairs, α = 0.05). A dash means no value; its footnote says why.";

std::vector<std::string> significance_lines(const ReportModel& m, const MetricTable& t, const std::string& lt,
                                            const std::string& gt) {
  std::vector<std::string> out;
  bool any_test = false;
  for (size_t j = 0; j < t.tests.size(); ++j) {
    any_test |= !t.tests[j].empty();
    std::vector<std::string> pairs;
    for (const auto& c : t.tests[j])
      if (c.significant())
        pairs.push_back(
            fmt::format("{} {} {} (p = {:.2g})", m.archs[c.a], t.dir < 0 ? lt : gt, m.archs[c.b], c.p_holm));
    if (!pairs.empty()) out.push_back(fmt::format("{}: {}", m.mods[j], fmt::join(pairs, ", ")));
  }
  if (any_test && out.empty()) out.push_back("no significant difference");
  return out;
}

std::string direction_words(const MetricTable& t) { return ganbench::direction_text(t.dir, t.reference); }

std::string direction_text(const MetricTable& t) {
  const std::string d = direction_words(t);
  return d.empty() ? d : " (" + d + ")";
}

std::string entry_text(const std::string& metric, const Summary& s, const std::string& pm,
                       const std::string& n_open, const std::string& n_close) {
  std::string txt = format_value(metric, s.mean);
  if (std::isfinite(s.ci)) {
    const std::string sd = format_std(metric, s.ci, s.mean);
    const size_t dot = sd.find('.');
    // Four-significant-digit metrics: the mean takes the spread's decimals ("2.000 ± 1.000").
    if (metric_decimals(metric) < 0 && sd.find('e') == std::string::npos)
      txt = fmt::format("{:.{}f}", s.mean, dot == std::string::npos ? 0 : int(sd.size() - dot - 1));
    txt += pm + sd;
  }
  return txt + n_open + std::to_string(s.n) + n_close;
}

}  // namespace ganbench
