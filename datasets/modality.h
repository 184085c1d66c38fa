// Modalities: what an image of each kind holds, and how its built-in phantom is drawn. Torch-free.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ganbench {

struct ModalitySpec {
  std::string name;                 // registry key, e.g. "cardiac"
  std::string description;          // one line for `ganbench list modalities`
  int channels = 1;                 // image channels (1 MRI/CT, 3 RGB fundus)
  int size = 0;                     // square image (or cube volume) side in px; 0 until an experiment sets it
  std::vector<std::string> labels;  // label names, index = label value, [0] is background
  int dims = 2;                     // 2: images [C, S, S]; 3: volumes [C, S, S, S] (depth, height, width)
  int num_labels() const { return static_cast<int>(labels.size()); }
  // The same modality at a side of `px` pixels, as images (dims 2) or cube volumes (dims 3).
  ModalitySpec at_size(int64_t px, int64_t dimensions = 2) const {
    ModalitySpec s = *this;
    s.size = static_cast<int>(px);
    s.dims = static_cast<int>(dimensions);
    return s;
  }
  bool volumetric() const { return dims == 3; }
};

// One phantom image: `image` is channels*size*size floats in [0,1] (C, H, W order);
// `labels` is size*size label values in [0, num_labels); `fov` is the field-of-view mask
// (size*size, 1 inside) for modalities that have one, else empty. A volume phantom fills
// channels*size^3 and size^3 values (C, D, H, W order).
struct PhantomSample {
  std::vector<float> image;
  std::vector<uint8_t> labels;
  std::vector<uint8_t> fov;
};

// Intensity mapping shared by phantoms and real-data loaders.
struct IntensityOptions {
  double ct_window_level = 30.0;    // CT display window centre, HU (liver window)
  double ct_window_width = 150.0;   // CT display window width, HU
  double mri_percentile_lo = 1.0;   // MRI normalisation: this percentile maps to 0
  double mri_percentile_hi = 99.0;  // ... and this one to 1 (per volume)
};
// HU -> [0, 1] through a display window (level L, width W): L - W/2 maps to 0, L + W/2 to 1.
inline float ct_window(double hu, double level, double width) {
  const double v = (hu - (level - width / 2)) / width;
  return static_cast<float>(v < 0 ? 0 : (v > 1 ? 1 : v));
}
// The inverse inside the window: [0, 1] -> HU, 0 to L - W/2 and 1 to L + W/2 (exports and translations in HU).
inline double ct_unwindow(double v, double level, double width) { return level - width / 2 + v * width; }

using PhantomFn = std::function<PhantomSample(int size, uint64_t seed, const IntensityOptions& opts)>;

struct ModalityEntry {
  ModalitySpec spec;
  PhantomFn phantom;
  PhantomFn phantom3d;  // the same anatomy as a size^3 volume; empty when the modality has none
  double phantom_fov_mm = 0;  // side of the phantom's square (3-D: cubic) field of view, mm (pixel = this / size); 0 = none
  std::vector<std::string> sources;  // data sources this modality accepts, e.g. {"phantom", "acdc"}
  std::string phantom_description;   // what the phantom draws, for `ganbench list modalities`
  // True when the images are CT in HU shown through data.ct_window_*: paired metrics map them back to HU.
  bool ct_hu = false;
  std::string synthrad_file;  // the SynthRAD source's volume of this modality: "ct", "mr" or "cbct"; "" = none
};

// Throws on a duplicate name.
void register_modality(ModalityEntry entry);
// Throws std::invalid_argument listing the valid names when `name` is unknown.
const ModalityEntry& find_modality(const std::string& name);
std::vector<std::string> modality_names();
// Idempotent: registers cardiac, liver, liver_mr and retina once.
void register_builtin_modalities();

// Deterministic random numbers for phantoms (splitmix64 stream; same values on every platform).
class PhantomRng {
 public:
  explicit PhantomRng(uint64_t seed) : state_(seed) {}
  double uniform();                      // [0, 1)
  double uniform(double lo, double hi);  // [lo, hi)
  double normal();                       // N(0, 1), Box-Muller
  bool bernoulli(double p) { return uniform() < p; }

 private:
  uint64_t state_;
};

}  // namespace ganbench
