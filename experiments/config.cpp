#include "experiments/config.h"

#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "common/atomic_file.h"
#include "common/runtime.h"
#include "datasets/modality.h"

namespace ganbench {
namespace {

std::string where(const std::string& source, const YAML::Node& node) {
  const auto m = node.Mark();
  return m.is_null() ? source : fmt::format("{}:{}", source, m.line + 1);
}

[[noreturn]] void fail(const std::string& at, const std::string& key, const std::string& why) {
  throw ConfigError(fmt::format("{}: key '{}': {}", at, key, why));
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
      const auto k = kv.first.as<std::string>();
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

}  // namespace

void SweepConfig::validate() const {
  register_builtin_architectures();
  register_builtin_modalities();
  const auto& c = *this;
  check(!name.empty() && name.find_first_of("/\\ \t") == std::string::npos && name != "." && name != "..", c,
        "name", fmt::format("must be a non-empty folder name without slashes or spaces, got '{}'", name));
  check(!architectures.empty(), c, "architectures", "list at least one architecture");
  check(!modalities.empty(), c, "modalities", "list at least one modality");
  check(!seeds.empty(), c, "seeds", "list at least one seed");
  for (size_t i = 0; i < architectures.size(); ++i) {
    try {
      const auto& e = find_architecture(architectures[i]);
      check(image_size >= e.min_size && image_size <= e.max_size, c, "image_size",
            fmt::format("architecture '{}' supports {} to {} px, got {}", e.name, e.min_size, e.max_size,
                        image_size));
      const auto it = arch.find(e.name);
      if ((image_size & (image_size - 1)) != 0) continue;  // reported below, under image_size
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
      find_modality(modalities[i]);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(fmt::format("{}: key 'modalities[{}]': {}", source, i, e.what()));
    }
  }
  std::set<std::string> uniq_a(architectures.begin(), architectures.end()),
      uniq_m(modalities.begin(), modalities.end());
  std::set<uint64_t> uniq_s(seeds.begin(), seeds.end());
  check(uniq_a.size() == architectures.size(), c, "architectures", "lists a name twice");
  check(uniq_m.size() == modalities.size(), c, "modalities", "lists a name twice");
  check(uniq_s.size() == seeds.size(), c, "seeds", "lists a seed twice");
  check(image_size >= 16 && image_size <= 1024 && (image_size & (image_size - 1)) == 0, c, "image_size",
        fmt::format("must be a power of two in [16, 1024], got {}", image_size));
  try {
    parse_threads(threads);
  } catch (const std::invalid_argument& e) {
    check(false, c, "threads", e.what());
  }
  check(device == "auto" || device == "cpu" || device == "cuda", c, "device",
        fmt::format("must be auto, cpu or cuda, got '{}'", device));
  check(train.steps >= 1 && train.steps <= 100000000, c, "train.steps",
        fmt::format("must be in [1, 1e8], got {}", train.steps));
  check(train.batch_size >= 2 && train.batch_size <= 4096, c, "train.batch_size",
        fmt::format("must be in [2, 4096], got {}", train.batch_size));
  check(train.checkpoint_every >= 0, c, "train.checkpoint_every", "must be >= 0 (0 = only at the end)");
  check(train.log_every >= 1, c, "train.log_every", "must be >= 1");
  check(train.instance_noise >= 0 && train.instance_noise <= 2, c, "train.instance_noise",
        fmt::format("must be in [0, 2], got {}", train.instance_noise));
  const auto& ag = train.augment;
  for (size_t i = 0; i < ag.policy.size(); ++i)
    check(std::find(augment_ops().begin(), augment_ops().end(), ag.policy[i]) != augment_ops().end(), c,
          fmt::format("train.augment.policy[{}]", i),
          fmt::format("unknown augmentation '{}'; valid: {}", ag.policy[i], fmt::join(augment_ops(), ", ")));
  check(ag.p >= 0 && ag.p <= 1, c, "train.augment.p", fmt::format("must be in [0, 1], got {}", ag.p));
  check(ag.translation >= 0 && ag.translation <= 0.5, c, "train.augment.translation", "must be in [0, 0.5]");
  check(ag.cutout >= 0 && ag.cutout <= 1, c, "train.augment.cutout", "must be in [0, 1]");
  check(!ag.adaptive || !ag.policy.empty(), c, "train.augment.adaptive",
        "needs a policy (e.g. [translation, cutout, brightness, contrast])");
  check(ag.ada_target > -1 && ag.ada_target < 1, c, "train.augment.ada_target", "must be in (-1, 1)");
  check(ag.ada_kimg > 0, c, "train.augment.ada_kimg", "must be > 0");
  check(ag.ada_interval >= 1, c, "train.augment.ada_interval", "must be >= 1");
  for (const auto& [mod, src] : data.sources) {
    check(uniq_m.count(mod) > 0, c, "data.sources." + mod,
          fmt::format("source given for a modality not in 'modalities' ({})", fmt::join(modalities, ", ")));
    const auto& ok = find_modality(mod).sources;
    check(std::find(ok.begin(), ok.end(), src.format) != ok.end(), c, "data.sources." + mod + ".format",
          fmt::format("'{}' cannot hold {} data; valid: {}", src.format, mod, fmt::join(ok, ", ")));
    check(src.format == "phantom" || !src.path.empty(), c, "data.sources." + mod + ".path",
          "a real-data source needs a path");
    check(src.max_subjects >= 0, c, "data.sources." + mod + ".max_subjects", "must be >= 0 (0 = all)");
  }
  const auto& in = data.intensity;
  check(in.ct_window_width > 0, c, "data.ct_window_width", "must be > 0 HU");
  check(
      in.mri_percentile_lo >= 0 && in.mri_percentile_lo < in.mri_percentile_hi && in.mri_percentile_hi <= 100,
      c, "data.mri_percentile_lo", "need 0 <= mri_percentile_lo < mri_percentile_hi <= 100");
  check(data.test_fraction > 0 && data.val_fraction >= 0 && data.val_fraction + data.test_fraction < 1, c,
        "data", "need test_fraction > 0, val_fraction >= 0 and val_fraction + test_fraction < 1");
  check(data.count >= 10 && data.count <= 1000000, c, "data.count",
        fmt::format("must be in [10, 1e6], got {}", data.count));
  const auto n_train = static_cast<int64_t>(data.count * (1.0 - data.val_fraction - data.test_fraction));
  check(n_train >= 2, c, "data.count", "leaves fewer than 2 training subjects after the split");
  check(eval.samples >= 2 && eval.samples <= 1000000, c, "eval.samples",
        fmt::format("must be in [2, 1e6], got {}", eval.samples));
  check(eval.kid_subsets >= 1, c, "eval.kid_subsets", "must be >= 1");
  check(eval.kid_subset_size >= 2, c, "eval.kid_subset_size", "must be >= 2");
  check(eval.grid >= 1 && eval.grid <= eval.samples, c, "eval.grid", "must be in [1, eval.samples]");
  check(!eval.extractors.empty(), c, "eval.extractors", "list at least one feature extractor");
  const auto& sg = segmentation;
  for (double r : sg.ratios)
    check(r > 0 && r <= 100, c, "segmentation.ratios", fmt::format("must be in (0, 100], got {}", r));
  check(sg.steps >= 1 && sg.batch_size >= 1 && sg.eval_every >= 1 && sg.patience >= 0 && sg.lr > 0, c,
        "segmentation", "steps, batch_size, eval_every >= 1, patience >= 0 and lr > 0 required");
  check(sg.depth >= 1 && sg.depth <= 6 && image_size % (int64_t{1} << sg.depth) == 0, c, "segmentation.depth",
        fmt::format("must be in [1, 6] with image_size divisible by 2^depth, got {}", sg.depth));
  check(sg.base_channels >= 1 && sg.base_channels <= 256, c, "segmentation.base_channels",
        "must be in [1, 256]");
  check(sg.norm == "batch" || sg.norm == "instance", c, "segmentation.norm", "must be batch or instance");
  check(eval.inception_dims == 64 || eval.inception_dims == 192 || eval.inception_dims == 768 ||
            eval.inception_dims == 2048,
        c, "eval.inception_dims", fmt::format("must be 64, 192, 768 or 2048, got {}", eval.inception_dims));
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
  MapReader top(root, "", source);
  top.get("name", c.name);
  std::string output = c.output.string();
  top.get("output", output);
  c.output = output;
  top.get_list("architectures", c.architectures, "a string");
  top.get_list("modalities", c.modalities, "a string");
  top.get_list("seeds", c.seeds, "a non-negative integer");
  top.get("image_size", c.image_size);
  top.get("threads", c.threads);
  top.get("device", c.device);
  if (top.has("train")) {
    MapReader r(top.node("train"), "train", source);
    r.get("steps", c.train.steps);
    r.get("batch_size", c.train.batch_size);
    r.get("checkpoint_every", c.train.checkpoint_every);
    r.get("log_every", c.train.log_every);
    r.get("instance_noise", c.train.instance_noise);
    if (r.has("augment")) {
      MapReader a(r.node("augment"), "train.augment", source);
      auto& ag = c.train.augment;
      a.get_list("policy", ag.policy, "a string");
      a.get("p", ag.p);
      a.get("translation", ag.translation);
      a.get("cutout", ag.cutout);
      a.get<bool>("adaptive", ag.adaptive, "true or false");
      a.get("ada_target", ag.ada_target);
      a.get("ada_kimg", ag.ada_kimg);
      a.get("ada_interval", ag.ada_interval);
      a.reject_unknown();
    }
    r.reject_unknown();
  }
  if (top.has("data")) {
    MapReader r(top.node("data"), "data", source);
    r.get("count", c.data.count);
    r.get("ct_window_level", c.data.intensity.ct_window_level);
    r.get("ct_window_width", c.data.intensity.ct_window_width);
    r.get("mri_percentile_lo", c.data.intensity.mri_percentile_lo);
    r.get("mri_percentile_hi", c.data.intensity.mri_percentile_hi);
    if (r.has("sources")) {
      const YAML::Node srcs = r.node("sources");
      if (!srcs.IsMap()) fail(where(source, srcs), "data.sources", "must be a mapping of modality to source");
      for (const auto& kv : srcs) {
        const auto mod = kv.first.as<std::string>();
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
          s.reject_unknown();
        }
        c.data.sources[mod] = sc;
      }
    }
    r.get("seed", c.data.seed);
    r.get("val_fraction", c.data.val_fraction);
    r.get("test_fraction", c.data.test_fraction);
    r.reject_unknown();
  }
  if (top.has("eval")) {
    MapReader r(top.node("eval"), "eval", source);
    r.get("samples", c.eval.samples);
    r.get_list("extractors", c.eval.extractors, "a string");
    r.get("kid_subsets", c.eval.kid_subsets);
    r.get("kid_subset_size", c.eval.kid_subset_size);
    r.get("grid", c.eval.grid);
    r.get("inception_weights", c.eval.inception_weights);
    r.get("inception_dims", c.eval.inception_dims);
    r.get("feature_cache", c.eval.feature_cache);
    r.reject_unknown();
  }
  if (top.has("segmentation")) {
    MapReader r(top.node("segmentation"), "segmentation", source);
    r.get<bool>("enabled", c.segmentation.enabled, "true or false");
    r.get_list("ratios", c.segmentation.ratios, "a number");
    r.get("steps", c.segmentation.steps);
    r.get("batch_size", c.segmentation.batch_size);
    r.get("lr", c.segmentation.lr);
    r.get("eval_every", c.segmentation.eval_every);
    r.get("patience", c.segmentation.patience);
    r.get("depth", c.segmentation.depth);
    r.get("base_channels", c.segmentation.base_channels);
    r.get("norm", c.segmentation.norm);
    r.reject_unknown();
  }
  if (top.has("arch")) {
    const YAML::Node arch = top.node("arch");
    if (!arch.IsMap()) fail(where(source, arch), "arch", "must be a mapping of architecture name to options");
    for (const auto& kv : arch) {
      const auto arch_name = kv.first.as<std::string>();
      if (!kv.second.IsMap() && !kv.second.IsNull())
        fail(where(source, kv.second), "arch." + arch_name, "must be a mapping of option to number");
      ArchOptions opts;
      for (const auto& ov : kv.second) {
        const auto key = ov.first.as<std::string>();
        try {
          opts[key] = ov.second.as<double>();
        } catch (const YAML::Exception&) {
          fail(where(source, ov.second), fmt::format("arch.{}.{}", arch_name, key), "must be a number");
        }
      }
      c.arch[arch_name] = opts;
    }
  }
  top.reject_unknown();
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
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << c.name;
  out << YAML::Key << "output" << YAML::Value << c.output.string();
  out << YAML::Key << "architectures" << YAML::Value << YAML::Flow << c.architectures;
  out << YAML::Key << "modalities" << YAML::Value << YAML::Flow << c.modalities;
  out << YAML::Key << "seeds" << YAML::Value << YAML::Flow << c.seeds;
  out << YAML::Key << "image_size" << YAML::Value << c.image_size;
  out << YAML::Key << "threads" << YAML::Value << c.threads;
  out << YAML::Key << "device" << YAML::Value << c.device;
  out << YAML::Key << "train" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "steps" << YAML::Value << c.train.steps;
  out << YAML::Key << "batch_size" << YAML::Value << c.train.batch_size;
  out << YAML::Key << "checkpoint_every" << YAML::Value << c.train.checkpoint_every;
  out << YAML::Key << "log_every" << YAML::Value << c.train.log_every;
  out << YAML::Key << "instance_noise" << YAML::Value << c.train.instance_noise;
  const auto& ag = c.train.augment;
  out << YAML::Key << "augment" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "policy" << YAML::Value << YAML::Flow << ag.policy;
  out << YAML::Key << "p" << YAML::Value << ag.p;
  out << YAML::Key << "translation" << YAML::Value << ag.translation;
  out << YAML::Key << "cutout" << YAML::Value << ag.cutout;
  out << YAML::Key << "adaptive" << YAML::Value << ag.adaptive;
  out << YAML::Key << "ada_target" << YAML::Value << ag.ada_target;
  out << YAML::Key << "ada_kimg" << YAML::Value << ag.ada_kimg;
  out << YAML::Key << "ada_interval" << YAML::Value << ag.ada_interval;
  out << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "count" << YAML::Value << c.data.count;
  out << YAML::Key << "ct_window_level" << YAML::Value << c.data.intensity.ct_window_level;
  out << YAML::Key << "ct_window_width" << YAML::Value << c.data.intensity.ct_window_width;
  out << YAML::Key << "mri_percentile_lo" << YAML::Value << c.data.intensity.mri_percentile_lo;
  out << YAML::Key << "mri_percentile_hi" << YAML::Value << c.data.intensity.mri_percentile_hi;
  if (!c.data.sources.empty()) {
    out << YAML::Key << "sources" << YAML::Value << YAML::BeginMap;
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
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::Key << "seed" << YAML::Value << c.data.seed;
  out << YAML::Key << "val_fraction" << YAML::Value << c.data.val_fraction;
  out << YAML::Key << "test_fraction" << YAML::Value << c.data.test_fraction;
  out << YAML::EndMap;
  out << YAML::Key << "eval" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "samples" << YAML::Value << c.eval.samples;
  out << YAML::Key << "extractors" << YAML::Value << YAML::Flow << c.eval.extractors;
  out << YAML::Key << "kid_subsets" << YAML::Value << c.eval.kid_subsets;
  out << YAML::Key << "kid_subset_size" << YAML::Value << c.eval.kid_subset_size;
  out << YAML::Key << "grid" << YAML::Value << c.eval.grid;
  out << YAML::Key << "inception_weights" << YAML::Value << c.eval.inception_weights;
  out << YAML::Key << "inception_dims" << YAML::Value << c.eval.inception_dims;
  out << YAML::Key << "feature_cache" << YAML::Value << c.eval.feature_cache;
  out << YAML::EndMap;
  const auto& sg = c.segmentation;
  out << YAML::Key << "segmentation" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << sg.enabled;
  out << YAML::Key << "ratios" << YAML::Value << YAML::Flow << sg.ratios;
  out << YAML::Key << "steps" << YAML::Value << sg.steps;
  out << YAML::Key << "batch_size" << YAML::Value << sg.batch_size;
  out << YAML::Key << "lr" << YAML::Value << sg.lr;
  out << YAML::Key << "eval_every" << YAML::Value << sg.eval_every;
  out << YAML::Key << "patience" << YAML::Value << sg.patience;
  out << YAML::Key << "depth" << YAML::Value << sg.depth;
  out << YAML::Key << "base_channels" << YAML::Value << sg.base_channels;
  out << YAML::Key << "norm" << YAML::Value << sg.norm;
  out << YAML::EndMap;
  out << YAML::Key << "arch" << YAML::Value << YAML::BeginMap;
  for (const auto& a : c.architectures) {
    out << YAML::Key << a << YAML::Value << YAML::BeginMap;
    auto it = c.arch.find(a);
    for (const auto& [k, v] :
         resolve_options(find_architecture(a), it == c.arch.end() ? ArchOptions{} : it->second))
      out << YAML::Key << k << YAML::Value << v;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace ganbench
