#include "reports/report.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/atomic_file.h"
#include "common/npy.h"
#include "reports/sample_grid.h"
#include "reports/svg.h"

namespace ganbench {
namespace fs = std::filesystem;

namespace {

bool is_curve(const std::string& name) { return name.rfind("train/", 0) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Metrics shown as tables, in this order; others follow alphabetically.
const std::vector<std::string>& headline_order() {
  static const std::vector<std::string> order = {"fid_inception",
                                                 "kid_inception",
                                                 "fd_unet",
                                                 "fd_handcrafted",
                                                 "kid_handcrafted",
                                                 "fid_inception_real_floor",
                                                 "fd_unet_real_floor",
                                                 "fd_handcrafted_real_floor",
                                                 "seg_dice_real",
                                                 "seg_dice_synth",
                                                 "seg_dice_synth_delta",
                                                 "seg_hd95_real",
                                                 "seg_hd95_synth",
                                                 "degenerate_label_fraction",
                                                 "train_seconds",
                                                 "steps_per_second",
                                                 "peak_rss_mib",
                                                 "parameters"};
  return order;
}

// Value of each (cell, metric) at its last step, and fd_* values at step 0.
struct Finals {
  std::map<std::string, std::map<std::string, double>> by_cell;  // cell -> metric -> value
};

Finals collect(const RunData& run) {
  Finals f;
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, double>> last;
  for (const auto& m : run.metrics) {
    if (is_curve(m.name) || ends_with(m.name, "_std") || m.name == "resumed_from_step") continue;
    auto key = std::make_pair(m.cell_id, m.name);
    auto it = last.find(key);
    if (it == last.end() || m.step > it->second.first) last[key] = {m.step, m.value};
    if (m.step == 0 && m.name.rfind("fd_", 0) == 0) f.by_cell[m.cell_id][m.name + "@step0"] = m.value;
  }
  for (const auto& [key, v] : last) f.by_cell[key.first][key.second] = v.second;
  return f;
}

std::vector<std::string> table_names(const std::map<std::string, std::map<std::string, double>>& by_cell) {
  std::set<std::string> all;
  for (const auto& [cell, metrics] : by_cell)
    for (const auto& [name, v] : metrics) all.insert(name);
  std::vector<std::string> out;
  for (const auto& n : headline_order()) {
    if (all.count(n)) out.push_back(n);
    if (all.count(n + "@step0")) out.push_back(n + "@step0");
  }
  for (const auto& n : all)
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  return out;
}

std::string fmt_num(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : ""; }

// PNG sample sheet of one cell (real, step 0, trained rows) from its stored artefacts; "" when it has none.
std::string sample_sheet(const RunData& run, const std::string& cell_id) {
  std::map<std::string, std::string> art;
  for (const auto& a : run.artefacts)
    if (a.cell_id == cell_id) art[a.kind] = a.path;
  std::vector<GridRow> rows;
  for (const char* stem : {"real", "samples_step0", "samples"}) {
    const std::string ki = std::string(stem) + "_images", kl = std::string(stem) + "_labels";
    if (!art.count(ki) || !art.count(kl)) continue;
    rows.push_back({read_npy(run.run_dir / art[ki]), read_npy(run.run_dir / art[kl])});
  }
  return rows.empty() ? std::string() : render_sample_grid(rows);
}

constexpr const char* kHandcraftedNote =
    "`fd_handcrafted` and `kid_handcrafted` use a stand-in feature extractor (8x8 layout, intensity and "
    "gradient "
    "histograms, channel moments). They are **not FID/KID on Inception features** and are not comparable "
    "with "
    "published numbers; they rank GANs on this benchmark only. `@step0` is the same distance for the "
    "untrained "
    "generator, and `_real_floor` is the distance between the real training and test splits.";

// Decimals a metric prints with; -1 = four significant digits.
int metric_decimals(const std::string& base) {
  auto starts = [&](const char* p) { return base.rfind(p, 0) == 0; };
  if (ends_with(base, "_delta")) return 3;
  if (base == "parameters" || base == "peak_rss_mib" || starts("seg_train_images")) return 0;
  if (base == "train_seconds" || base == "steps_per_second") return 1;
  if (starts("fid_")) return 2;  // as papers print FID
  if (starts("kid_")) return 4;
  if (starts("seg_dice") || starts("precision_") || starts("recall_") || base == "degenerate_label_fraction")
    return 3;
  if (starts("seg_hd95")) return 2;  // px
  return -1;
}

// A spread in the decimals of its mean (four significant digits of the mean: "0.3232 ± 0.0061", not
// "± 0.006097"), without a sign.
std::string format_std(const std::string& metric, double v, double mean) {
  const std::string base = metric.substr(0, metric.find('@'));
  int d = metric_decimals(base);
  if (d < 0) {
    if (!std::isfinite(mean) || mean == 0 || std::abs(mean) >= 1e4 || std::abs(mean) < 1e-4)
      return fmt::format("{:.2g}", v);
    d = std::max(0, 3 - static_cast<int>(std::floor(std::log10(std::abs(mean)))));
  }
  return fmt::format("{:.{}f}", v, d);
}

}  // namespace

RunData load_run(const fs::path& run_dir) {
  const fs::path db = run_dir / "results.db";
  if (!fs::exists(db))
    throw std::runtime_error(
        fmt::format("{}: no results.db here; is this a ganbench run folder?", run_dir.string()));
  ResultsStore store(db, false);
  RunData r;
  r.run_dir = run_dir;
  const auto sweeps = store.sweeps();
  r.sweep = sweeps.empty() ? run_dir.filename().string() : sweeps.front().first;
  r.cells = store.cells();
  r.metrics = store.metrics();
  r.artefacts = store.artefacts();
  return r;
}

Summary summarize(const std::vector<double>& values) {
  Summary s;
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  s.n = static_cast<int>(v.size());
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
  return s;
}

int metric_direction(const std::string& name) {
  const std::string base = name.substr(0, name.find('@'));
  auto starts = [&](const char* p) { return base.rfind(p, 0) == 0; };
  if (ends_with(base, "_real_floor") || starts("seg_train_images")) return 0;
  if (starts("fd_") || starts("fid_") || starts("kid_") || starts("seg_hd95") ||
      base == "degenerate_label_fraction" || base == "train_seconds" || base == "peak_rss_mib")
    return -1;
  if (starts("seg_dice") || starts("dice") || starts("precision_") || starts("recall_") ||
      base == "steps_per_second")
    return +1;
  return 0;
}

std::string format_value(const std::string& metric, double v) {
  if (!std::isfinite(v)) return "–";
  const std::string base = metric.substr(0, metric.find('@'));
  const int d = metric_decimals(base);
  if (ends_with(base, "_delta"))
    return fmt::format("{:+.{}f}", v, d);  // signed: negative = augmentation hurt
  return d >= 0 ? fmt::format("{:.{}f}", v, d) : fmt::format("{:.4g}", v);
}

namespace {

// All runs merged: cells sorted by architecture, modality, seed; each cell keyed by run index and id, so
// merged cluster folders may reuse cell ids.
struct Merged {
  std::vector<std::string> sweeps, archs, mods;
  std::vector<CellRecord> cells;
  std::vector<std::string> keys;                                // parallel to cells
  std::vector<size_t> run_index;                                // parallel to cells
  std::map<std::string, std::map<std::string, double>> finals;  // key -> metric -> value
  std::map<std::string, std::map<std::string, std::vector<std::pair<int64_t, double>>>>
      curves;  // key -> name
};

Merged merge(const std::vector<RunData>& runs) {
  Merged m;
  std::set<std::string> sweeps, archs, mods;
  struct Item {
    CellRecord c;
    std::string key;
    size_t run;
  };
  std::vector<Item> items;
  for (size_t r = 0; r < runs.size(); ++r) {
    const auto& run = runs[r];
    sweeps.insert(run.sweep);
    const Finals f = collect(run);
    for (const auto& c : run.cells) {
      const std::string key = fmt::format("{}:{}", r, c.id);
      items.push_back({c, key, r});
      archs.insert(c.architecture);
      mods.insert(c.modality);
      auto it = f.by_cell.find(c.id);
      if (it != f.by_cell.end()) m.finals[key] = it->second;
    }
    std::map<std::string, std::string> key_of;
    for (const auto& c : run.cells) key_of[c.id] = fmt::format("{}:{}", r, c.id);
    for (const auto& row : run.metrics)
      if (is_curve(row.name) && key_of.count(row.cell_id))
        m.curves[key_of[row.cell_id]][row.name].emplace_back(row.step, row.value);
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.c.architecture, a.c.modality, a.c.seed, a.c.id, a.run) <
           std::tie(b.c.architecture, b.c.modality, b.c.seed, b.c.id, b.run);
  });
  for (auto& it : items) {
    m.cells.push_back(it.c);
    m.keys.push_back(it.key);
    m.run_index.push_back(it.run);
  }
  for (auto& [key, by_name] : m.curves)
    for (auto& [name, pts] : by_name) std::sort(pts.begin(), pts.end());
  m.sweeps.assign(sweeps.begin(), sweeps.end());
  m.archs.assign(archs.begin(), archs.end());
  m.mods.assign(mods.begin(), mods.end());
  return m;
}

// Why a table entry has no value; the letter is its footnote marker.
enum class Missing { none, not_run, no_finished_cell, not_computed };
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

struct Entry {
  Summary s;
  bool best = false;
  Missing missing = Missing::none;
};

struct MetricTable {
  std::string metric;
  int dir = 0;
  std::vector<std::vector<Entry>> rows;  // [arch][modality]
  std::vector<Missing> notes;            // distinct reasons used, in footnote order
};

MetricTable build_table(const Merged& m, const std::string& name) {
  MetricTable t;
  t.metric = name;
  t.dir = metric_direction(name);
  std::set<Missing> used;
  for (const auto& a : m.archs) {
    std::vector<Entry> row;
    for (const auto& mod : m.mods) {
      Entry e;
      std::vector<double> v;
      int n_cells = 0, n_done = 0;
      for (size_t i = 0; i < m.cells.size(); ++i) {
        const auto& c = m.cells[i];
        if (c.architecture != a || c.modality != mod) continue;
        ++n_cells;
        if (c.status != "done") continue;
        ++n_done;
        auto fit = m.finals.find(m.keys[i]);
        if (fit == m.finals.end()) continue;
        auto it = fit->second.find(name);
        if (it != fit->second.end() && std::isfinite(it->second)) v.push_back(it->second);
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
  if (t.dir != 0 && m.archs.size() > 1)
    for (size_t j = 0; j < m.mods.size(); ++j) {
      double b = NAN;
      for (const auto& row : t.rows) {
        const double x = row[j].s.mean;
        if (row[j].s.n > 0 && (!std::isfinite(b) || (t.dir < 0 ? x < b : x > b))) b = x;
      }
      for (auto& row : t.rows)
        if (row[j].s.n > 0 && row[j].s.mean == b) row[j].best = true;
    }
  t.notes.assign(used.begin(), used.end());
  return t;
}

std::string direction_text(int dir) {
  return dir < 0 ? " (lower is better)" : dir > 0 ? " (higher is better)" : "";
}

// "mean ± std (n=k)" in the metric's precision; std left out for n = 1.
std::string entry_text(const std::string& metric, const Summary& s, const std::string& pm,
                       const std::string& n_open, const std::string& n_close) {
  std::string txt = format_value(metric, s.mean);
  if (std::isfinite(s.std)) {
    const std::string sd = format_std(metric, s.std, s.mean);
    const size_t dot = sd.find('.');
    // Four-significant-digit metrics: the mean takes the spread's decimals ("2.000 ± 1.000").
    if (metric_decimals(metric.substr(0, metric.find('@'))) < 0 && sd.find('e') == std::string::npos)
      txt = fmt::format("{:.{}f}", s.mean, dot == std::string::npos ? 0 : int(sd.size() - dot - 1));
    txt += pm + sd;
  }
  return txt + n_open + std::to_string(s.n) + n_close;
}

std::string markdown_table(const Merged& m, const MetricTable& t) {
  std::string md = fmt::format("## {}{}\n\n| architecture |", t.metric, direction_text(t.dir));
  for (const auto& mod : m.mods) md += fmt::format(" {} |", mod);
  md += "\n|---|";
  for (size_t i = 0; i < m.mods.size(); ++i) md += "---|";
  md += "\n";
  for (size_t i = 0; i < m.archs.size(); ++i) {
    md += fmt::format("| {} |", m.archs[i]);
    for (const auto& e : t.rows[i]) {
      if (e.s.n == 0) {
        md += fmt::format(" –[{}] |", note_letter(e.missing));
        continue;
      }
      const std::string txt = entry_text(t.metric, e.s, " ± ", " (n=", ")");
      md += e.best ? " **" + txt + "** |" : " " + txt + " |";
    }
    md += "\n";
  }
  for (Missing n : t.notes) md += fmt::format("\n[{}] {}", note_letter(n), note_text(n));
  return md + (t.notes.empty() ? "\n" : "\n\n");
}

// The segmentation protocol's arms present, in reading order: real only, synthetic only, then the mixed arms
// by ratio. Pairs of (column title, metric).
std::vector<std::pair<std::string, std::string>> dice_arms(const Merged& m) {
  std::set<std::string> names;
  for (const auto& [k, v] : m.finals)
    for (const auto& [name, x] : v) names.insert(name);
  std::vector<std::pair<std::string, std::string>> arms;
  if (names.count("seg_dice_real")) arms.emplace_back("real only", "seg_dice_real");
  if (names.count("seg_dice_synth")) arms.emplace_back("synthetic only", "seg_dice_synth");
  std::vector<std::pair<double, std::string>> mixed;
  const std::string p = "seg_dice_mix_r";
  for (const auto& n : names)
    if (n.rfind(p, 0) == 0 && n.find('/') == std::string::npos && !ends_with(n, "_delta")) {
      try {
        mixed.emplace_back(std::stod(n.substr(p.size())), n);
      } catch (const std::exception&) {
      }
    }
  std::sort(mixed.begin(), mixed.end());
  for (const auto& [r, n] : mixed) arms.emplace_back(fmt::format("real + {} N", fmt_num(r)), n);
  return arms;
}

// Markdown: per modality, architectures x protocol arms (mean foreground Dice on the real test split).
std::string markdown_dice_arms(const Merged& m) {
  const auto arms = dice_arms(m);
  if (arms.empty()) return "";
  std::string md =
      "## U-Net Dice by protocol arm (higher is better)\n\nMean foreground Dice on the real test split; N = "
      "the "
      "real training count. Deltas against real only are in the `_delta` tables.\n\n";
  for (size_t j = 0; j < m.mods.size(); ++j) {
    md += fmt::format("**{}**\n\n| architecture |", m.mods[j]);
    for (const auto& [title, metric] : arms) md += " " + title + " |";
    md += "\n|---|";
    for (size_t k = 0; k < arms.size(); ++k) md += "---|";
    md += "\n";
    std::vector<MetricTable> tables;
    for (const auto& [title, metric] : arms) tables.push_back(build_table(m, metric));
    std::set<Missing> used;
    for (size_t i = 0; i < m.archs.size(); ++i) {
      md += "| " + m.archs[i] + " |";
      for (const auto& t : tables) {
        const Entry& e = t.rows[i][j];
        if (e.s.n == 0) used.insert(e.missing);
        md += e.s.n == 0 ? fmt::format(" –[{}] |", note_letter(e.missing))
                         : " " + entry_text(t.metric, e.s, " ± ", " (n=", ")") + " |";
      }
      md += "\n";
    }
    for (Missing n : used) md += fmt::format("\n[{}] {}", note_letter(n), note_text(n));
    md += used.empty() ? "\n" : "\n\n";
  }
  return md;
}

std::vector<std::string> merged_table_names(const Merged& m) {
  std::map<std::string, std::map<std::string, double>> by;
  for (const auto& [k, v] : m.finals) by[k] = v;
  return table_names(by);
}

}  // namespace

std::string render_markdown(const std::vector<RunData>& runs, const std::string& grid_dir) {
  const Merged m = merge(runs);
  int n_done = 0, n_failed = 0;
  for (const auto& c : m.cells) {
    if (c.status == "done")
      ++n_done;
    else if (c.status == "failed")
      ++n_failed;
  }
  std::string md = fmt::format("# ganbench report: {}\n\n", fmt::join(m.sweeps, ", "));
  md += fmt::format(
      "{} cells: {} done, {} failed, {} unfinished. Values are mean ± sample std over seeds, with n; "
      "the best per column is in bold. A dash means no value; its footnote says why.\n\n",
      m.cells.size(), n_done, n_failed, m.cells.size() - n_done - n_failed);
  bool handcrafted = false;
  for (const auto& [cell, v] : m.finals)
    for (const auto& [name, x] : v) handcrafted |= name.find("handcrafted") != std::string::npos;
  if (handcrafted) md += std::string(kHandcraftedNote) + "\n\n";
  md += markdown_dice_arms(m);
  for (const auto& name : merged_table_names(m)) md += markdown_table(m, build_table(m, name));

  md += "## Cells\n\n| cell | status | seed | train s | error |\n|---|---|---|---|---|\n";
  for (const auto& c : m.cells) {
    std::string err = c.error;
    std::replace(err.begin(), err.end(), '\n', ' ');
    std::replace(err.begin(), err.end(), '|', '/');
    md += fmt::format("| {} | {} | {} | {} | {} |\n", c.id, c.status, c.seed,
                      c.status == "done" ? fmt::format("{:.1f}", c.train_seconds) : "–", err);
  }
  if (!grid_dir.empty()) {
    md +=
        "\n## Samples\n\nEach sheet: real training images, the generator at step 0, and after training; "
        "every "
        "second row overlays the label map in colour.\n\n";
    for (const auto& c : m.cells)
      if (c.status == "done") md += fmt::format("### {}\n\n![{}]({}/{}.png)\n\n", c.id, c.id, grid_dir, c.id);
  }
  return md;
}

namespace {

std::string tex_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '_':
        o += "\\_";
        break;
      case '%':
        o += "\\%";
        break;
      case '&':
        o += "\\&";
        break;
      case '#':
        o += "\\#";
        break;
      case '$':
        o += "\\$";
        break;
      case '{':
        o += "\\{";
        break;
      case '}':
        o += "\\}";
        break;
      case '~':
        o += "\\textasciitilde{}";
        break;
      case '^':
        o += "\\textasciicircum{}";
        break;
      case '\\':
        o += "\\textbackslash{}";
        break;
      default:
        o += c;
    }
  }
  return o;
}

// Non-ASCII characters that our values use, as LaTeX.
std::string tex_value(std::string s) {
  const std::pair<const char*, const char*> subs[] = {{"–", "--"}, {"±", "$\\pm$"}};
  for (const auto& [from, to] : subs)
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + std::strlen(to)))
      s.replace(p, std::strlen(from), to);
  return s;
}

