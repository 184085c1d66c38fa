#include "experiments/run_check.h"

#include <stdexcept>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include "common/atomic_file.h"
#include "common/image_read.h"
#include "common/npy.h"
#include "results/run_data.h"

namespace ganbench {
namespace fs = std::filesystem;

namespace {
// Throws with the reason when the file cannot be read as its kind.
void read_as_kind(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (p.filename() == "results.db") {
    ResultsStore store(p, false);
    if (const auto bad = store.integrity_problems(); !bad.empty())
      throw std::runtime_error("SQLite integrity check: " + bad);
    load_run(p.parent_path());  // every table, through the reports' own reader
  } else if (ext == ".db-wal" || ext == ".db-shm" || p.filename() == ".lock") {
    // SQLite's write-ahead log and index (checked through the database), the folder lock.
  } else if (ext == ".pt") {
    torch::serialize::InputArchive ar;
    ar.load_from(p.string());
    if (ar.keys().empty()) throw std::runtime_error("an empty archive");
  } else if (ext == ".npy") {
    read_npy(p);
  } else if (ext == ".npz") {
    read_npz(p);
  } else if (ext == ".yaml" || ext == ".json") {
    YAML::LoadFile(p.string());
  } else if (ext == ".png") {
    read_image_file(p, cv::IMREAD_UNCHANGED);
  } else if (ext == ".md" || ext == ".csv" || ext == ".tex" || ext == ".html" || ext == ".svg") {
    if (read_file(p).empty()) throw std::runtime_error("empty");
  } else {
    read_file(p);
  }
}
}  // namespace

RunCheck verify_run_dir(const fs::path& run_dir) {
  if (!fs::is_directory(run_dir)) throw std::invalid_argument(fmt::format("{} is not a folder", run_dir.string()));
  RunCheck check;
  for (const auto& e : fs::recursive_directory_iterator(run_dir)) {
    if (!e.is_regular_file()) continue;
    const fs::path& p = e.path();
    if (is_temp_file(p)) {
      check.leftovers.push_back(p.string());
      continue;
    }
    ++check.files;
    try {
      read_as_kind(p);
    } catch (const c10::Error& err) {
      check.problems.push_back(fmt::format("{}: {}", p.string(), err.what_without_backtrace()));
    } catch (const std::exception& err) {
      check.problems.push_back(fmt::format("{}: {}", p.string(), err.what()));
    }
  }
  return check;
}

}  // namespace ganbench
