// One run folder's stored results, read back for reports: its cells, metric rows and artefacts.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "results/results_store.h"

namespace ganbench {

struct RunData {
  std::filesystem::path run_dir;
  std::string sweep;
  std::vector<CellRecord> cells;
  std::vector<MetricRow> metrics;
  std::vector<ArtefactRow> artefacts;
  // One cell's artefacts: kind -> path relative to run_dir.
  std::map<std::string, std::string> artefact_paths(const std::string& cell_id) const;
};

// Reads <run_dir>/results.db; throws naming the folder when it has none.
RunData load_run(const std::filesystem::path& run_dir);

}  // namespace ganbench
