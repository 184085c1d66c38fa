#include "datasets/modality.h"

#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "datasets/cardiac_phantom.h"
#include "datasets/liver_phantom.h"
#include "datasets/retina_phantom.h"

namespace ganbench {
namespace {
std::map<std::string, ModalityEntry>& modality_registry() {
  static std::map<std::string, ModalityEntry> registry;
  return registry;
}
}  // namespace

void register_modality(ModalityEntry entry) {
  auto& reg = modality_registry();
  const std::string name = entry.spec.name;
  if (!reg.emplace(name, std::move(entry)).second)
    throw std::logic_error(fmt::format("modality '{}' is already registered", name));
}

const ModalityEntry& find_modality(const std::string& name) {
  const auto& reg = modality_registry();
  auto it = reg.find(name);
  if (it == reg.end())
    throw std::invalid_argument(
        fmt::format("unknown modality '{}'; valid: {}", name, fmt::join(modality_names(), ", ")));
  return it->second;
}

std::vector<std::string> modality_names() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : modality_registry()) names.push_back(name);
  return names;
}

void register_builtin_modalities() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_modality(cardiac_modality());
    register_modality(liver_modality());
    register_modality(retina_modality());
  });
}

double PhantomRng::uniform() {
  state_ += 0x9e3779b97f4a7c15ull;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

double PhantomRng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double PhantomRng::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace ganbench
