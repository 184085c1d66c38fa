// ganbench report: tables, charts and sample sheets from results.db and the stored artefacts.
#include <fmt/format.h>

#include "apps/cli.h"
#include "reports/report.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  std::vector<std::filesystem::path> dirs;
  ReportOptions opts;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--format") {
      opts.formats = split_commas(take_value(args, i));
      if (opts.formats.empty()) throw UsageError("--format needs at least one of md, csv, tex, html, png");
    } else if (a == "--out") {
      opts.out_dir = take_value(args, i);
    } else if (!a.empty() && a[0] == '-') {
      throw UsageError(fmt::format("report: unknown option '{}'", a));
    } else {
      dirs.emplace_back(a);
    }
  }
  if (dirs.empty()) throw UsageError("report needs at least one RUN_DIR");
  for (const auto& f : write_report(dirs, opts)) fmt::print("{}\n", f.string());
  return 0;
}

}  // namespace

extern const Command kReportCommand = {"report", R"(  ganbench report RUN_DIR [RUN_DIR ...] [--format md,csv,tex,html,png] [--out DIR]
      Regenerate tables and sample sheets from results.db and stored artefacts, without training.
)",
                                       run};

}  // namespace ganbench::cli
