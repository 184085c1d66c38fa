#include "datasets/modality.h"

#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/registry.h"

#include "datasets/cardiac_phantom.h"
#include "datasets/liver_phantom.h"
#include "datasets/retina_phantom.h"

namespace ganbench {
namespace {
Registry<ModalityEntry>& modality_registry() {
  static Registry<ModalityEntry> registry("modality");
  return registry;
}
}  // namespace

void register_modality(ModalityEntry entry) {
  const std::string name = entry.spec.name;
  modality_registry().add(name, std::move(entry));
}

const ModalityEntry& find_modality(const std::string& name) { return modality_registry().find(name); }

std::vector<std::string> modality_names() { return modality_registry().names(); }

// SynthRAD2023's three images of each patient (Thummerer et al. 2023), read only from the synthrad source:
// no phantom. The label map is the body mask, so translated images are scored and segmented inside it.
ModalityEntry synthrad_modality(const std::string& file, const std::string& what, bool ct) {
  ModalityEntry e;
  e.spec.name = "synthrad_" + file;
  e.spec.description = fmt::format("SynthRAD2023 {} ({}); label 1 = the body mask", what, ct ? "HU through data.ct_window_*" : "percentiles to [0, 1]");
  e.spec.channels = 1;
  e.spec.labels = {"background", "body"};
  e.sources = {"synthrad"};
  e.ct_hu = ct;
  e.synthrad_file = file;
  return e;
}

void register_builtin_modalities() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_modality(cardiac_modality());
    register_modality(liver_modality());
    register_modality(liver_mr_modality());
    register_modality(retina_modality());
    register_modality(synthrad_modality("ct", "planning CT", true));
    register_modality(synthrad_modality("mr", "MR (Task 1)", false));
    register_modality(synthrad_modality("cbct", "cone-beam CT (Task 2)", true));
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
