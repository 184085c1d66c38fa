#include "metrics/metric_catalogue.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <mutex>
#include <regex>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ganbench {
namespace {

// What each placeholder may hold, as text (for patterns and messages) and compiled (for checking values).
const std::map<std::string, std::string>& placeholder_rules() {
  static const std::map<std::string, std::string> rules = {
      {"space", "[a-z0-9]+(-(axial|coronal|sagittal|mean))?"}, {"arm", "real|synth|mix_r[0-9.eE+-]+|preserve|adapt|floor"}, {"label", "[^/@]+"},
      {"loss", "[^@]+"},      {"rater", "[A-Za-z0-9_.-]+"},
  };
  return rules;
}

const std::regex& placeholder_regex(const std::string& name) {
  static const std::map<std::string, std::regex> compiled = [] {
    std::map<std::string, std::regex> m;
    for (const auto& [k, rule] : placeholder_rules()) m.emplace(k, std::regex(rule));
    return m;
  }();
  return compiled.at(name);
}

struct Compiled {
  MetricSpec spec;
  std::regex re;
  std::vector<std::string> params;    // placeholder names in pattern order
  std::vector<std::string> literals;  // the text around them: params.size() + 1 pieces
  size_t literal = 0;                 // literal characters: more = more specific
};

std::deque<Compiled>& catalogue() {  // a deque: specs keep their address as entries are added
  static std::deque<Compiled> c;
  return c;
}

std::string regex_escape(const std::string& s) {
  static const std::string special = R"(\^$.|?*+()[]{}/)";
  std::string out;
  for (char ch : s) {
    if (special.find(ch) != std::string::npos) out += '\\';
    out += ch;
  }
  return out;
}

Compiled compile(MetricSpec spec) {
  Compiled c;
  std::string re;
  size_t i = 0;
  const std::string& p = spec.pattern;
  while (i < p.size()) {
    const size_t open = p.find('<', i);
    if (open == std::string::npos) break;
    const size_t close = p.find('>', open);
    if (close == std::string::npos)
      throw std::logic_error(fmt::format("metric '{}': unclosed placeholder in '{}'", spec.id, p));
    c.literals.push_back(p.substr(i, open - i));
    re += regex_escape(c.literals.back());
    c.literal += open - i;
    const std::string name = p.substr(open + 1, close - open - 1);
    auto rule = placeholder_rules().find(name);
    if (rule == placeholder_rules().end())
      throw std::logic_error(fmt::format("metric '{}': unknown placeholder <{}>", spec.id, name));
    re += "(" + rule->second + ")";
    c.params.push_back(name);
    i = close + 1;
  }
  c.literals.push_back(p.substr(std::min(i, p.size())));
  re += regex_escape(c.literals.back());
  c.literal += c.literals.back().size();
  c.re = std::regex(re);
  c.spec = std::move(spec);
  return c;
}

}  // namespace

void register_metric(MetricSpec spec) {
  if (std::isfinite(spec.reference) && spec.direction != 0)
    throw std::logic_error(fmt::format("metric '{}': a reference value needs direction 0", spec.id));
  for (const auto& c : catalogue())
    if (c.spec.id == spec.id || c.spec.pattern == spec.pattern)
      throw std::logic_error(fmt::format("metric '{}' ({}) is already registered", spec.id, spec.pattern));
  catalogue().push_back(compile(std::move(spec)));
}

namespace {
const Compiled& find_compiled(const std::string& id) {
  for (const auto& c : catalogue())
    if (c.spec.id == id) return c;
  throw std::invalid_argument(
      fmt::format("unknown metric '{}'; valid: {}", id, fmt::join(metric_ids(), ", ")));
}
}  // namespace

const MetricSpec& metric_spec(const std::string& id) { return find_compiled(id).spec; }

std::vector<std::string> metric_ids() {
  std::vector<std::string> ids;
  for (const auto& c : catalogue()) ids.push_back(c.spec.id);
  return ids;
}

std::string direction_text(int direction, double reference) {
  if (std::isfinite(reference)) return fmt::format("reference {:g}, neither end is best", reference);
  return direction < 0 ? "lower is better" : direction > 0 ? "higher is better" : "";
}

std::string metric_name(const std::string& id, const std::map<std::string, std::string>& params) {
  const Compiled& c = find_compiled(id);
  std::string out = c.literals.front();
  for (size_t k = 0; k < c.params.size(); ++k) {
    const std::string& name = c.params[k];
    auto v = params.find(name);
    if (v == params.end())
      throw std::invalid_argument(fmt::format("metric '{}' needs a value for <{}>", id, name));
    if (!std::regex_match(v->second, placeholder_regex(name)))
      throw std::invalid_argument(fmt::format("metric '{}': '{}' is not a valid <{}> ({})", id, v->second,
                                              name, placeholder_rules().at(name)));
    out += v->second + c.literals[k + 1];
  }
  return out;
}

