#include "experiments/config.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <type_traits>
#include <variant>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "common/atomic_file.h"
#include "common/runtime.h"
#include "datasets/modality.h"
#include "experiments/builtins.h"
#include "metrics/feature_extractor.h"
#include "metrics/metric_catalogue.h"

namespace ganbench {
namespace fs = std::filesystem;
namespace {

std::string where(const std::string& source, const YAML::Node& node) {
  const auto m = node.Mark();
  return m.is_null() ? source : fmt::format("{}:{}", source, m.line + 1);
}

[[noreturn]] void fail(const std::string& at, const std::string& key, const std::string& why) {
  throw ConfigError(fmt::format("{}: key '{}': {}", at, key, why));
}

// A mapping key as text; a list or mapping used as a key (e.g. `{[1]: 2}`) is an error naming `parent`.
std::string key_name(const YAML::Node& k, const std::string& parent, const std::string& source) {
  if (!k.IsScalar())
    fail(where(source, k), parent.empty() ? "(top level)" : parent, "has a list or mapping as a key; keys are names");
  return k.Scalar();
}

// Reads one YAML mapping, remembering which keys were used, so leftovers are reported as unknown.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string prefix, const std::string& source)
      : node_(node), prefix_(std::move(prefix)), source_(source) {
    if (!node.IsMap())
      fail(where(source, node), prefix_.empty() ? "(top level)" : prefix_, "must be a mapping");
  }

  std::string key(const std::string& k) const { return prefix_.empty() ? k : prefix_ + "." + k; }
  std::string at(const std::string& k) const { return where(source_, node_[k]); }
  bool has(const std::string& k) const { return node_[k].IsDefined(); }
  YAML::Node node(const std::string& k) {
    known_.insert(k);
    return node_[k];
  }

  template <typename T>
  void get(const std::string& k, T& out, const char* type_name) {
    known_.insert(k);
    const YAML::Node n = node_[k];
    if (!n.IsDefined()) return;
    if (!n.IsScalar()) fail(at(k), key(k), fmt::format("must be {}", type_name));
    try {
      out = n.as<T>();
    } catch (const YAML::Exception&) {
      fail(at(k), key(k), fmt::format("must be {}, got '{}'", type_name, n.Scalar()));
    }
  }
  void get(const std::string& k, int64_t& out) { get<int64_t>(k, out, "an integer"); }
  void get(const std::string& k, uint64_t& out) { get<uint64_t>(k, out, "a non-negative integer"); }
  void get(const std::string& k, double& out) { get<double>(k, out, "a number"); }
  void get(const std::string& k, std::string& out) { get<std::string>(k, out, "a string"); }

  template <typename T>
  void get_list(const std::string& k, std::vector<T>& out, const char* type_name) {
    known_.insert(k);
    const YAML::Node n = node_[k];
    if (!n.IsDefined()) return;
    if (n.IsScalar()) {  // a single value stands for a one-item list
      out.clear();
      T v;
      get<T>(k, v, type_name);
      out.push_back(v);
      return;
    }
    if (!n.IsSequence()) fail(at(k), key(k), fmt::format("must be a list of {}", type_name));
    out.clear();
    for (size_t i = 0; i < n.size(); ++i) {
      try {
        out.push_back(n[i].as<T>());
      } catch (const YAML::Exception&) {
        fail(where(source_, n[i]), fmt::format("{}[{}]", key(k), i), fmt::format("must be {}", type_name));
      }
    }
  }

  void reject_unknown() const {
    for (const auto& kv : node_) {
      const auto k = key_name(kv.first, prefix_, source_);
      if (!known_.count(k))
        fail(where(source_, kv.first), key(k),
             fmt::format("unknown key; valid here: {}", fmt::join(known_, ", ")));
    }
  }

