#include "results/run_data.h"

#include <stdexcept>

#include <fmt/format.h>

namespace ganbench {

std::map<std::string, std::string> RunData::artefact_paths(const std::string& cell_id) const {
  std::map<std::string, std::string> out;
  for (const auto& a : artefacts)
    if (a.cell_id == cell_id) out[a.kind] = a.path;
  return out;
}

RunData load_run(const std::filesystem::path& run_dir) {
  const std::filesystem::path db = run_dir / "results.db";
  if (!std::filesystem::exists(db))
    throw std::runtime_error(
        fmt::format("{}: no results.db here; is this a ganbench run folder?", run_dir.string()));
  ResultsStore store(db, false);
  RunData r;
  r.run_dir = run_dir;
  store.read_snapshot([&] {  // one committed state, even while a run writes
    const auto sweeps = store.sweeps();
    r.sweep = sweeps.empty() ? run_dir.filename().string() : sweeps.front().first;
    r.cells = store.cells();
    r.metrics = store.metrics();
    r.artefacts = store.artefacts();
  });
  return r;
}

}  // namespace ganbench
