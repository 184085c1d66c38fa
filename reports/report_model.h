// The report model: run folders merged into one view (cells sorted by architecture, modality and seed), the
// value of each metric per cell, summaries over seeds, tables with their best entries and footnotes. Every
// writer (Markdown, LaTeX, HTML, CSV) formats this model and computes nothing of its own. How a metric is
// shown (direction, decimals, table or curve) comes from the metric catalogue.
#pragma once

#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "results/run_data.h"

namespace ganbench {

struct Summary {
  double mean = 0, std = 0;  // std is the sample std (n - 1); NaN when n < 2
  double ci = NAN;           // half-width of the 95% t interval of the mean (n - 1 df); NaN when n < 2
  int n = 0;
  std::vector<double> values;  // the finite values summarised (one per seed)
};
Summary summarize(const std::vector<double>& values);

// Lower is better (-1), higher is better (+1), or neither (0), from the catalogue; 0 for unknown names.
int metric_direction(const std::string& name);
// Digits after the point; -1 = four significant digits (also for names outside the catalogue).
int metric_decimals(const std::string& name);
std::string format_value(const std::string& metric, double v);
// A spread in the decimals of its mean ("0.3232 ± 0.0061"), without a sign.
std::string format_std(const std::string& metric, double v, double mean);
// A p-value in tables: two significant digits; "–" when it could not be computed.
std::string format_p(double p);
std::string fmt_num(double v);  // shortest form for CSV and titles; "" for non-finite values

// Why a table entry has no value; the letter is its footnote marker.
enum class Missing { none, not_run, no_finished_cell, not_computed };
char note_letter(Missing m);
std::string note_text(Missing m);

struct Entry {
  Summary s;
  bool best = false;
  bool beats_all = false;  // best, and significantly better than every other architecture in its column
  Missing missing = Missing::none;
};

constexpr double kAlpha = 0.05;  // significance level of the pairwise tests (after Holm's correction)

// One pairwise comparison of two architectures in one modality's column (Welch's t-test over seeds).
struct Comparison {
  size_t a = 0, b = 0;  // architecture indices; a is the better one by the metric's direction
  double p = NAN;       // two-sided Welch p-value
  double p_holm = NAN;  // Holm-adjusted within the column
  bool significant() const { return p_holm < kAlpha; }
};

struct MetricTable {
  std::string metric;
  int dir = 0;
  double reference = NAN;                      // the catalogue's reference value (dir is then 0)
  std::vector<std::vector<Entry>> rows;        // [arch][modality]
  std::vector<Missing> notes;                  // distinct reasons used, in footnote order
  std::vector<std::vector<Comparison>> tests;  // [modality]: every testable pair (n >= 2 on both sides)
  std::vector<std::string> caveats;            // sentences every format prints under the table
};

using Curve = std::vector<std::pair<int64_t, double>>;  // (step, value), sorted

// A cell's place on the transfer axes (docs/transfer.md), read from its hidden settings rows.
struct CellAxes {
  std::string architecture;    // the registry name
  int64_t train_subjects = 0;  // data.train_subjects; 0 = all
  int init = -1;               // -1: no train.init_from axis; 0: from scratch; 1: fine-tuned
  int64_t freeze_d = 0;        // FreezeD layers
  // The row the report files the cell under: "<architecture>[ n=<N>][ scratch| fine-tuned[ (FreezeD k)]]".
  std::string row() const;
  std::string family() const;  // the same without " n=<N>": one line of the metric-vs-N plot
};

// One line of the metric-vs-N plot: a family's summaries over seeds at each training-set size.
struct ScarcityLine {
  std::string name;
  std::vector<double> n;  // sorted
  std::vector<Summary> s;
};

// Fine-tuned against scratch at one architecture and N (the transfer axes): Welch's t-test over seeds, Holm-adjusted
// over the (architecture, N) pairs of one metric and modality.
struct TransferComparison {
  std::string architecture;  // the registry name
  std::string finetuned;     // the fine-tuned family's start ("fine-tuned", "fine-tuned (FreezeD 2)")
  int64_t n = 0;             // training subjects
  Summary fine, scratch;
  double p = NAN, p_holm = NAN;
};

// Orders names with their digit runs compared as numbers ("dcgan n=25" before "dcgan n=100").
struct NaturalLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

// Skandarani et al. 2023's table layout: architectures as rows, and for each modality its FID and the Dice of a
// U-Net trained on synthetic images only, side by side, with the real-only Dice as a last row.
struct StudyTable {
  std::string distance;  // fid_inception, else the first headline distance present (a stand-in, said so)
  std::string dice;      // seg_dice_synth
  MetricTable d, s;      // [arch][modality], best marks as in their own tables
  std::vector<Summary> real;  // per modality: seg_dice_real over seeds (the U-Net trained on real images)
};

class ReportModel {
 public:
  explicit ReportModel(const std::vector<RunData>& runs);

  const std::vector<RunData>& runs;
  // sorted, distinct; archs are the rows: the architecture, with its transfer axes where a sweep had them
  std::vector<std::string> sweeps, archs, mods;
  // Sorted by row, modality, seed, id, run; `architecture` holds the row (CellAxes::row), the registry name is
  // in axes[i].architecture.
  std::vector<CellRecord> cells;
  std::vector<CellAxes> axes;                    // parallel to cells
  std::vector<std::string> keys;                 // parallel to cells: "<run index>:<cell id>"
  std::vector<size_t> run_index;                 // parallel to cells
  std::map<std::string, std::map<std::string, double>> finals;  // key -> metric -> last value (+ @step0)
  std::map<std::string, std::map<std::string, Curve>> curves;   // key -> curve metric -> points