 private:
  YAML::Node node_;
  std::string prefix_;
  const std::string& source_;
  std::set<std::string> known_;
};

void check(bool ok, const SweepConfig& c, const std::string& key, const std::string& why) {
  if (!ok) throw ConfigError(fmt::format("{}: key '{}': {}", c.source, key, why));
}

// ---- The key table ----------------------------------------------------------------------------------------

using Ref = std::variant<int64_t*, uint64_t*, double*, std::string*, bool*, fs::path*,
                         std::vector<std::string>*, std::vector<double>*, std::vector<uint64_t>*>;

struct Range {
  double lo, hi;     // inclusive
  std::string text;  // as users read it, e.g. "[1, 1e8]"
};

struct Field {
  std::string path;                      // dotted key
  std::function<Ref(SweepConfig&)> ref;  // the member; null for a mapping with its own rules
  std::string help;                      // one line, with the unit
  std::optional<Range> range;            // numbers: every value (list items too) must lie in it
  std::vector<std::string> choices;      // strings: every value must be one of these
  // Mappings with their own rules (data.sources, arch): parse, emit, and whether to emit at all.
  std::string special_type;
  std::function<void(const YAML::Node&, SweepConfig&, const std::string& source)> parse;
  std::function<void(YAML::Emitter&, const SweepConfig&)> emit;
  std::function<bool(const SweepConfig&)> present;
};

template <typename Get>
Field field(std::string path, Get get, std::string help, std::optional<Range> range = std::nullopt,
            std::vector<std::string> choices = {}) {
  Field f;
  f.path = std::move(path);
  f.ref = [get](SweepConfig& c) -> Ref { return get(c); };
  f.help = std::move(help);
  f.range = std::move(range);
  f.choices = std::move(choices);
  return f;
}

void emit_value(YAML::Emitter& out, const Ref& ref);

// `f` written out only when its value differs from the default: keys added after run folders existed, so
// those keep their resolved YAML and cell hashes.
Field only_if_set(Field f) {
  f.present = [ref = f.ref](const SweepConfig& c) {
    static const SweepConfig defaults;
    auto text = [&](const SweepConfig& x) {
      YAML::Emitter out;
      out << YAML::Flow;
      emit_value(out, ref(const_cast<SweepConfig&>(x)));  // the accessor only reads here
      return std::string(out.c_str());
    };
    return text(c) != text(defaults);
  };
  return f;
}

constexpr double kBig = 1e18;  // "no upper bound" for ranges

void parse_sources(const YAML::Node& srcs, SweepConfig& c, const std::string& source) {
  if (!srcs.IsMap()) fail(where(source, srcs), "data.sources", "must be a mapping of modality to source");
  for (const auto& kv : srcs) {
    const auto mod = key_name(kv.first, "data.sources", source);
    const std::string key = "data.sources." + mod;
    SourceConfig sc;
    if (kv.second.IsScalar()) {
      sc.format = kv.second.Scalar();
      if (sc.format != "phantom")
        fail(where(source, kv.second), key,
             "a scalar source must be 'phantom'; real data needs {format, path}");
    } else {
      MapReader s(kv.second, key, source);
      s.get("format", sc.format);
      std::string path;
      s.get("path", path);
      sc.path = path;
      s.get("images", sc.images);
      s.get("masks", sc.masks);
      s.get<bool>("skip_empty", sc.skip_empty, "true or false");
      s.get("max_subjects", sc.max_subjects);
      s.get("subject", sc.subject);
      s.reject_unknown();
    }
    c.data.sources[mod] = sc;
  }
}

void emit_sources(YAML::Emitter& out, const SweepConfig& c) {
  out << YAML::BeginMap;
  for (const auto& [mod, sc] : c.data.sources) {
    out << YAML::Key << mod;
    if (sc.format == "phantom") {
      out << YAML::Value << "phantom";
      continue;
    }
    out << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "format" << YAML::Value << sc.format;
    out << YAML::Key << "path" << YAML::Value << sc.path.string();
    out << YAML::Key << "images" << YAML::Value << sc.images;
    out << YAML::Key << "masks" << YAML::Value << sc.masks;
    out << YAML::Key << "skip_empty" << YAML::Value << sc.skip_empty;
    out << YAML::Key << "max_subjects" << YAML::Value << sc.max_subjects;
    if (!sc.subject.empty()) out << YAML::Key << "subject" << YAML::Value << sc.subject;  // older hashes hold
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void parse_arch(const YAML::Node& arch, SweepConfig& c, const std::string& source) {
  if (!arch.IsMap()) fail(where(source, arch), "arch", "must be a mapping of architecture name to options");
  for (const auto& kv : arch) {
    const auto arch_name = key_name(kv.first, "arch", source);
    if (!kv.second.IsMap() && !kv.second.IsNull())
      fail(where(source, kv.second), "arch." + arch_name, "must be a mapping of option to number");
    ArchOptions opts;
    for (const auto& ov : kv.second) {
      const auto key = key_name(ov.first, "arch." + arch_name, source);
      try {
        opts[key] = ov.second.as<double>();
      } catch (const YAML::Exception&) {
        fail(where(source, ov.second), fmt::format("arch.{}.{}", arch_name, key), "must be a number");
      }
    }
    c.arch[arch_name] = opts;
  }
}

void emit_arch(YAML::Emitter& out, const SweepConfig& c) {
  out << YAML::BeginMap;
  for (const auto& a : c.architectures) {
    out << YAML::Key << a << YAML::Value << YAML::BeginMap;
    auto it = c.arch.find(a);
    for (const auto& [k, v] :
         resolve_options(find_architecture(a), it == c.arch.end() ? ArchOptions{} : it->second))
      out << YAML::Key << k << YAML::Value << v;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

Field special(std::string path, std::string type, std::string help, decltype(Field::parse) parse,
              decltype(Field::emit) emit, decltype(Field::present) present = {}) {
  Field f;
  f.path = std::move(path);
  f.special_type = std::move(type);
  f.help = std::move(help);
  f.parse = std::move(parse);
  f.emit = std::move(emit);
  f.present = std::move(present);
  return f;
}

// Every key, in the order the resolved config is written (that order is part of each cell's config hash).
const std::vector<Field>& fields() {
  using C = SweepConfig;
  static const std::vector<Field> table = {
      field(
          "name", [](C& c) { return &c.name; }, "run folder name: <output>/<name>"),
      field(
          "output", [](C& c) { return &c.output; },
          "parent folder of run folders (relative to the working directory)"),
      field(
          "architectures", [](C& c) { return &c.architectures; },
          "registry names (ganbench list architectures)"),
      field(
          "modalities", [](C& c) { return &c.modalities; }, "registry names (ganbench list modalities)"),
      field(
          "seeds", [](C& c) { return &c.seeds; }, "one cell per seed and architecture x modality"),
      field(
          "image_size", [](C& c) { return &c.image_size; }, "square image side, px; a power of two",
          Range{16, 1024, "[16, 1024]"}),
      field(
          "threads", [](C& c) { return &c.threads; },
          "LibTorch intra-op threads: auto (all cores; in a Slurm job, SLURM_CPUS_PER_TASK) or a count"),
      // Written only when set; where cells run, not what they compute (left out of cell hashes).
      only_if_set(field(
          "parallel_cells", [](C& c) { return &c.parallel_cells; },
          "cells run at once by `ganbench run`, each in its own process with threads / parallel_cells cores "
          "(threads: auto) or `threads`; 1 = one cell at a time",
          Range{1, 64, "[1, 64]"})),
      field("device", [](C& c) { return &c.device; }, "where to train and score", std::nullopt,
            {"auto", "cpu", "cuda"}),
      field(
          "train.steps", [](C& c) { return &c.train.steps; }, "generator updates per cell",
          Range{1, 1e8, "[1, 1e8]"}),
      field(
          "train.batch_size", [](C& c) { return &c.train.batch_size; }, "real images per step",
          Range{2, 4096, "[2, 4096]"}),
      field(
          "train.checkpoint_every", [](C& c) { return &c.train.checkpoint_every; },
          "steps between checkpoints; 0 = only at the end", Range{0, kBig, ">= 0"}),
      field(
          "train.log_every", [](C& c) { return &c.train.log_every; },
          "steps between log lines and stored losses", Range{1, kBig, ">= 1"}),
      // Emitted only when set, so fp32 sweeps keep their resolved YAML and hashes.
      only_if_set(field(
          "train.precision", [](C& c) { return &c.train.precision; },
          "training arithmetic: fp32, or bf16 autocast (convolutions and matrix products in bfloat16, "
          "losses, reductions, parameters and optimiser state in float32); sampling and scoring stay float32",
          std::nullopt, {"fp32", "bf16"})),
      // Emitted only when set: it decides when a cell fails, not what a finished cell computed, so it stays out
      // of the hashes of older run folders (cell_config_hash leaves it out altogether).
      only_if_set(
          field(
              "train.divergence_threshold", [](C& c) { return &c.train.divergence_threshold; },
              "a cell fails when any loss or statistic exceeds this in magnitude (an exploding D); 0 = off; "
              "-1 = the architecture's default (ganbench list architectures: divergence_threshold)",
              Range{-1, 1e300, "-1 or >= 0"})),
      field(
          "train.instance_noise", [](C& c) { return &c.train.augment.instance_noise; },
          "std of Gaussian noise on every D input, real and fake; 0 = off; -1 = the architecture's default "
          "(ganbench list architectures: instance_noise)",
          Range{-1, 2, "-1 or [0, 2]"}),
      field(
          "train.augment.policy", [](C& c) { return &c.train.augment.policy; },
          "DiffAugment ops on D inputs: translation, cutout, brightness, contrast; [] = off"),
      field(
          "train.augment.p", [](C& c) { return &c.train.augment.p; },
          "probability of each op per sample with a fixed policy (DiffAugment: 1); ADA starts at 0",
          Range{0, 1, "[0, 1]"}),
      field(
          "train.augment.translation", [](C& c) { return &c.train.augment.translation; },
          "max shift, fraction of the side", Range{0, 0.5, "[0, 0.5]"}),
      field(
          "train.augment.cutout", [](C& c) { return &c.train.augment.cutout; },
          "side of the zeroed square, fraction of the side", Range{0, 1, "[0, 1]"}),
      field(
          "train.augment.adaptive", [](C& c) { return &c.train.augment.adaptive; },
          "ADA: adapt p from the sign of D(real)"),
      field(
          "train.augment.ada_target", [](C& c) { return &c.train.augment.ada_target; },
          "ADA: r_t above this raises p", Range{-1, 1, "(-1, 1)"}),
      field(
          "train.augment.ada_kimg", [](C& c) { return &c.train.augment.ada_kimg; },
          "ADA: thousands of real images for p to move by 1", Range{0, kBig, "> 0"}),
      field(
          "train.augment.ada_interval", [](C& c) { return &c.train.augment.ada_interval; },
          "ADA: steps between adjustments", Range{1, kBig, ">= 1"}),
      field(
          "data.count", [](C& c) { return &c.data.count; }, "phantom subjects (one slice each)",
          Range{10, 1e6, "[10, 1e6]"}),
      // Written only when set, so image sweeps keep their resolved YAML and hashes.
      only_if_set(field(
          "data.dims", [](C& c) { return &c.data.dims; },
          "2: images of image_size^2 px; 3: volumes of image_size^3 voxels (volumetric architectures only)",
          Range{2, 3, "2 | 3"})),
      only_if_set(field(
          "data.spacing_mm", [](C& c) { return &c.data.spacing_mm; },
          "volumes from NIfTI: isotropic voxel side after resampling, mm; 0 = fit each volume's longest side",
          Range{0, 100, "[0, 100]"})),
      field(
          "data.ct_window_level", [](C& c) { return &c.data.intensity.ct_window_level; },
          "CT display window centre, HU"),
      field(
          "data.ct_window_width", [](C& c) { return &c.data.intensity.ct_window_width; },
          "CT display window width, HU", Range{0, kBig, "> 0"}),
      field(
          "data.mri_percentile_lo", [](C& c) { return &c.data.intensity.mri_percentile_lo; },
          "MRI: this percentile of each volume maps to 0", Range{0, 100, "[0, 100)"}),
      field(
          "data.mri_percentile_hi", [](C& c) { return &c.data.intensity.mri_percentile_hi; },
          "MRI: this percentile of each volume maps to 1", Range{0, 100, "(0, 100]"}),
      special("data.sources", "mapping",
              "per modality: phantom, or {format, path, images, masks, skip_empty, "
              "max_subjects, subject}; modalities not listed use their phantom",
              parse_sources, emit_sources, [](const C& c) { return !c.data.sources.empty(); }),
      field(
          "data.seed", [](C& c) { return &c.data.seed; }, "phantom geometry and the subject split"),
      field(
          "data.val_fraction", [](C& c) { return &c.data.val_fraction; }, "subjects held for validation",
          Range{0, 1, "[0, 1)"}),
      field(
          "data.test_fraction", [](C& c) { return &c.data.test_fraction; }, "subjects held out for testing",
          Range{0, 1, "(0, 1)"}),
      field(
          "eval.samples", [](C& c) { return &c.eval.samples; },
          "generated images scored per cell; default 2048 (pytorch-fid's minimum) when extractors has inception",
          Range{2, 1e6, "[2, 1e6]"}),
      field(
          "eval.extractors", [](C& c) { return &c.eval.extractors; },
          "feature spaces for the distances (ganbench list metrics)"),
      field(
          "eval.kid_subsets", [](C& c) { return &c.eval.kid_subsets; }, "KID subsets",
          Range{1, kBig, ">= 1"}),
      field(
          "eval.kid_subset_size", [](C& c) { return &c.eval.kid_subset_size; }, "KID max subset size",
          Range{2, kBig, ">= 2"}),
      field(
          "eval.grid", [](C& c) { return &c.eval.grid; }, "samples kept for the report's sheets",
          Range{1, kBig, "[1, eval.samples]"}),
      field(
          "eval.inception_weights", [](C& c) { return &c.eval.inception_weights; },
          "FID Inception safetensors; \"\" = $GANBENCH_FID_WEIGHTS"),
      field(
          "eval.inception_dims", [](C& c) { return &c.eval.inception_dims; }, "FID feature tap",
          Range{64, 2048, "64 | 192 | 768 | 2048"}),
      field(
          "eval.feature_cache", [](C& c) { return &c.eval.feature_cache; },
          "real-feature cache folder; auto = $XDG_CACHE_HOME/ganbench, \"\" = off"),
      field(
          "segmentation.enabled", [](C& c) { return &c.segmentation.enabled; },
          "run the U-Net protocol (real / synthetic / mixed) after each GAN cell"),
      field(
          "segmentation.ratios", [](C& c) { return &c.segmentation.ratios; },
          "synthetic-to-real ratios of the mixed arms", Range{0, 100, "(0, 100]"}),
      field(
          "segmentation.steps", [](C& c) { return &c.segmentation.steps; },
          "U-Net optimiser steps (upper bound; early stopping)", Range{1, kBig, ">= 1"}),
      field(
          "segmentation.batch_size", [](C& c) { return &c.segmentation.batch_size; }, "images per U-Net step",
          Range{1, kBig, ">= 1"}),
      field(
          "segmentation.lr", [](C& c) { return &c.segmentation.lr; }, "Adam learning rate",
          Range{0, kBig, "> 0"}),
      field(
          "segmentation.eval_every", [](C& c) { return &c.segmentation.eval_every; },
          "steps between validation Dice checks", Range{1, kBig, ">= 1"}),
      field(
          "segmentation.patience", [](C& c) { return &c.segmentation.patience; },
          "checks without improvement before stopping; 0 = never", Range{0, kBig, ">= 0"}),
      field(
          "segmentation.depth", [](C& c) { return &c.segmentation.depth; },
          "U-Net pooling levels; image_size divisible by 2^depth", Range{1, 6, "[1, 6]"}),
      field(
          "segmentation.base_channels", [](C& c) { return &c.segmentation.base_channels; },
          "U-Net channels at full resolution", Range{1, 256, "[1, 256]"}),
      field("segmentation.norm", [](C& c) { return &c.segmentation.norm; }, "U-Net normalisation",
            std::nullopt, {"batch", "instance"}),
      // cluster.*: written only when set, so sweeps without them keep their resolved YAML and hashes.
      only_if_set(field("cluster.partition", [](C& c) { return &c.cluster.partition; },
                           "Slurm partition (sbatch --partition); \"\" = the cluster's default")),
      only_if_set(field("cluster.account", [](C& c) { return &c.cluster.account; },
                           "Slurm account to charge (sbatch --account)")),
      only_if_set(field("cluster.qos", [](C& c) { return &c.cluster.qos; }, "Slurm QOS (sbatch --qos)")),
      only_if_set(field("cluster.time", [](C& c) { return &c.cluster.time; },
                           "time limit per cell, Slurm format: MM, HH:MM:SS or D-HH:MM:SS (sbatch --time)")),
      only_if_set(field("cluster.mem", [](C& c) { return &c.cluster.mem; },
                           "memory per cell, e.g. 16G (sbatch --mem; units K, M, G, T)")),
      only_if_set(field("cluster.cpus_per_task", [](C& c) { return &c.cluster.cpus_per_task; },
                           "CPU cores per cell (sbatch --cpus-per-task; threads: auto uses them); 0 = default",
                           Range{0, 4096, "[0, 4096]"})),
      only_if_set(field("cluster.gres", [](C& c) { return &c.cluster.gres; },
                           "generic resources per cell, e.g. gpu:1 (sbatch --gres)")),
      only_if_set(field("cluster.array_throttle", [](C& c) { return &c.cluster.array_throttle; },
                           "at most this many cells at once (--array=0-N%throttle); 0 = no limit",
                           Range{0, 1e6, "[0, 1e6]"})),
      only_if_set(field("cluster.sbatch", [](C& c) { return &c.cluster.sbatch; },
                           "more sbatch options, one #SBATCH line each, e.g. [--constraint=a100]")),
      only_if_set(field("cluster.setup", [](C& c) { return &c.cluster.setup; },
                           "shell lines run on the node before ganbench, e.g. [module load cuda]")),
      only_if_set(field("cluster.ganbench", [](C& c) { return &c.cluster.ganbench; },
                           "path of ganbench on the nodes; \"\" = the submitting executable's absolute path")),
      special("arch", "mapping",
              "per architecture: {option: number}, checked against the registry "
              "(ganbench list architectures)",
              parse_arch, emit_arch),
  };
  return table;
}

std::string parent_of(const std::string& path) {
  const size_t dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(0, dot);
}
std::string leaf_of(const std::string& path) { return path.substr(path.rfind('.') + 1); }

// The sections directly below `section`, in table order.
std::vector<std::string> child_sections(const std::string& section) {
  std::vector<std::string> out;
  for (const auto& f : fields()) {
    const std::string p = parent_of(f.path);
    if (p.empty() || p == section) continue;
    const std::string prefix = section.empty() ? "" : section + ".";
    if (p.rfind(prefix, 0) != 0) continue;
    const std::string child = p.substr(prefix.size(), p.find('.', prefix.size()) - prefix.size());
    if (std::find(out.begin(), out.end(), child) == out.end()) out.push_back(child);
  }
  return out;
}

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, int64_t>) return "an integer";
  if constexpr (std::is_same_v<T, uint64_t>) return "a non-negative integer";
  if constexpr (std::is_same_v<T, double>) return "a number";
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  return "a string";
}

// Parses `node` as `section`; `present` collects the keys the file sets.
void parse_section(const YAML::Node& node, const std::string& section, SweepConfig& c,
                   const std::string& source, std::set<std::string>& present) {
  MapReader r(node, section, source);
  for (const auto& f : fields()) {
    if (parent_of(f.path) != section) continue;
    const std::string k = leaf_of(f.path);
    if (r.has(k)) present.insert(f.path);
    if (f.parse) {
      const YAML::Node n = r.node(k);
      if (n.IsDefined()) f.parse(n, c, source);
      continue;
    }
    std::visit(
        [&](auto* p) {
          using T = std::remove_pointer_t<decltype(p)>;
          if constexpr (std::is_same_v<T, fs::path>) {
            std::string s = p->string();
            r.get(k, s);
            *p = s;
          } else if constexpr (std::is_same_v<T, std::vector<std::string>> ||
                               std::is_same_v<T, std::vector<double>> ||
                               std::is_same_v<T, std::vector<uint64_t>>) {
            using V = typename T::value_type;
            r.get_list<V>(k, *p, type_name<V>());
          } else {
            r.get<T>(k, *p, type_name<T>());
          }
        },
        f.ref(c));
  }
  for (const auto& child : child_sections(section)) {
    const YAML::Node n = r.node(child);
    if (n.IsDefined()) parse_section(n, section.empty() ? child : section + "." + child, c, source, present);
  }
  r.reject_unknown();
}

void emit_value(YAML::Emitter& out, const Ref& ref) {
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, fs::path>)
          out << p->string();
        else if constexpr (std::is_same_v<T, std::vector<std::string>> ||
                           std::is_same_v<T, std::vector<double>> || std::is_same_v<T, std::vector<uint64_t>>)
          out << YAML::Flow << *p;
        else
          out << *p;
      },
      ref);
}

