#include "reports/export.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "metrics/metric_catalogue.h"

namespace ganbench {

namespace {
// RFC 4180: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
}  // namespace

std::string export_csv(const RunData& run, bool reproducible) {
  register_builtin_metrics();
  std::map<std::string, std::vector<const MetricRow*>> by_cell;
  for (const auto& m : run.metrics) {
    if (reproducible) {
      const auto match = match_metric(m.name);
      if (match && match->spec->per_attempt) continue;
    }
    by_cell[m.cell_id].push_back(&m);
  }
  std::vector<const CellRecord*> cells;
  for (const auto& c : run.cells) cells.push_back(&c);
  std::sort(cells.begin(), cells.end(), [](auto* a, auto* b) { return a->id < b->id; });
  std::string out = "cell,architecture,modality,seed,status,error,metric,step,value\n";
  for (const auto* c : cells) {
    const std::string head = fmt::format("{},{},{},{},{},{}", csv_field(c->id), csv_field(c->architecture),
                                         csv_field(c->modality), c->seed, csv_field(c->status),
                                         csv_field(c->error));
    auto& rows = by_cell[c->id];
    std::sort(rows.begin(), rows.end(),
              [](auto* a, auto* b) { return std::tie(a->name, a->step) < std::tie(b->name, b->step); });
    if (rows.empty()) out += head + ",,,\n";
    for (const auto* r : rows) out += fmt::format("{},{},{},{:.17g}\n", head, csv_field(r->name), r->step, r->value);
  }
  return out;
}

}  // namespace ganbench