std::string latex_table(const Merged& m, const MetricTable& t) {
  std::string tex = "\\begin{table}[ht]\n\\centering\n";
  tex += fmt::format("\\caption{{{}{}: mean $\\pm$ sample std over seeds (n); best per column in bold.}}\n",
                     tex_escape(t.metric), direction_text(t.dir));
  tex += fmt::format("\\begin{{tabular}}{{l{}}}\n\\toprule\nArchitecture", std::string(m.mods.size(), 'r'));
  for (const auto& mod : m.mods) tex += " & " + tex_escape(mod);
  tex += " \\\\\n\\midrule\n";
  for (size_t i = 0; i < m.archs.size(); ++i) {
    tex += tex_escape(m.archs[i]);
    for (const auto& e : t.rows[i]) {
      if (e.s.n == 0) {
        tex += fmt::format(" & --\\textsuperscript{{{}}}", note_letter(e.missing));
        continue;
      }
      std::string txt = tex_value(entry_text(t.metric, e.s, " ± ", " (", ")"));
      tex += e.best ? " & \\textbf{" + txt + "}" : " & " + txt;
    }
    tex += " \\\\\n";
  }
  tex += "\\bottomrule\n\\end{tabular}\n";
  for (Missing n : t.notes)
    tex += fmt::format("\\par\\smallskip{{\\footnotesize\\textsuperscript{{{}}}{}}}\n", note_letter(n),
                       tex_escape(note_text(n)));
  return tex + "\\end{table}\n\n";
}

}  // namespace

