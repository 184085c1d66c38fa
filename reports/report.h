// Reports built only from results databases and stored artefacts: Markdown, CSV, LaTeX and HTML, sample
// sheets. Several run folders merge into one report.
// The same databases give byte-identical tables.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/results_store.h"

namespace ganbench {

struct RunData {
  std::filesystem::path run_dir;
  std::string sweep;
  std::vector<CellRecord> cells;
  std::vector<MetricRow> metrics;
  std::vector<ArtefactRow> artefacts;
};

// Reads <run_dir>/results.db; throws naming the folder when it has none.
RunData load_run(const std::filesystem::path& run_dir);

struct Summary {
  double mean = 0, std = 0;  // std is the sample std (n - 1); NaN when n < 2
  int n = 0;
};
Summary summarize(const std::vector<double>& values);

// Lower is better (-1), higher is better (+1), or neither (0), by metric name.
int metric_direction(const std::string& name);
std::string format_value(const std::string& metric, double v);

// Markdown: one table per summary metric (architectures x modalities, mean ± std (n), best in bold), a
// cell table, and sample grids under `grid_dir` (relative links).
std::string render_markdown(const std::vector<RunData>& runs, const std::string& grid_dir = "");
// Long format: one row per cell and metric value.
std::string render_csv(const std::vector<RunData>& runs);

// LaTeX: a standalone document of booktabs tables (one per metric), best in bold, footnoted dashes.
std::string render_latex(const std::vector<RunData>& runs);
// One self-contained HTML file: summary tables, inline SVG charts (distance per architecture, Dice vs
// ratio, loss curves, time and memory), embedded sample sheets, every cell's resolved config.
std::string render_html(const std::vector<RunData>& runs);

struct ReportOptions {
  std::vector<std::string> formats = {"md", "csv", "tex", "html", "png"};  // png: sample sheets
  std::filesystem::path out_dir;  // default: the run folder (one run) — required for several
};
// Writes report.{md,csv,tex,html} and report/<cell>.png atomically; returns the files written.
std::vector<std::filesystem::path> write_report(const std::vector<std::filesystem::path>& run_dirs,
                                                const ReportOptions& opts);

}  // namespace ganbench
