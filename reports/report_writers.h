// One writer per report format, as google/benchmark keeps one reporter per format: each formats the
// report model and computes nothing of its own. write_report() picks them from report_formats().
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "reports/report_model.h"

namespace ganbench {

// Markdown: a Dice-by-arm table, one table per metric (architectures x modalities, mean ± std (n), best in
// bold), a cell table, and links to the sample sheets under `grid_dir` (none when empty).
std::string render_markdown(const ReportModel& m, const std::string& grid_dir = "");
// LaTeX: a standalone document of booktabs tables (one per metric), best in bold, footnoted dashes.
std::string render_latex(const ReportModel& m);
// One self-contained HTML file: summary tables, inline SVG charts (distance per architecture, Dice vs
// ratio, loss curves, time and memory), embedded sample sheets, every cell's resolved config.
std::string render_html(const ReportModel& m);
// Long format: one row per cell, metric and step.
std::string render_csv(const ReportModel& m);

struct ReportFormat {
  std::string name;  // --format key
  std::string file;  // written into the output folder
  std::function<std::string(const ReportModel&, const std::string& grid_dir)> render;
};
// The text formats, in the order they are written (png sample sheets are written apart).
const std::vector<ReportFormat>& report_formats();

}  // namespace ganbench