  int done() const;
  int failed() const;
  // Tables to show, in order: the catalogue's headline metrics (each followed by its @step0 view), then
  // every other tabulated name alphabetically.
  std::vector<std::string> table_names() const;
  bool has_metric(const std::string& metric) const;
  // True when any value lives in the named feature space (e.g. "handcrafted").
  bool uses_space(const std::string& space) const;
  MetricTable table(const std::string& metric) const;
  // Means and stds of `metric` per architecture (outer) and modality (inner); NaN where missing.
  void grouped(const std::string& metric, std::vector<std::vector<double>>& mean,
               std::vector<std::vector<double>>& sd) const;
  // The mixed arms' Dice metrics present, by ratio: (ratio, metric).
  std::vector<std::pair<double, std::string>> mixed_arms() const;
  // The protocol's arms present in reading order (real only, synthetic only, mixed by ratio):
  // (column title, Dice metric).
  std::vector<std::pair<std::string, std::string>> dice_arms() const;
  // PNG sample sheet of cell `i` (real, step 0, trained rows) from its stored arrays; "" when it has none.
  std::string sample_sheet(size_t i) const;
  // PNG memorization gallery of cell `i`: its generated images nearest the training set (pixel space), above
  // those training images; "" when it has none.
  std::string nearest_sheet(size_t i) const;
  // The `ganbench sample` command that exports finished synthesis cell `i` as an nnU-Net dataset, run from the
  // folder above the run (docs/synthetic-data.md); "" for a translation cell or one without a checkpoint.
  std::string export_command(size_t i) const;
  // The architectures whose cells stored label_conditioned = 1 (SPADE: images made from real training label
  // maps), sorted, read from the stored rows (the setting is hidden, so not in `finals`); and the sentence that
  // the Dice section, the label-fidelity tables and the labels-space memorization tables print for them ("" when
  // none).
  std::vector<std::string> label_conditioned_archs() const;
  // The study table, when the runs have a distance and the synthetic-only Dice arm and no data.train_subjects
  // axis; nullopt otherwise.
  std::optional<StudyTable> study_table() const;
  // True when a cell trained on a data.train_subjects subset: the report then plots metrics against N.
  bool has_train_subjects() const;
  // `metric`'s summaries over seeds in `modality`, one line per family (architecture and start), against N;
  // families without a value are left out.
  std::vector<ScarcityLine> scarcity(const std::string& metric, const std::string& modality) const;
  // cells[i]'s final value of `metric`, when it has a finite one.
  std::optional<double> final_value(size_t i, const std::string& metric) const;
  // Every fine-tuned (architecture, N, start) with scratch cells of the same architecture and N in `modality`,
  // ordered by architecture, start and N.
  std::vector<TransferComparison> transfer_comparisons(const std::string& metric, const std::string& modality) const;
  // The metrics those comparisons are shown for: the first distance present (fid_inception, fd_unet,
  // fd_handcrafted) and the Dice arms but the real-only one (the same for both starts).
  std::vector<std::string> transfer_metrics() const;
  std::string label_conditioned_note() const;
};

// The sample sheet's rows, the memorization gallery's, and a translation cell's sheet (source | translated |
// true target | |error|, each over its label overlay).
extern const std::vector<std::string> kSampleSheetStems, kNearestSheetStems, kTranslationSheetStems;
// The stems of a cell's sample sheet: the translation sheet's when the cell translated, else the samples'.
const std::vector<std::string>& sheet_stems(const RunData& run, const std::string& cell_id);
// PNG sheet of one cell of one run, a row pair per stem (<stem>_images/_labels arrays); "" when it has none.
std::string sample_sheet(const RunData& run, const std::string& cell_id,
                         const std::vector<std::string>& stems = kSampleSheetStems);
// What the memorization and label-fidelity columns mean, as each writer's note says it; and, when the
// runs have no label fidelity because segmentation was off, the sentence that says so ("" otherwise).
extern const char* const kPrivacyNote;
std::string label_fidelity_off_note(const ReportModel& m);

// " (lower is better)", " (higher is better)", " (reference 0.05, neither end is best)" or "".
std::string direction_text(const MetricTable& t);
std::string direction_words(const MetricTable& t);  // the same without the space and parentheses
// The significant pairs of a table, one line per modality ("cardiac: a < b (p = 0.01)"); empty when no
// pair could be tested. `lt`/`gt` spell the comparison signs for the writer's format.
std::vector<std::string> significance_lines(const ReportModel& m, const MetricTable& t,
                                            const std::string& lt = "<", const std::string& gt = ">");
// The sentence that explains intervals and tests, as each writer's preamble says it.
extern const char* const kStatisticsNote;
// "mean<pm>std<n_open>n<n_close>" in the metric's precision; the std is left out for n = 1.
std::string entry_text(const std::string& metric, const Summary& s, const std::string& pm,
                       const std::string& n_open, const std::string& n_close);

}  // namespace ganbench
