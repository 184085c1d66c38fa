// The metric catalogue: every name that ganbench stores in a results database, with how reports show it.
// Modelled on stylegan2-ada-pytorch's metrics/metric_main.py registry: code that writes a metric builds its
// name here (metric_name), and code that reads one looks it up here (match_metric), so a renamed metric
// breaks a test, never a report. Torch-free: the report links it without the training stack.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ganbench {

// How a report shows a metric.
enum class MetricShow {
  table,  // one table per metric, mean ± std over seeds
  curve,  // a series over steps (loss curves)
  hidden  // stored for analysis (CSV), not tabulated
};

struct MetricSpec {
  std::string id;           // stable key code refers to, e.g. "fd"
  std::string pattern;      // the stored name; <space>, <arm>, <label>, <loss> are placeholders (see below)
  int direction = 0;        // -1 lower is better, +1 higher is better, 0 neither
  int decimals = -1;        // digits after the point in tables; -1 = four significant digits
  std::string family;       // distance | floor | kid | fidelity | health | segmentation | cost | training
  std::string unit;         // "" for a pure number
  std::string description;  // one line, for `ganbench list metrics`
  MetricShow show = MetricShow::table;
  bool summary = true;        // may be a column of the HTML summary (when a headline metric)
  bool step0_view = false;    // reports add <name>@step0, the untrained generator's value
  bool signed_value = false;  // printed with its sign (differences)
  bool per_attempt = false;   // a measurement of one attempt (wall time, memory): differs between reruns
  // The value that healthy results sit near, for a metric where neither end is better (direction 0), e.g.
  // the near-copy fraction: about 0.05 for fresh draws, 1 for copies, 0 for noise far from everything.
  // Reports show it in the header and mark no entry best. NaN: none.
  double reference = NAN;
};

// A stored name resolved to its spec, with the placeholder values it carries.
struct MetricMatch {
  const MetricSpec* spec = nullptr;
  std::map<std::string, std::string> params;  // e.g. {"space": "handcrafted"}
  std::string view;                           // the report view after '@' ("step0"), or ""
};

// Placeholders and the values they take:
//   <space>  a feature extractor's name (lower-case letters and digits): handcrafted, inception, unet; for
//            volumes with a plane: handcrafted-axial, -coronal, -sagittal, and -mean (the three planes' mean)
//   <arm>    a segmentation protocol arm: real, synth, mix_r<ratio> (ratio as printed by seg_arm_name); and
//            translation's: preserve (the real-target U-Net on translated images), adapt (a U-Net trained on
//            translated source images), floor (one trained on untranslated source images)
//   <label>  a label name of the modality (no '/' or '@')
//   <loss>   a training loss name as the architecture reports it
//   <rater>  a visual Turing test rater's name (letters, digits, '_', '.', '-')
// Throws std::logic_error on a duplicate id or pattern, an unknown placeholder, or a reference with a direction.
void register_metric(MetricSpec spec);
// Throws std::invalid_argument listing the ids.
const MetricSpec& metric_spec(const std::string& id);
std::vector<std::string> metric_ids();  // in registration order
// "lower is better", "higher is better", "reference 0.05, neither end is best", or "" (no direction).
std::string direction_text(int direction, double reference);
inline std::string direction_text(const MetricSpec& m) { return direction_text(m.direction, m.reference); }
// Builds the stored name of `id`; throws std::invalid_argument when a placeholder has no value or a value
// its rule rejects, so a name that no report can read is never written.
std::string metric_name(const std::string& id, const std::map<std::string, std::string>& params = {});
// The spec of a stored name (a report view suffix "@..." is split off first); nullopt when no spec
// matches. The most specific pattern (most literal characters) wins.
std::optional<MetricMatch> match_metric(const std::string& name);
// FID from fewer generated images than this is biased upward; pytorch-fid's README asks for at least 2048
// samples (the feature dimension) so that the covariance has full rank.
constexpr int64_t kFidMinSamples = 2048;
// The curated order of the report's headline tables and summary columns (concrete names).
const std::vector<std::string>& headline_metrics();

// Segmentation arm names: "real", "synth", and "mix_r<ratio>" ("mix_r0.5", "mix_r1", "mix_r2").
std::string seg_arm_name(double ratio);
// The ratio of a mixed arm; nullopt for real, synth and anything else.
std::optional<double> seg_arm_ratio(const std::string& arm);

// Idempotent: registers every metric ganbench writes.
void register_builtin_metrics();

}  // namespace ganbench
