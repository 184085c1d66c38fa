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
#include "experiments/config_schema.h"
#include "metrics/feature_extractor.h"
#include "metrics/metric_catalogue.h"

namespace ganbench {
namespace config_schema {

std::string where(const std::string& source, const YAML::Node& node) {
  const auto m = node.Mark();
  return m.is_null() ? source : fmt::format("{}:{}", source, m.line + 1);
}

void fail(const std::string& at, const std::string& key, const std::string& why) {
  throw ConfigError(fmt::format("{}: key '{}': {}", at, key, why));
}

// A mapping key as text; a list or mapping used as a key (e.g. `{[1]: 2}`) is an error naming `parent`.
std::string key_name(const YAML::Node& k, const std::string& parent, const std::string& source) {
  if (!k.IsScalar())
    fail(where(source, k), parent.empty() ? "(top level)" : parent, "has a list or mapping as a key; keys are names");
  return k.Scalar();
}

void check(bool ok, const SweepConfig& c, const std::string& key, const std::string& why) {
  if (!ok) throw ConfigError(fmt::format("{}: key '{}': {}", c.source, key, why));
}

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

}  // namespace config_schema

using namespace config_schema;
namespace fs = std::filesystem;

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
  if (c.task == "translation" && c.modalities.empty()) c.modalities = translation_modalities(c.translation);
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

std::vector<std::string> translation_modalities(const TranslationConfig& t) {
  std::vector<std::string> out;
  auto add = [&](const std::string& m) {
    if (m != TranslationConfig::kDegraded && std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  };
  for (size_t i = 0; i < std::max(t.from.size(), t.to.size()); ++i) {
    if (i < t.from.size()) add(t.from[i]);
    if (i < t.to.size()) add(t.to[i]);
  }
  return out;
}

std::string to_yaml(const SweepConfig& c) {
  YAML::Emitter out;
  emit_section(out, "", c);
  return std::string(out.c_str()) + "\n";
}

}  // namespace ganbench