std::optional<MetricMatch> match_metric(const std::string& name) {
  const size_t at = name.find('@');
  const std::string base = name.substr(0, at);
  const Compiled* best = nullptr;
  std::smatch best_m;
  for (const auto& c : catalogue()) {
    std::smatch m;
    if (std::regex_match(base, m, c.re) && (!best || c.literal > best->literal)) {
      best = &c;
      best_m = m;
    }
  }
  if (!best) return std::nullopt;
  MetricMatch out;
  out.spec = &best->spec;
  for (size_t k = 0; k < best->params.size(); ++k) out.params[best->params[k]] = best_m[k + 1].str();
  if (at != std::string::npos) out.view = name.substr(at + 1);
  return out;
}

const std::vector<std::string>& headline_metrics() {
  static const std::vector<std::string> order = {"paired_mae_hu",
                                                 "paired_mae",
                                                 "paired_psnr",
                                                 "paired_ssim",
                                                 "paired_ms_ssim",
                                                 "fid_inception",
                                                 "fid_infinity_inception",
                                                 "kid_inception",
                                                 "fd_unet",
                                                 "fd_handcrafted",
                                                 "kid_handcrafted",
                                                 "fid_inception_real_floor",
                                                 "fd_unet_real_floor",
                                                 "fd_handcrafted_real_floor",
                                                 "seg_dice_real",
                                                 "seg_dice_synth",
                                                 "seg_dice_synth_delta",
                                                 "seg_dice_preserve",
                                                 "seg_dice_adapt",
                                                 "seg_dice_floor",
                                                 "seg_hd95_real",
                                                 "seg_hd95_synth",
                                                 "label_fidelity_dice",
                                                 "memorization_near_copy_fraction_pixels",
                                                 "memorization_near_copy_fraction_unet",
                                                 "degenerate_label_fraction",
                                                 "train_seconds",
                                                 "steps_per_second",
                                                 "peak_rss_mib",
                                                 "parameters"};
  return order;
}

std::string seg_arm_name(double ratio) { return fmt::format("mix_r{}", ratio); }

