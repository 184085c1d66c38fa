// Reports built only from results databases and stored artefacts: Markdown, CSV, LaTeX and HTML, sample
// sheets. Several run folders merge into one report. The same databases give byte-identical files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/report_model.h"
#include "reports/report_writers.h"
#include "results/run_data.h"

namespace ganbench {

// The writers over a merged set of runs (each builds the model once).
std::string render_markdown(const std::vector<RunData>& runs, const std::string& grid_dir = "");
std::string render_csv(const std::vector<RunData>& runs);
std::string render_latex(const std::vector<RunData>& runs);
std::string render_html(const std::vector<RunData>& runs);

struct ReportOptions {
  std::vector<std::string> formats = {"md", "csv", "tex", "html", "png"};  // png: sample sheets
  std::filesystem::path out_dir;  // default: the run folder (one run) — required for several
};
// Writes report.{md,csv,tex,html} and report/<cell>.png atomically; returns the files written.
std::vector<std::filesystem::path> write_report(const std::vector<std::filesystem::path>& run_dirs,
                                                const ReportOptions& opts);

}  // namespace ganbench
