// `ganbench verify RUN_DIR`: opens every file of a run folder with the reader that ganbench itself uses.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ganbench {

struct RunCheck {
  int files = 0;                         // files read
  std::vector<std::string> problems;     // "<path>: <why>", one per unreadable file
  std::vector<std::string> leftovers;    // temp files of a killed write (the next run removes them)
};

// Reads each regular file under `run_dir` by its kind: results.db (SQLite integrity check, every table
// read), checkpoints (.pt, the whole archive), arrays (.npy, .npz), YAML and JSON, images (.png), and text
// reports (.md, .csv, .tex, .html, .svg: must be non-empty). Throws only when `run_dir` is not a folder.
RunCheck verify_run_dir(const std::filesystem::path& run_dir);

}  // namespace ganbench
