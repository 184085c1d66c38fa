#include "reports/report_writers.h"

#include <map>

#include <fmt/format.h>

namespace ganbench {

std::string render_csv(const ReportModel& m) {
  std::string csv = "sweep,cell,architecture,modality,seed,status,metric,step,value\n";
  for (const auto& run : m.runs) {
    std::map<std::string, const CellRecord*> cell_by_id;
    for (const auto& c : run.cells) cell_by_id[c.id] = &c;
    for (const auto& row : run.metrics) {
      auto it = cell_by_id.find(row.cell_id);
      if (it == cell_by_id.end()) continue;
      const auto& c = *it->second;
      csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", run.sweep, c.id, c.architecture, c.modality, c.seed,
                         c.status, row.name, row.step, fmt_num(row.value));
    }
  }
  return csv;
}

}  // namespace ganbench
