#include "reports/report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/atomic_file.h"
#include "common/npy.h"
#include "reports/sample_grid.h"

namespace ganbench {
namespace fs = std::filesystem;

namespace {

bool is_curve(const std::string& name) { return name.rfind("train/", 0) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Metrics shown as tables, in this order; others follow alphabetically.
const std::vector<std::string>& headline_order() {
  static const std::vector<std::string> order = {"fd_handcrafted",
                                                 "kid_handcrafted",
                                                 "fd_handcrafted_real_floor",
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
  if (base.rfind("fd_", 0) == 0 || base.rfind("kid_", 0) == 0 || base == "degenerate_label_fraction" ||
      base == "train_seconds" || base == "peak_rss_mib")
    return ends_with(base, "_real_floor") ? 0 : -1;
  if (base == "steps_per_second" || base.rfind("dice", 0) == 0) return +1;
  return 0;
}

std::string format_value(const std::string& metric, double v) {
  if (!std::isfinite(v)) return "–";
  if (metric == "parameters") return fmt::format("{:.0f}", v);
  if (metric == "train_seconds" || metric == "peak_rss_mib" || metric == "steps_per_second")
    return fmt::format("{:.1f}", v);
  if (metric == "degenerate_label_fraction") return fmt::format("{:.3f}", v);
  return fmt::format("{:.4g}", v);
}

std::string render_markdown(const std::vector<RunData>& runs, const std::string& grid_dir) {
  std::map<std::string, std::map<std::string, double>> by_cell;
  std::vector<CellRecord> cells;
  std::set<std::string> arch_set, mod_set, sweeps;
  for (const auto& run : runs) {
    sweeps.insert(run.sweep);
    auto f = collect(run);
    for (auto& kv : f.by_cell) by_cell[kv.first] = kv.second;
    for (const auto& c : run.cells) {
      cells.push_back(c);
      arch_set.insert(c.architecture);
      mod_set.insert(c.modality);
    }
  }
  std::sort(cells.begin(), cells.end(), [](const CellRecord& a, const CellRecord& b) {
    return std::tie(a.architecture, a.modality, a.seed, a.id) <
           std::tie(b.architecture, b.modality, b.seed, b.id);
  });
  const std::vector<std::string> archs(arch_set.begin(), arch_set.end()),
      mods(mod_set.begin(), mod_set.end());
  int n_done = 0, n_failed = 0;
  for (const auto& c : cells) {
    if (c.status == "done")
      ++n_done;
    else if (c.status == "failed")
      ++n_failed;
  }

  std::string md = fmt::format("# ganbench report: {}\n\n", fmt::join(sweeps, ", "));
  md += fmt::format(
      "{} cells: {} done, {} failed, {} unfinished. Values are mean ± sample std over seeds, with n; "
      "the best per column is in bold. A dash means no value (a failed or unfinished cell).\n\n",
      cells.size(), n_done, n_failed, cells.size() - n_done - n_failed);
  bool handcrafted = false;
  for (const auto& [cell, m] : by_cell)
    for (const auto& [name, v] : m) handcrafted |= name.find("handcrafted") != std::string::npos;
  if (handcrafted)
    md +=
        "`fd_handcrafted` and `kid_handcrafted` use a stand-in feature extractor (8x8 layout, intensity and "
        "gradient "
        "histograms, channel moments). They are **not FID/KID on Inception features** and are not comparable "
        "with "
        "published numbers; they rank GANs on this benchmark only. `@step0` is the same distance for the "
        "untrained "
        "generator, and `_real_floor` is the distance between the real training and test splits.\n\n";

  for (const auto& name : table_names(by_cell)) {
    const int dir = metric_direction(name);
    md += fmt::format("## {}{}\n\n", name,
                      dir < 0   ? " (lower is better)"
                      : dir > 0 ? " (higher is better)"
                                : "");
    md += "| architecture |";
    for (const auto& m : mods) md += fmt::format(" {} |", m);
    md += "\n|---|";
    for (size_t i = 0; i < mods.size(); ++i) md += "---|";
    md += "\n";
    std::map<std::pair<std::string, std::string>, Summary> sums;
    for (const auto& a : archs)
      for (const auto& m : mods) {
        std::vector<double> v;
        for (const auto& c : cells)
          if (c.architecture == a && c.modality == m && c.status == "done") {
            auto it = by_cell[c.id].find(name);
            if (it != by_cell[c.id].end()) v.push_back(it->second);
          }
        sums[{a, m}] = summarize(v);
      }
    std::map<std::string, double> best;
    for (const auto& m : mods) {
      double b = NAN;
      for (const auto& a : archs) {
        const double x = sums[{a, m}].mean;
        if (std::isfinite(x) && dir != 0 && (!std::isfinite(b) || (dir < 0 ? x < b : x > b))) b = x;
      }
      best[m] = b;
    }
    for (const auto& a : archs) {
      md += fmt::format("| {} |", a);
      for (const auto& m : mods) {
        const Summary& s = sums[{a, m}];
        if (s.n == 0) {
          md += " – |";
          continue;
        }
        std::string cell = std::isfinite(s.std)
                               ? fmt::format("{} ± {}", format_value(name, s.mean), format_value(name, s.std))
                               : format_value(name, s.mean);
        cell += fmt::format(" (n={})", s.n);
        if (archs.size() > 1 && s.mean == best[m]) cell = "**" + cell + "**";
        md += " " + cell + " |";
      }
      md += "\n";
    }
    md += "\n";
  }

  md += "## Cells\n\n| cell | status | seed | train s | error |\n|---|---|---|---|---|\n";
  for (const auto& c : cells) {
    std::string err = c.error;
    std::replace(err.begin(), err.end(), '\n', ' ');
    std::replace(err.begin(), err.end(), '|', '/');
    md += fmt::format("| {} | {} | {} | {} | {} |\n", c.id, c.status, c.seed,
                      c.status == "done" ? fmt::format("{:.1f}", c.train_seconds) : "–",
                      err.empty() ? "" : err);
  }
  if (!grid_dir.empty()) {
    md +=
        "\n## Samples\n\nEach sheet: real training images, the generator at step 0, and after training; "
        "every second "
        "row overlays the label map (RV red, myocardium green, LV blue for cardiac).\n\n";
    for (const auto& c : cells)
      if (c.status == "done") md += fmt::format("### {}\n\n![{}]({}/{}.png)\n\n", c.id, c.id, grid_dir, c.id);
  }
  return md;
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
  for (const auto& f : opts.formats)
    if (f != "md" && f != "csv" && f != "png")
      throw std::invalid_argument(fmt::format("report: unknown format '{}'; valid: md, csv, png", f));
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
    for (const auto& run : runs) {
      std::map<std::string, std::map<std::string, std::string>> art;
      for (const auto& a : run.artefacts) art[a.cell_id][a.kind] = a.path;
      for (const auto& c : run.cells) {
        if (c.status != "done") continue;
        std::vector<GridRow> rows;
        for (const char* stem : {"real", "samples_step0", "samples"}) {
          auto& a = art[c.id];
          const std::string ki = std::string(stem) + "_images", kl = std::string(stem) + "_labels";
          if (!a.count(ki) || !a.count(kl)) continue;
          rows.push_back({read_npy(run.run_dir / a[ki]), read_npy(run.run_dir / a[kl])});
        }
        if (rows.empty()) continue;
        const fs::path png = out / grid_dir / (c.id + ".png");
        write_file_atomic(png, render_sample_grid(rows));
        written.push_back(png);
      }
    }
  }
  if (wants("md")) {
    write_file_atomic(out / "report.md", render_markdown(runs, grid_dir));
    written.push_back(out / "report.md");
  }
  if (wants("csv")) {
    write_file_atomic(out / "report.csv", render_csv(runs));
    written.push_back(out / "report.csv");
  }
  return written;
}

}  // namespace ganbench