std::string render_latex(const std::vector<RunData>& runs) {
  const Merged m = merge(runs);
  std::string tex =
      "% ganbench report: booktabs tables, one per metric. Compiles on its own; copy a table environment "
      "into\n"
      "% a paper (needs \\usepackage{booktabs}).\n"
      "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n"
      "\\usepackage[margin=2cm]{geometry}\n\\begin{document}\n";
  tex += fmt::format("\\section*{{ganbench report: {}}}\n\n",
                     tex_escape(fmt::format("{}", fmt::join(m.sweeps, ", "))));
  for (const auto& name : merged_table_names(m)) tex += latex_table(m, build_table(m, name));
  return tex + "\\end{document}\n";
}

namespace {

std::string base64(const std::string& bytes) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], tbl[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint8_t(bytes[i]) << 16;
    out += {tbl[v >> 18], tbl[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], '='};
  }
  return out;
}

// Lets long metric names break after their underscores.
std::string wrap_underscores(std::string s) {
  for (size_t p = s.find('_'); p != std::string::npos; p = s.find('_', p + 6)) s.insert(p + 1, "<wbr>");
  return s;
}

// One <td>: mean ± std (n), bold when best, or a footnoted dash.
std::string html_entry(const std::string& metric, const Entry& e) {
  if (e.s.n == 0) return fmt::format("<td class=\"missing\">–<sup>{}</sup></td>", note_letter(e.missing));
  // entry_text with an empty n suffix is "mean ± std" + n; rebuild it with the n in its own span.
  std::string value = entry_text(metric, e.s, " ± ", "\x1f", "");
  value = value.substr(0, value.find('\x1f'));
  const std::string cell = svg::escape(value) + fmt::format(" <span class=\"n\">(n={})</span>", e.s.n);
  return e.best ? "<td class=\"best\"><b>" + cell + "</b></td>" : "<td>" + cell + "</td>";
}