void emit_section(YAML::Emitter& out, const std::string& section, const SweepConfig& c) {
  auto& mc =
      const_cast<SweepConfig&>(c);  // the table's accessors are shared with parsing; nothing is written
  out << YAML::BeginMap;
  std::set<std::string> done;
  for (const auto& f : fields()) {
    const std::string p = parent_of(f.path);
    if (p == section) {
      if (f.present && !f.present(c)) continue;
      out << YAML::Key << leaf_of(f.path) << YAML::Value;
      if (f.emit)
        f.emit(out, c);
      else
        emit_value(out, f.ref(mc));
      continue;
    }
    const std::string prefix = section.empty() ? "" : section + ".";
    if (p.rfind(prefix, 0) != 0 || p.size() <= prefix.size()) continue;
    const std::string child = p.substr(prefix.size(), p.find('.', prefix.size()) - prefix.size());
    if (!done.insert(child).second) continue;
    const std::string sub = prefix + child + ".";
    const bool any = std::any_of(fields().begin(), fields().end(), [&](const Field& g) {
      return g.path.rfind(sub, 0) == 0 && (!g.present || g.present(c));
    });
    if (!any) continue;  // a section of unset optional keys (cluster) is left out whole
    out << YAML::Key << child << YAML::Value;
    emit_section(out, prefix + child, c);
  }
  out << YAML::EndMap;
}