std::optional<double> seg_arm_ratio(const std::string& arm) {
  static const std::regex mixed("mix_r([0-9.eE+-]+)");
  std::smatch m;
  if (!std::regex_match(arm, m, mixed)) return std::nullopt;
  try {
    size_t used = 0;
    const double r = std::stod(m[1].str(), &used);
    if (used == static_cast<size_t>(m[1].length()) && std::isfinite(r)) return r;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

void register_builtin_metrics() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto add = [](MetricSpec s) { register_metric(std::move(s)); };
    // Modifiers for the entries that differ from a plain summary table.
    auto not_in_summary = [](MetricSpec s) { return s.summary = false, s; };
    auto with_step0_view = [](MetricSpec s) { return s.step0_view = true, s; };
    auto signed_difference = [](MetricSpec s) { return s.signed_value = true, s; };
    auto hidden = [](MetricSpec s) { return s.show = MetricShow::hidden, s; };
    auto curve = [](MetricSpec s) { return s.show = MetricShow::curve, s; };
    auto per_attempt = [](MetricSpec s) { return s.per_attempt = true, s; };
    // Distribution distances between generated and real training images, in a feature space.
    add(with_step0_view(
        {"fd", "fd_<space>", -1, -1, "distance", "",
         "Fréchet distance (Heusel et al. 2017) in the <space> features; not FID unless Inception"}));
    add({"fid", "fid_<space>", -1, 2, "distance", "",
         "FID (Heusel et al. 2017): Fréchet distance in pytorch-fid's Inception-v3 pool features"});
    add(not_in_summary(
        {"fd_real_floor", "fd_<space>_real_floor", 0, -1, "floor", "",
         "the same distance between two disjoint real subsets of distance_n images each (fd_unet: training vs test split)"}));
    add(not_in_summary({"fid_real_floor", "fid_<space>_real_floor", 0, 2, "floor", "",
                        "FID between two disjoint real subsets of distance_n images each"}));
    add({"fd_infinity", "fd_infinity_<space>", -1, -1, "distance", "",
         "the Fréchet distance extrapolated to infinitely many samples (FID∞, Chong and Forsyth 2020)"});
    add({"fid_infinity", "fid_infinity_<space>", -1, 2, "distance", "",
         "FID∞ (Chong and Forsyth 2020): FID at several N, a line against 1/N, its value at 1/N = 0"});
    add(not_in_summary({"distance_n", "distance_n", 0, 0, "setting", "images",
                        "generated images behind every distance, KID and precision/recall of the cell"}));
    add(not_in_summary(
        {"real_floor_n", "real_floor_n_<space>", 0, 0, "setting", "images",
         "images on each side of the real-vs-real floor (matched to distance_n where the data allow)"}));
    // Within-cell percentile-bootstrap 95% intervals over the generated images (CSV; docs/metrics.md).
    for (const char* d : {"fd", "fid", "kid"})
      for (const char* end : {"lo", "hi"})
        add(hidden({fmt::format("{}_boot_{}", d, end), fmt::format("{}_<space>_boot_{}", d, end), 0,
                    std::string(d) == "fid"   ? 2
                    : std::string(d) == "kid" ? 4
                                              : -1,
                    "bootstrap", "",
                    fmt::format("{} end of the bootstrap 95% interval of {} over the generated images",
                                std::string(end) == "lo" ? "lower" : "upper", d)}));
    add(hidden({"bootstrap_b", "bootstrap_b_<space>", 0, 0, "bootstrap", "resamples",
                "bootstrap resamples behind the _boot_lo/_boot_hi intervals"}));
    add({"kid", "kid_<space>", -1, 4, "kid", "",
         "KID (Bińkowski et al. 2018): unbiased MMD² with the cubic polynomial kernel, mean over subsets"});
    add(hidden({"kid_std", "kid_<space>_std", -1, 4, "kid", "", "KID's standard deviation over subsets"}));
    add({"precision", "precision_<space>", +1, 3, "fidelity", "",
         "improved precision (Kynkäänniemi et al. 2019), k = 3: generated images inside the real manifold"});
    add({"recall", "recall_<space>", +1, 3, "fidelity", "",
         "improved recall (Kynkäänniemi et al. 2019), k = 3: real images inside the generated manifold"});
    // Memorization audit (metrics/memorization.h): nearest training image of each generated one.
    MetricSpec near_copy{"memorization_near_copy_fraction", "memorization_near_copy_fraction_<space>", 0, 3,
                         "privacy", "",
                         "share of generated images nearer a training image than 95% of held-out real test "
                         "images are (about 0.05 for fresh draws, 1 for copies, 0 for noise far from all)"};
    near_copy.reference = 0.05;  // the fresh-draw value: 5% of test images fall below the 5th percentile
    add(near_copy);
    add({"memorization_median_ratio", "memorization_median_ratio_<space>", 0, 3, "privacy", "",
         "median nearest-training distance of generated images over that of held-out test images (below 1: "
         "closer to the training set than new real images)"});
    // Visual Turing test (reports/turing.h), per rater; "generated" is the positive class.
    add({"turing_accuracy", "turing_accuracy/<rater>", 0, 3, "turing", "",
         "share of a rater's real/generated answers that were right (0.5: the GAN fooled the rater)"});
    add({"turing_sensitivity", "turing_sensitivity/<rater>", 0, 3, "turing", "",
         "share of generated images the rater called generated"});
    add({"turing_specificity", "turing_specificity/<rater>", 0, 3, "turing", "",
         "share of real images the rater called real"});
    for (const char* m : {"accuracy", "sensitivity", "specificity"})
      for (const char* end : {"lo", "hi"})
        add(hidden({fmt::format("turing_{}_{}", m, end), fmt::format("turing_{}_{}/<rater>", m, end), 0, 3,
                    "turing", "",
                    fmt::format("exact (Clopper-Pearson) 95% interval of the {}, {} end", m,
                                std::string(end) == "lo" ? "lower" : "upper")}));
    add({"turing_p", "turing_p/<rater>", 0, -1, "turing", "",
         "two-sided exact binomial p-value of the accuracy against chance (0.5)"});
    add(not_in_summary(
        {"turing_n", "turing_n/<rater>", 0, 0, "turing", "images", "images the rater answered"}));
    // Label fidelity: the frozen real-only U-Net segments each generated image (Skandarani et al. 2023).
    add({"label_fidelity_dice", "label_fidelity_dice", +1, 3, "fidelity", "",
         "mean foreground Dice of the real-only U-Net's segmentation of generated images against the label "
         "maps generated with them; its ceiling is seg_dice_real"});
    add({"label_fidelity_dice_class", "label_fidelity_dice/<label>", +1, 3, "fidelity", "",
         "label fidelity Dice of one label"});
    add({"degenerate_label_fraction", "degenerate_label_fraction", -1, 3, "health", "",
         "fraction of generated label maps without any foreground pixel"});
    // The segmentation protocol (Skandarani et al. 2023), per arm, on the real test split.
    add({"seg_dice", "seg_dice_<arm>", +1, 3, "segmentation", "",
         "mean foreground Dice of the U-Net trained on this arm"});
    add({"seg_dice_class", "seg_dice_<arm>/<label>", +1, 3, "segmentation", "", "Dice of one label"});
    add(signed_difference({"seg_dice_delta", "seg_dice_<arm>_delta", +1, 3, "segmentation", "",
                           "Dice of this arm minus the real-only baseline (negative: augmentation hurt)"}));
    add({"seg_hd95", "seg_hd95_<arm>", -1, 2, "segmentation", "px",
         "mean foreground 95th-percentile Hausdorff distance (MONAI's definition) over its finite values"});
    add({"seg_hd95_mm", "seg_hd95_mm_<arm>", -1, 2, "segmentation", "mm",
         "volumes: mean foreground HD95 in mm (voxel spacing applied) over its finite values"});
    add({"seg_hd95_inf_fraction", "seg_hd95_inf_fraction_<arm>", -1, 3, "segmentation", "",
         "share of defined HD95 values that are infinite: a structure missed or hallucinated"});
    add({"seg_train_images", "seg_train_images_<arm>", 0, 0, "segmentation", "images",
         "images the U-Net of this arm trained on"});
    // Cost and bookkeeping.
    // Image-to-image translation: each translated test image against its true target (metrics/paired_image.h).
    add({"paired_mae_hu", "paired_mae_hu", -1, 1, "paired", "HU",
         "translation to CT: mean absolute error in HU, mean over the test pairs (SynthRAD2023)"});
    add({"paired_mae", "paired_mae", -1, 4, "paired", "",
         "translation to a [0, 1] modality: mean absolute error, mean over the test pairs (SynthRAD2023)"});
    add({"paired_psnr", "paired_psnr", +1, 2, "paired", "dB",
         "PSNR over the intensity range (SynthRAD2023), mean over the test pairs; inf when every pair is equal"});
    add({"paired_ssim", "paired_ssim", +1, 4, "paired", "",
         "SSIM (Wang et al. 2004) as SynthRAD2023 masks and crops it, mean over the test pairs"});
    add({"paired_ms_ssim", "paired_ms_ssim", +1, 4, "paired", "",
         "MS-SSIM (Wang et al. 2003) as SynthRAD2025 computes it, mean over the test pairs"});
    add(not_in_summary({"paired_n", "paired_n", 0, 0, "setting", "pairs",
                        "test pairs behind the paired metrics (every test subject's source and target)"}));
    add(per_attempt({"train_seconds", "train_seconds", -1, 1, "cost", "s", "wall time in the GAN training loop"}));
    add(per_attempt(
        {"steps_per_second", "steps_per_second", +1, 1, "cost", "1/s", "generator updates per second"}));
    add(not_in_summary(
        {"parameters", "parameters", 0, 0, "cost", "", "trainable parameters (EMA copies excluded)"}));
    add(per_attempt({"peak_rss_mib", "peak_rss_mib", -1, 0, "cost", "MiB", "peak resident memory of the cell"}));
    add(not_in_summary(
        {"instance_noise", "instance_noise", 0, 2, "setting", "",
         "std of the instance noise on D inputs this cell trained with (train.instance_noise)"}));
    add(hidden({"label_conditioned", "label_conditioned", 0, 0, "setting", "",
                "1: the architecture makes each image from a real training label map (SPADE), so its synthetic "
                "pairs reuse real anatomy"}));
    // The transfer axes (docs/transfer.md): what makes a cell's report row and its place on the N axis.
    add(hidden({"train_subjects", "train_subjects", 0, 0, "setting", "subjects",
                "training subjects this cell's GAN saw (data.train_subjects: the first N of the split)"}));
    add(hidden({"init_pretrained", "init_pretrained", 0, 0, "setting", "",
                "1: the cell started from another cell's weights (train.init_from); 0: from scratch"}));
    add(hidden({"freeze_d", "freeze_d", 0, 0, "setting", "layers",
                "D layers frozen while fine-tuning (FreezeD, train.freeze_d)"}));
    add(per_attempt(hidden({"resumed_from_step", "resumed_from_step", 0, 0, "cost", "steps",
                            "the checkpoint step the cell continued from (0: a fresh start)"})));
    add(curve(
        {"train_loss", "train/<loss>", 0, -1, "training", "", "a training loss, every log_every steps"}));
  });
}

}  // namespace ganbench
