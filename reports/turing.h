// Visual Turing test (as in Skandarani et al. 2023, who asked experts to tell real images from generated
// ones): a self-contained page that shows real and generated images in a seeded random order, collects a
// rater's real/generated answers with a confidence, and exports them as JSON; and the scoring of those
// answers, stored per cell and rater in the results database. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ganbench {

struct TuringOptions {
  int64_t n = 50;                  // images per cell, half real (held-out test split), half generated
  std::vector<std::string> cells;  // cell ids; empty = every finished cell with stored images
  uint64_t seed = 0;               // which images, and their order
};

struct TuringPage {
  std::string id;             // names the page and its answer key
  std::filesystem::path key;  // RUN_DIR/turing/<id>.json: each item's cell and truth
  int64_t items = 0;
};

// Writes the page to `out_html` (atomically; images inlined as PNG at native resolution, no network) and
// its answer key into the run folder. Throws std::runtime_error for an unknown cell, or no images.
TuringPage write_turing_page(const std::filesystem::path& run_dir, const std::filesystem::path& out_html,
                             const TuringOptions& opts);

struct TuringScore {
  std::string cell, rater;
  int64_t n = 0;                                                   // answered items
  int64_t tp = 0;                                                  // generated images called generated
  int64_t fn = 0;                                                  // generated images called real
  int64_t tn = 0;                                                  // real images called real
  int64_t fp = 0;                                                  // real images called generated
  double accuracy = 0, accuracy_lo = 0, accuracy_hi = 0;           // exact (Clopper-Pearson) 95% intervals
  double sensitivity = 0, sensitivity_lo = 0, sensitivity_hi = 0;  // share of generated images spotted
  double specificity = 0, specificity_lo = 0, specificity_hi = 0;  // share of real images called real
  double p_value = 1;  // two-sided exact binomial test of the accuracy against chance (0.5)
};

// Scores an exported answers file against the run's key, per cell. Throws std::runtime_error naming the
// file for malformed JSON, an unknown page or item, an answer other than "real"/"generated", or a rater
// name outside [A-Za-z0-9_.-].
std::vector<TuringScore> score_turing(const std::filesystem::path& answers_json,
                                      const std::filesystem::path& run_dir);
// Stores the scores as turing_*/<rater> metrics of their cells (step 0), replacing the rater's earlier ones.
void store_turing_scores(const std::filesystem::path& run_dir, const std::vector<TuringScore>& scores);

}  // namespace ganbench