const Field& find_field(const std::string& key) {
  for (const auto& f : fields())
    if (f.path == key) return f;
  throw std::invalid_argument(fmt::format("unknown config key '{}'", key));
}

std::string type_text(const Field& f, SweepConfig& c) {
  if (!f.ref) return f.special_type;
  return std::visit(
      [](auto* p) -> std::string {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, int64_t>) return "integer";
        if constexpr (std::is_same_v<T, uint64_t>) return "non-negative integer";
        if constexpr (std::is_same_v<T, double>) return "number";
        if constexpr (std::is_same_v<T, bool>) return "true/false";
        if constexpr (std::is_same_v<T, std::vector<std::string>>) return "list of strings";
        if constexpr (std::is_same_v<T, std::vector<double>>) return "list of numbers";
        if constexpr (std::is_same_v<T, std::vector<uint64_t>>) return "list of integers";
        return "string";
      },
      f.ref(c));
}

// The table's own rules: numeric ranges (every list item too) and string choices.
void check_field(const Field& f, const SweepConfig& c) {
  if (!f.ref || (!f.range && f.choices.empty())) return;
  auto& mc = const_cast<SweepConfig&>(c);
  auto in_range = [&](double v, const std::string& key) {
    check(std::isfinite(v) && v >= f.range->lo && v <= f.range->hi, c, key,
          fmt::format("must be in {}, got {}", f.range->text, v));
  };
  auto in_choices = [&](const std::string& v, const std::string& key) {
    check(std::find(f.choices.begin(), f.choices.end(), v) != f.choices.end(), c, key,
          fmt::format("must be one of {}, got '{}'", fmt::join(f.choices, ", "), v));
  };
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
          if (f.range) in_range(static_cast<double>(*p), f.path);
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (!f.choices.empty()) in_choices(*p, f.path);
        } else if constexpr (std::is_same_v<T, std::vector<double>> ||
                             std::is_same_v<T, std::vector<uint64_t>>) {
          if (f.range)
            for (size_t i = 0; i < p->size(); ++i)
              in_range(static_cast<double>((*p)[i]), fmt::format("{}[{}]", f.path, i));
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          if (!f.choices.empty())
            for (size_t i = 0; i < p->size(); ++i) in_choices((*p)[i], fmt::format("{}[{}]", f.path, i));
        }
      },
      f.ref(mc));
}

}  // namespace