std::string html_table(const Merged& m, const MetricTable& t) {
  std::string h = fmt::format("<table class=\"metric\"><caption>{}{}</caption>\n<tr><th>architecture</th>",
                              svg::escape(t.metric), direction_text(t.dir));
  for (const auto& mod : m.mods) h += "<th>" + svg::escape(mod) + "</th>";
  h += "</tr>\n";
  for (size_t i = 0; i < m.archs.size(); ++i) {
    h += "<tr><th>" + svg::escape(m.archs[i]) + "</th>";
    for (const auto& e : t.rows[i]) h += html_entry(t.metric, e);
    h += "</tr>\n";
  }
  h += "</table>\n";
  for (Missing n : t.notes)
    h += fmt::format("<p class=\"note\"><sup>{}</sup> {}</p>\n", note_letter(n), svg::escape(note_text(n)));
  return h;
}

// Values of `metric` per architecture (series) and modality (group): mean and std over finished cells.
void grouped(const Merged& m, const std::string& metric, std::vector<std::vector<double>>& mean,
             std::vector<std::vector<double>>& sd) {
  const MetricTable t = build_table(m, metric);
  mean.assign(m.archs.size(), {});
  sd.assign(m.archs.size(), {});
  for (size_t i = 0; i < m.archs.size(); ++i)
    for (const auto& e : t.rows[i]) {
      mean[i].push_back(e.s.n > 0 ? e.s.mean : NAN);
      sd[i].push_back(e.s.std);
    }
}

