#include "reports/report.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/atomic_file.h"

namespace ganbench {
namespace fs = std::filesystem;

const std::vector<ReportFormat>& report_formats() {
  static const std::vector<ReportFormat> formats = {
      {"md", "report.md",
       [](const ReportModel& m, const std::string& grid) { return render_markdown(m, grid); }},
      {"csv", "report.csv", [](const ReportModel& m, const std::string&) { return render_csv(m); }},
      {"tex", "report.tex", [](const ReportModel& m, const std::string&) { return render_latex(m); }},
      {"html", "report.html", [](const ReportModel& m, const std::string&) { return render_html(m); }},
  };
  return formats;
}

std::string render_markdown(const std::vector<RunData>& runs, const std::string& grid_dir) {
  return render_markdown(ReportModel(runs), grid_dir);
}
std::string render_csv(const std::vector<RunData>& runs) { return render_csv(ReportModel(runs)); }
std::string render_latex(const std::vector<RunData>& runs) { return render_latex(ReportModel(runs)); }
std::string render_html(const std::vector<RunData>& runs) { return render_html(ReportModel(runs)); }

std::vector<fs::path> write_report(const std::vector<fs::path>& run_dirs, const ReportOptions& opts) {
  if (run_dirs.empty()) throw std::invalid_argument("report: give at least one run folder");
  if (run_dirs.size() > 1 && opts.out_dir.empty())
    throw std::invalid_argument("report: several run folders need --out");
  std::vector<std::string> valid;
  for (const auto& f : report_formats()) valid.push_back(f.name);
  valid.push_back("png");
  for (const auto& f : opts.formats)
    if (std::find(valid.begin(), valid.end(), f) == valid.end())
      throw std::invalid_argument(
          fmt::format("report: unknown format '{}'; valid: {}", f, fmt::join(valid, ", ")));
  auto wants = [&](const std::string& f) {
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
        for (const auto& [suffix, stems] :
             {std::pair<std::string, const std::vector<std::string>&>{"", sheet_stems(run, c.id)},
              {"_nearest", kNearestSheetStems}}) {
          const std::string png = sample_sheet(run, c.id, stems);
          if (png.empty()) continue;
          const fs::path path = out / grid_dir / (c.id + suffix + ".png");
          write_file_atomic(path, png);
          written.push_back(path);
        }
      }
  }
  const ReportModel model(runs);
  for (const auto& f : report_formats()) {
    if (!wants(f.name)) continue;
    write_file_atomic(out / f.file, f.render(model, grid_dir));
    written.push_back(out / f.file);
  }
  return written;
}

}  // namespace ganbench
