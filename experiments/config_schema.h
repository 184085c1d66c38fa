// The config key table's machinery, shared by experiments/config.cpp (parsing, emission, --help-keys),
// config_keys.cpp (the table itself) and config_validate.cpp (the cross-field rules). Not a public header.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "experiments/config.h"

namespace ganbench::config_schema {
namespace fs = std::filesystem;

// "file:line" of a node, or the file alone when the node has no mark.
std::string where(const std::string& source, const YAML::Node& node);
// Throws ConfigError "AT: key 'KEY': WHY".
[[noreturn]] void fail(const std::string& at, const std::string& key, const std::string& why);
// A mapping key as text; a list or mapping used as a key (e.g. `{[1]: 2}`) is an error naming `parent`.
std::string key_name(const YAML::Node& k, const std::string& parent, const std::string& source);
// Throws ConfigError naming the config's file and `key` unless `ok`.
void check(bool ok, const SweepConfig& c, const std::string& key, const std::string& why);

// Reads one YAML mapping, remembering which keys were used, so leftovers are reported as unknown.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string prefix, const std::string& source)
      : node_(node), prefix_(std::move(prefix)), source_(source) {
    if (!node.IsMap())
      fail(where(source, node), prefix_.empty() ? "(top level)" : prefix_, "must be a mapping");
    // YAML forbids a key twice in one mapping; yaml-cpp would keep the first silently.
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const auto k = key_name(kv.first, prefix_, source);
      if (!seen.insert(k).second) fail(where(source, kv.first), key(k), "appears twice in one mapping");
    }
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

constexpr double kBig = 1e18;  // "no upper bound" for ranges

void emit_value(YAML::Emitter& out, const Ref& ref);
// `f` written out only when its value differs from the default: keys added after run folders existed, so
// those keep their resolved YAML and cell hashes.
Field only_if_set(Field f);

inline Field special(std::string path, std::string type, std::string help, decltype(Field::parse) parse,
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

// Every key, in the order the resolved config is written (that order is part of each cell's config hash);
// experiments/config_keys.cpp.
const std::vector<Field>& fields();
// The table's own rules: numeric ranges (every list item too) and string choices.
void check_field(const Field& f, const SweepConfig& c);

}  // namespace ganbench::config_schema