bool has_metric(const Merged& m, const std::string& metric) {
  for (const auto& [k, v] : m.finals)
    if (v.count(metric)) return true;
  return false;
}

// The ratio of a mixed arm's Dice metric ("seg_dice_mix_r0.5" -> 0.5), or NaN.
double mix_ratio(const std::string& name) {
  const std::string p = "seg_dice_mix_r";
  if (name.rfind(p, 0) != 0 || name.find('/') != std::string::npos || ends_with(name, "_delta")) return NAN;
  try {
    return std::stod(name.substr(p.size()));
  } catch (const std::exception&) {
    return NAN;
  }
}

constexpr const char* kCss =
    "body{font-family:sans-serif;max-width:1180px;margin:24px auto;padding:0 16px;color:#222}"
    "h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}"
    "table{border-collapse:collapse;margin:8px 0 4px}caption{text-align:left;font-weight:bold;padding:4px 0}"
    "th,td{border-top:1px solid #ddd;border-bottom:1px solid #ddd;padding:3px 10px;text-align:right}"
    "th:first-child{text-align:left}td.best{background:#eef6ee}td.missing{color:#999}.n{color:#777;font-size:"
    "90%}"
    ".note{font-size:12px;color:#555;margin:0}table.summary "
    "th{vertical-align:bottom}.charts{display:flex;flex-wrap:wrap;gap:12px "
    "28px;align-items:flex-start}"
    ".grid{display:inline-block;margin:0 16px 16px 0;vertical-align:top}.grid "
    "img{image-rendering:pixelated;max-width:100%;"
    "border:1px solid #ccc}pre{background:#f6f6f6;padding:8px;font-size:12px;overflow:auto}"
    "details{margin:4px 0}summary{cursor:pointer}";

}  // namespace

