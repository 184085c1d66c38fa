// Transfer learning and data scarcity: where a fine-tuned cell's starting weights come from (train.init_from),
// and the training subset of a cell on the data.train_subjects axis. docs/transfer.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "datasets/dataset.h"

namespace ganbench {

// A resolved train.init_from entry.
struct InitSource {
  std::filesystem::path checkpoint;  // the weights file
  std::string cell_id;               // the source cell ("" for a bare checkpoint file)
  std::string config_hash;           // its config hash ("" for a bare checkpoint file)
  std::string sha256;                // of the checkpoint
  std::string architecture;          // the source cell's ("" for a bare checkpoint file)
  // "cell <id> (config <hash>), checkpoint sha256 <hex>": what the fine-tuned cell's config records.
  std::string record() const;
};

// Resolves `from` for a cell of `architecture` and `seed`:
//  - a checkpoint file (.pt): that file;
//  - a cell folder RUN/cells/ID: the cell's final checkpoint, as RUN/results.db recorded it;
//  - a run folder (with results.db): its finished cell of `architecture` with `seed`, else the lowest seed.
// A cell must be finished, of the same architecture, and its checkpoint must still have the SHA-256 recorded
// when it finished. Throws std::runtime_error naming `key` (e.g. "train.init_from[1]") and the reason.
InitSource resolve_init_source(const std::string& from, const std::string& architecture, uint64_t seed,
                               const std::string& key);

// The images of the first `n` distinct subjects of `set`, in order of appearance (so the sets of a learning
// curve are nested). Throws std::runtime_error naming `what` when the set has fewer subjects.
ImageSet first_subjects(const ImageSet& set, uint64_t n, const std::string& what);

}  // namespace ganbench