std::vector<ConfigKey> config_keys() {
  SweepConfig c;
  std::vector<ConfigKey> out;
  for (const auto& f : fields())
    out.push_back({f.path, type_text(f, c),
                   f.range ? f.range->text : fmt::format("{}", fmt::join(f.choices, " | ")), f.help});
  return out;
}

std::string config_value(const SweepConfig& cfg, const std::string& key) {
  const Field& f = find_field(key);
  YAML::Emitter out;
  out << YAML::Flow;
  if (f.emit)
    f.emit(out, cfg);
  else
    emit_value(out, f.ref(const_cast<SweepConfig&>(cfg)));
  return out.c_str();
}

void SweepConfig::validate() const {
  register_builtins();
  const auto& c = *this;
  for (const auto& f : fields()) check_field(f, c);
  check(!name.empty() && name.find_first_of("/\\ \t") == std::string::npos && name != "." && name != "..", c,
        "name", fmt::format("must be a non-empty folder name without slashes or spaces, got '{}'", name));
  check(!architectures.empty(), c, "architectures", "list at least one architecture");
  check(!modalities.empty(), c, "modalities", "list at least one modality");
  check(!seeds.empty(), c, "seeds", "list at least one seed");
  check((image_size & (image_size - 1)) == 0, c, "image_size",
        fmt::format("must be a power of two in [16, 1024], got {}", image_size));
  for (size_t i = 0; i < architectures.size(); ++i) {
    try {
      const auto& e = find_architecture(architectures[i]);
      check(image_size >= e.min_size && image_size <= e.max_size, c, "image_size",
            fmt::format("architecture '{}' supports {} to {} px, got {}", e.name, e.min_size, e.max_size,
                        image_size));
      check(!train.augment.adaptive || e.capabilities.loss != "wasserstein", c, "train.augment.adaptive",
            fmt::format("ADA adapts p from sign(D(real)), which assumes a logistic discriminator; '{}' has a "
                        "Wasserstein critic, whose sign means nothing: use a fixed policy (adaptive: false)",
                        e.name));
      const auto it = arch.find(e.name);
      try {
        check_architecture(e, static_cast<int>(image_size), it == arch.end() ? ArchOptions{} : it->second);
      } catch (const std::invalid_argument& err) {
        throw ConfigError(fmt::format("{}: key 'arch.{}': {}", source, e.name, err.what()));
      }
    } catch (const std::invalid_argument& e) {
      throw ConfigError(fmt::format("{}: key 'architectures[{}]': {}", source, i, e.what()));
    }
  }
  for (size_t i = 0; i < modalities.size(); ++i) {
    try {
      const auto& m = find_modality(modalities[i]);
      check(data.dims != 3 || m.phantom3d || data.source_for(m.spec.name).format != "phantom", c,
            fmt::format("modalities[{}]", i),
            fmt::format("'{}' has no 3-D phantom; data.dims: 3 needs one (ganbench list modalities)", m.spec.name));
    } catch (const std::invalid_argument& e) {
      throw ConfigError(fmt::format("{}: key 'modalities[{}]': {}", source, i, e.what()));
    }
  }
  // Volumes and images need different networks: a capability, never a name.
  for (size_t i = 0; i < architectures.size(); ++i) {
    const bool vol = find_architecture(architectures[i]).capabilities.volumetric;
    check(vol == (data.dims == 3), c, fmt::format("architectures[{}]", i),
          fmt::format("'{}' generates {}, but data.dims is {}; {}", architectures[i], vol ? "volumes" : "images",
                      data.dims,
                      vol ? "set data.dims: 3" : "volume sweeps take volumetric architectures (dcgan3d, multiscale3d)"));
  }
  check(data.dims == 3 || data.spacing_mm == 0, c, "data.spacing_mm",
        "the voxel spacing applies to volumes (data.dims: 3)");
  if (data.dims == 3) {
    check(image_size <= 256, c, "image_size", fmt::format("volumes are at most 256^3 voxels, got {}", image_size));
    check(train.augment.policy.empty(), c, "train.augment.policy",
          "DiffAugment's ops are 2-D; volume sweeps take instance noise only ([] here)");
    for (const auto& [mod, src] : data.sources)
      check(src.format != "folder", c, "data.sources." + mod + ".format",
            "a folder of 2-D images holds no volumes; data.dims: 3 reads NIfTI (acdc, lits, msd) or the phantom");
  }
  std::set<std::string> uniq_a(architectures.begin(), architectures.end()),
      uniq_m(modalities.begin(), modalities.end());
  std::set<uint64_t> uniq_s(seeds.begin(), seeds.end());
  check(uniq_a.size() == architectures.size(), c, "architectures", "lists a name twice");
  check(uniq_m.size() == modalities.size(), c, "modalities", "lists a name twice");
  check(uniq_s.size() == seeds.size(), c, "seeds", "lists a seed twice");
  try {
    parse_threads(threads);
  } catch (const std::invalid_argument& e) {
    check(false, c, "threads", e.what());
  }
  const auto& ag = train.augment;
  for (size_t i = 0; i < ag.policy.size(); ++i)
    check(std::find(augment_ops().begin(), augment_ops().end(), ag.policy[i]) != augment_ops().end(), c,
          fmt::format("train.augment.policy[{}]", i),
          fmt::format("unknown augmentation '{}'; valid: {}", ag.policy[i], fmt::join(augment_ops(), ", ")));
  check(ag.instance_noise == -1 || ag.instance_noise >= 0, c, "train.instance_noise",
        fmt::format("must be -1 (the architecture's default) or in [0, 2], got {}", ag.instance_noise));
  check(train.divergence_threshold == TrainConfig::kArchDefault || train.divergence_threshold >= 0, c,
        "train.divergence_threshold",
        fmt::format("must be -1 (the architecture's default), 0 (off) or > 0, got {}", train.divergence_threshold));
  check(!ag.adaptive || !ag.policy.empty(), c, "train.augment.adaptive",
        "needs a policy (e.g. [translation, cutout, brightness, contrast])");
  check(ag.ada_target > -1 && ag.ada_target < 1, c, "train.augment.ada_target", "must be in (-1, 1)");
  check(ag.ada_kimg > 0, c, "train.augment.ada_kimg", "must be > 0");
  for (const auto& [mod, src] : data.sources) {
    check(uniq_m.count(mod) > 0, c, "data.sources." + mod,
          fmt::format("source given for a modality not in 'modalities' ({})", fmt::join(modalities, ", ")));
    const auto& ok = find_modality(mod).sources;
    check(std::find(ok.begin(), ok.end(), src.format) != ok.end(), c, "data.sources." + mod + ".format",
          fmt::format("'{}' cannot hold {} data; valid: {}", src.format, mod, fmt::join(ok, ", ")));
    check(src.format == "phantom" || !src.path.empty(), c, "data.sources." + mod + ".path",
          "a real-data source needs a path");
    check(src.max_subjects >= 0, c, "data.sources." + mod + ".max_subjects", "must be >= 0 (0 = all)");
    check(src.subject.empty() || src.format == "folder", c, "data.sources." + mod + ".subject",
          "a subject pattern applies to folder sources (NIfTI sources are split by volume)");
    try {
      folder_subject_regex(src.subject);
    } catch (const std::invalid_argument& e) {
      check(false, c, "data.sources." + mod + ".subject", e.what());
    }
  }
  const auto& cl = cluster;
  // Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
  static const std::regex slurm_time(R"(\d+(:\d+){0,2}|\d+-\d+(:\d+){0,2})");
  check(cl.time.empty() || std::regex_match(cl.time, slurm_time), c, "cluster.time",
        fmt::format("must be a Slurm time (MM, HH:MM:SS or D-HH:MM:SS), got '{}'", cl.time));
  static const std::regex slurm_mem(R"(\d+[KMGT]?)");
  check(cl.mem.empty() || std::regex_match(cl.mem, slurm_mem), c, "cluster.mem",
        fmt::format("must be a size such as 16G (units K, M, G, T), got '{}'", cl.mem));
  for (size_t i = 0; i < cl.sbatch.size(); ++i)
    check(cl.sbatch[i].rfind("-", 0) == 0, c, fmt::format("cluster.sbatch[{}]", i),
          fmt::format("must be an sbatch option such as --constraint=a100, got '{}'", cl.sbatch[i]));
  // Every cluster string lands on one line of a job script.
  for (const auto& [key, v] : std::vector<std::pair<std::string, std::string>>{
           {"partition", cl.partition}, {"account", cl.account}, {"qos", cl.qos}, {"gres", cl.gres},
           {"ganbench", cl.ganbench}})
    check(v.find_first_of("\n\r") == std::string::npos && (key == "ganbench" || v.find(' ') == std::string::npos),
          c, "cluster." + key, "must be one word on one line");
  for (const auto* list : {&cl.sbatch, &cl.setup})
    for (size_t i = 0; i < list->size(); ++i)
      check((*list)[i].find_first_of("\n\r") == std::string::npos, c,
            fmt::format("cluster.{}[{}]", list == &cl.sbatch ? "sbatch" : "setup", i), "must be one line");
  const auto& in = data.intensity;
  check(in.ct_window_width > 0, c, "data.ct_window_width", "must be > 0 HU");
  check(in.mri_percentile_lo < in.mri_percentile_hi, c, "data.mri_percentile_lo",
        "need 0 <= mri_percentile_lo < mri_percentile_hi <= 100");
  check(data.test_fraction > 0 && data.val_fraction + data.test_fraction < 1, c, "data",
        "need test_fraction > 0, val_fraction >= 0 and val_fraction + test_fraction < 1");
  const auto n_train = static_cast<int64_t>(data.count * (1.0 - data.val_fraction - data.test_fraction));
  check(n_train >= 2, c, "data.count", "leaves fewer than 2 training subjects after the split");
  check(eval.grid <= eval.samples, c, "eval.grid", "must be in [1, eval.samples]");
  check(!eval.extractors.empty(), c, "eval.extractors", "list at least one feature extractor");
  for (size_t i = 0; i < eval.extractors.size(); ++i) {
    const auto names = feature_extractor_names();
    check(
        std::find(names.begin(), names.end(), eval.extractors[i]) != names.end(), c,
        fmt::format("eval.extractors[{}]", i),
        fmt::format("unknown feature extractor '{}'; valid: {}", eval.extractors[i], fmt::join(names, ", ")));
  }
  check(eval.inception_dims == 64 || eval.inception_dims == 192 || eval.inception_dims == 768 ||
            eval.inception_dims == 2048,
        c, "eval.inception_dims", fmt::format("must be 64, 192, 768 or 2048, got {}", eval.inception_dims));
  const auto& sg = segmentation;
  for (double r : sg.ratios)
    check(r > 0, c, "segmentation.ratios", fmt::format("must be in (0, 100], got {}", r));
  check(sg.lr > 0, c, "segmentation.lr", "must be > 0");
  check(image_size % (int64_t{1} << sg.depth) == 0, c, "segmentation.depth",
        fmt::format("must be in [1, 6] with image_size divisible by 2^depth, got {}", sg.depth));
  for (const auto& [arch_name, opts] : arch) {
    check(uniq_a.count(arch_name) > 0, c, "arch." + arch_name,
          fmt::format("options given for an architecture not in 'architectures' ({})",
                      fmt::join(architectures, ", ")));
    try {
      resolve_options(find_architecture(arch_name), opts);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(fmt::format("{}: key 'arch.{}': {}", source, arch_name, e.what()));
    }
  }
}

SweepConfig parse_sweep_config(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", source, e.mark.line + 1, e.msg));
  }
  SweepConfig c;
  c.source = source;
  if (!root.IsDefined() || root.IsNull()) throw ConfigError(fmt::format("{}: the file is empty", source));
  std::set<std::string> present;
  parse_section(root, "", c, source, present);
  // Defaults that depend on other keys. FID needs at least kFidMinSamples generated images.
  const auto& ex = c.eval.extractors;
  if (!present.count("eval.samples") && std::find(ex.begin(), ex.end(), "inception") != ex.end())
    c.eval.samples = std::max<int64_t>(c.eval.samples, kFidMinSamples);
  c.validate();
  return c;
}

SweepConfig load_sweep_config(const std::filesystem::path& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::exception& e) {
    throw ConfigError(e.what());
  }
  return parse_sweep_config(text, path.string());
}

std::string to_yaml(const SweepConfig& c) {
  YAML::Emitter out;
  emit_section(out, "", c);
  return std::string(out.c_str()) + "\n";
}

}  // namespace ganbench
