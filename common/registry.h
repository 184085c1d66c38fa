// Registry<Entry>: a name-keyed table of built-in and user entries (architectures, modalities, feature
// extractors, data sources). As google/benchmark and c10's Registry: each kind keeps one function-local
// static instance, built-ins are added by an explicit register_builtin_*() call (a static library drops
// objects nothing references), a duplicate name is an error, and an unknown name lists the valid ones.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ganbench {

template <typename Entry>
class Registry {
 public:
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  // Throws std::logic_error when `name` is taken or empty.
  void add(const std::string& name, Entry entry) {
    if (name.empty()) throw std::logic_error(fmt::format("a {} needs a name", kind_));
    if (!entries_.emplace(name, std::move(entry)).second)
      throw std::logic_error(fmt::format("{} '{}' is already registered", kind_, name));
  }
  // Throws std::invalid_argument listing the valid names.
  const Entry& find(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end())
      throw std::invalid_argument(
          fmt::format("unknown {} '{}'; valid: {}", kind_, name, fmt::join(names(), ", ")));
    return it->second;
  }
  bool contains(const std::string& name) const { return entries_.count(name) > 0; }
  std::vector<std::string> names() const {  // sorted
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
  }

 private:
  std::string kind_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ganbench