std::string render_html(const std::vector<RunData>& runs) {
  const Merged m = merge(runs);
  const std::string title = fmt::format("ganbench report: {}", fmt::join(m.sweeps, ", "));
  int n_done = 0, n_failed = 0;
  for (const auto& c : m.cells) n_done += c.status == "done", n_failed += c.status == "failed";
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                  svg::escape(title) + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n";
  h += "<h1>" + svg::escape(title) + "</h1>\n";
  h += fmt::format(
      "<p>{} cells ({} architectures x {} modalities x seeds): {} done, {} failed, {} unfinished. Values are "
      "mean ± "
      "sample std over seeds with n; the best per column is in bold. A dash means no value; its footnote "
      "says "
      "why.</p>\n",
      m.cells.size(), m.archs.size(), m.mods.size(), n_done, n_failed, m.cells.size() - n_done - n_failed);
  if (has_metric(m, "fd_handcrafted"))
    h +=
        "<p class=\"note\">fd_handcrafted and kid_handcrafted use a stand-in feature extractor; they are not "
        "FID/KID on Inception features and are not comparable with published numbers.</p>\n";

  // Summary: one table, a row per modality and architecture, a column per headline metric present; the best
  // per modality and metric in bold.
  const auto names = merged_table_names(m);
  std::vector<MetricTable> heads;
  for (const auto& name : headline_order())
    if (name.find("_real_floor") == std::string::npos && name != "parameters" && has_metric(m, name))
      heads.push_back(build_table(m, name));
  h += "<h2>Summary</h2>\n<div class=\"scroll\"><table "
       "class=\"summary\">\n<tr><th>modality</th><th>architecture</th>";
  for (const auto& t : heads)
    h += fmt::format("<th>{}<br><span class=\"n\">{}</span></th>", wrap_underscores(svg::escape(t.metric)),
                     t.dir < 0   ? "lower is better"
                     : t.dir > 0 ? "higher is better"
                                 : "");
  h += "</tr>\n";
  std::set<Missing> used;
  for (size_t j = 0; j < m.mods.size(); ++j)
    for (size_t i = 0; i < m.archs.size(); ++i) {
      h += fmt::format("<tr><th>{}</th><th>{}</th>", i == 0 ? svg::escape(m.mods[j]) : "",
                       svg::escape(m.archs[i]));
      for (const auto& t : heads) {
        const Entry& e = t.rows[i][j];
        if (e.s.n == 0) used.insert(e.missing);
        h += html_entry(t.metric, e);
      }
      h += "</tr>\n";
    }
  h += "</table></div>\n";
  for (Missing n : used)
    h += fmt::format("<p class=\"note\"><sup>{}</sup> {}</p>\n", note_letter(n), svg::escape(note_text(n)));

  // Charts.
  h += "<h2>Charts</h2>\n<div class=\"charts\">\n";
  for (const auto& name : names) {
    const bool distance = (name.rfind("fid_", 0) == 0 || name.rfind("fd_", 0) == 0) &&
                          name.find('@') == std::string::npos &&
                          name.find("_real_floor") == std::string::npos;
    if (!distance) continue;
    std::vector<std::vector<double>> mean, sd;
    grouped(m, name, mean, sd);
    svg::ChartOptions o;
    o.title = name + " per architecture (lower is better)";
    o.x_label = "modality";
    o.y_label = name;
    h += svg::bar_chart(m.mods, m.archs, mean, sd, o);
  }
  {  // Dice against the synthetic-to-real ratio (0 = the real-only baseline), per modality.
    std::vector<std::pair<double, std::string>> arms;
    for (const auto& name : names)
      if (std::isfinite(mix_ratio(name))) arms.emplace_back(mix_ratio(name), name);
    std::sort(arms.begin(), arms.end());
    if (!arms.empty() && has_metric(m, "seg_dice_real"))
      for (size_t j = 0; j < m.mods.size(); ++j) {
        std::vector<svg::Series> series;
        for (size_t i = 0; i < m.archs.size(); ++i) {
          svg::Series s;
          s.name = m.archs[i];
          std::vector<std::pair<double, std::string>> pts{{0.0, "seg_dice_real"}};
          pts.insert(pts.end(), arms.begin(), arms.end());
          for (const auto& [r, metric] : pts) {
            const Entry e = build_table(m, metric).rows[i][j];
            s.x.push_back(r);
            s.y.push_back(e.s.n > 0 ? e.s.mean : NAN);
            s.err.push_back(e.s.std);
          }
          series.push_back(s);
        }
        svg::ChartOptions o;
        o.title = "U-Net Dice vs synthetic ratio, " + m.mods[j];
        o.x_label = "synthetic images per real image (0 = real only)";
        o.y_label = "mean foreground Dice";
        o.y_from_zero = false;
        h += svg::line_chart(series, o);
      }
  }
  for (const auto& [metric, label] : std::vector<std::pair<std::string, std::string>>{
           {"train_seconds", "training time per cell (s)"},
           {"peak_rss_mib", "peak resident memory per cell (MiB)"}}) {
    if (!has_metric(m, metric)) continue;
    std::vector<std::vector<double>> mean, sd;
    grouped(m, metric, mean, sd);
    svg::ChartOptions o;
    o.title = label;
    o.x_label = "modality";
    o.y_label = metric;
    h += svg::bar_chart(m.mods, m.archs, mean, sd, o);
  }
  h += "</div>\n";

  // Training losses, one chart per architecture and modality, one line per loss and seed.
  h += "<h2>Training losses</h2>\n<div class=\"charts\">\n";
  for (const auto& a : m.archs)
    for (const auto& mod : m.mods) {
      std::vector<svg::Series> series;
      for (size_t i = 0; i < m.cells.size(); ++i) {
        const auto& c = m.cells[i];
        if (c.architecture != a || c.modality != mod) continue;
        auto cit = m.curves.find(m.keys[i]);
        if (cit == m.curves.end()) continue;
        for (const char* loss : {"train/loss_d", "train/loss_g"}) {
          auto it = cit->second.find(loss);
          if (it == cit->second.end()) continue;
          svg::Series s;
          s.name = fmt::format("{} s{}", std::string(loss).substr(6), c.seed);
          for (const auto& [step, v] : it->second) s.x.push_back(double(step)), s.y.push_back(v);
          series.push_back(s);
        }
      }
      if (series.empty()) continue;
      svg::ChartOptions o;
      o.title = a + ", " + mod;
      o.x_label = "step";
      o.y_label = "loss";
      o.width = 380;
      o.height = 240;
      o.y_from_zero = false;
      h += svg::line_chart(series, o);
    }
  h += "</div>\n";

  // Sample grids: per modality, the first finished seed of each architecture.
  h += "<h2>Samples</h2>\n<p>Each sheet: real training images, the untrained generator, and the trained one; "
       "every "
       "second row overlays the label map in colour.</p>\n";
  for (const auto& mod : m.mods) {
    h += "<h3>" + svg::escape(mod) + "</h3>\n";
    for (const auto& a : m.archs)
      for (size_t i = 0; i < m.cells.size(); ++i) {
        const auto& c = m.cells[i];
        if (c.architecture != a || c.modality != mod || c.status != "done") continue;
        const std::string png = sample_sheet(runs[m.run_index[i]], c.id);
        if (png.empty()) continue;
        h += fmt::format(
            "<div class=\"grid\"><div>{} (seed {})</div><img alt=\"{} samples\" "
            "src=\"data:image/png;base64,{}\"></div>\n",
            svg::escape(a), c.seed, svg::escape(c.id), base64(png));
        break;
      }
  }

  h += "<h2>All metrics</h2>\n<details><summary>every metric as a table</summary>\n";
  for (const auto& name : names) h += html_table(m, build_table(m, name));
  h += "</details>\n";

  h += "<h2>Cells</h2>\n<table><tr><th>cell</th><th>status</th><th>seed</th><th>train s</th><th>resolved "
       "config</th></tr>\n";
  for (const auto& c : m.cells) {
    h += fmt::format(
        "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:left\"><details>"
        "<summary>config</summary><pre>{}</pre></details>{}</td></tr>\n",
        svg::escape(c.id), svg::escape(c.status), c.seed,
        c.status == "done" ? fmt::format("{:.1f}", c.train_seconds) : "–", svg::escape(c.config_yaml),
        c.error.empty() ? "" : "<div class=\"note\">" + svg::escape(c.error) + "</div>");
  }
  h += "</table>\n</body>\n</html>\n";
  return h;
}

