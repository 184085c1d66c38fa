#include "experiments/transfer.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "common/hash.h"
#include "results/results_store.h"

namespace ganbench {
namespace fs = std::filesystem;

std::string InitSource::record() const {
  if (cell_id.empty()) return fmt::format("checkpoint sha256 {}", sha256);
  return fmt::format("cell {} (config {}), checkpoint sha256 {}", cell_id, config_hash, sha256);
}

namespace {

// The finished cell `id` of the run at `run_dir`, with its checkpoint checked against the recorded SHA-256.
InitSource from_cell(const fs::path& run_dir, const std::string& id, const std::string& architecture,
                     const std::string& key) {
  const ResultsStore store(run_dir / "results.db", /*create=*/false);
  const auto rec = store.find_cell(id);
  if (!rec) throw std::runtime_error(fmt::format("{}: run {} has no cell {}", key, run_dir.string(), id));
  if (rec->status != "done")
    throw std::runtime_error(
        fmt::format("{}: cell {} of {} is {}, not done; finish it first", key, id, run_dir.string(), rec->status));
  if (rec->architecture != architecture)
    throw std::runtime_error(fmt::format("{}: cell {} is {} and this cell is {}; weights move only between cells of "
                                         "one architecture",
                                         key, id, rec->architecture, architecture));
  InitSource src;
  src.cell_id = id;
  src.config_hash = rec->config_hash;
  src.architecture = rec->architecture;
  for (const auto& a : store.artefacts(id))
    if (a.kind == "checkpoint") {
      src.checkpoint = run_dir / a.path;
      src.sha256 = a.sha256;
    }
  if (src.checkpoint.empty())
    throw std::runtime_error(fmt::format("{}: cell {} of {} recorded no checkpoint", key, id, run_dir.string()));
  if (!fs::exists(src.checkpoint))
    throw std::runtime_error(fmt::format("{}: {} is missing", key, src.checkpoint.string()));
  const std::string now = sha256_file(src.checkpoint);
  if (!src.sha256.empty() && now != src.sha256)
    throw std::runtime_error(fmt::format("{}: {} has changed since its cell finished (SHA-256 {} recorded, {} now)",
                                         key, src.checkpoint.string(), src.sha256, now));
  src.sha256 = now;
  return src;
}

}  // namespace

InitSource resolve_init_source(const std::string& from, const std::string& architecture, uint64_t seed,
                               const std::string& key) {
  const fs::path p(from);
  if (fs::is_regular_file(p)) {
    InitSource src;
    src.checkpoint = p;
    src.sha256 = sha256_file(p);
    return src;
  }
  if (!fs::is_directory(p))
    throw std::runtime_error(fmt::format("{}: '{}' is neither a checkpoint file, a cell folder nor a run folder",
                                         key, from));
  if (fs::exists(p / "results.db")) {  // a run: its cell of this architecture, the same seed first
    const ResultsStore store(p / "results.db", /*create=*/false);
    std::string best;
    int64_t best_seed = -1;
    for (const auto& c : store.cells()) {
      if (c.architecture != architecture || c.status != "done") continue;
      if (c.seed == static_cast<int64_t>(seed)) {
        best = c.id;
        break;
      }
      if (best.empty() || c.seed < best_seed) {
        best = c.id;
        best_seed = c.seed;
      }
    }
    if (best.empty())
      throw std::runtime_error(fmt::format("{}: run {} has no finished {} cell", key, from, architecture));
    return from_cell(p, best, architecture, key);
  }
  const fs::path cell = fs::absolute(p).lexically_normal();
  const fs::path cells = (cell.filename().empty() ? cell.parent_path() : cell).parent_path();
  if (cells.filename() == "cells" && fs::exists(cells.parent_path() / "results.db"))
    return from_cell(cells.parent_path(), (cell.filename().empty() ? cell.parent_path() : cell).filename().string(),
                     architecture, key);
  throw std::runtime_error(
      fmt::format("{}: folder '{}' holds no results.db (a run) and is not RUN/cells/ID (a cell)", key, from));
}

ImageSet first_subjects(const ImageSet& set, uint64_t n, const std::string& what) {
  std::set<std::string> kept;
  std::vector<int64_t> rows;
  for (size_t i = 0; i < set.subjects.size(); ++i) {
    const auto& s = set.subjects[i];
    if (!kept.count(s)) {
      if (kept.size() == n) continue;
      kept.insert(s);
    }
    rows.push_back(static_cast<int64_t>(i));
  }
  if (kept.size() < n)
    throw std::runtime_error(fmt::format("data.train_subjects: {} asks for {} training subjects but the split has {}",
                                         what, n, kept.size()));
  const auto idx = torch::tensor(rows, torch::kInt64);
  ImageSet out = set;
  out.images = set.images.index_select(0, idx);
  out.labels = set.labels.index_select(0, idx);
  out.subjects.clear();
  for (auto r : rows) out.subjects.push_back(set.subjects[static_cast<size_t>(r)]);
  if (set.source.defined() && set.source_paired) out.source = set.source.index_select(0, idx);
  return out;
}

}  // namespace ganbench