std::string render_csv(const std::vector<RunData>& runs) {
  std::string csv = "sweep,cell,architecture,modality,seed,status,metric,step,value\n";
  for (const auto& run : runs) {
    std::map<std::string, const CellRecord*> cell_by_id;
    for (const auto& c : run.cells) cell_by_id[c.id] = &c;
    for (const auto& m : run.metrics) {
      auto it = cell_by_id.find(m.cell_id);
      if (it == cell_by_id.end()) continue;
      const auto& c = *it->second;
      csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", run.sweep, c.id, c.architecture, c.modality, c.seed,
                         c.status, m.name, m.step, fmt_num(m.value));
    }
  }
  return csv;
}

std::vector<fs::path> write_report(const std::vector<fs::path>& run_dirs, const ReportOptions& opts) {
  if (run_dirs.empty()) throw std::invalid_argument("report: give at least one run folder");
  if (run_dirs.size() > 1 && opts.out_dir.empty())
    throw std::invalid_argument("report: several run folders need --out");
  static const std::vector<std::string> valid{"md", "csv", "tex", "html", "png"};
  for (const auto& f : opts.formats)
    if (std::find(valid.begin(), valid.end(), f) == valid.end())
      throw std::invalid_argument(
          fmt::format("report: unknown format '{}'; valid: {}", f, fmt::join(valid, ", ")));
  auto wants = [&](const char* f) {
    return std::find(opts.formats.begin(), opts.formats.end(), f) != opts.formats.end();
  };
  std::vector<RunData> runs;
  for (const auto& d : run_dirs) runs.push_back(load_run(d));
  const fs::path out = opts.out_dir.empty() ? run_dirs.front() : opts.out_dir;
  fs::create_directories(out);
  std::vector<fs::path> written;
  std::string grid_dir;
  if (wants("png")) {
    grid_dir = "report";
    for (const auto& run : runs)
      for (const auto& c : run.cells) {
        if (c.status != "done") continue;
        const std::string png = sample_sheet(run, c.id);
        if (png.empty()) continue;
        const fs::path path = out / grid_dir / (c.id + ".png");
        write_file_atomic(path, png);
        written.push_back(path);
      }
  }
  auto put = [&](const char* name, const std::string& text) {
    write_file_atomic(out / name, text);
    written.push_back(out / name);
  };
  if (wants("md")) put("report.md", render_markdown(runs, grid_dir));
  if (wants("csv")) put("report.csv", render_csv(runs));
  if (wants("tex")) put("report.tex", render_latex(runs));
  if (wants("html")) put("report.html", render_html(runs));
  return written;
}

}  // namespace ganbench
