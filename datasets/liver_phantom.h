// Procedural axial abdominal CT phantom with LiTS labels (0 background, 1 liver, 2 tumour).
#pragma once

#include <cstdint>

#include "datasets/modality.h"

namespace ganbench {

enum LiverLabel : uint8_t { kLiverBackground = 0, kLiverLiver = 1, kLiverTumour = 2 };

// An axial slice at the level of the liver dome-to-hilum, drawn in Hounsfield units (air, fat,
// muscle, lobular liver with contrast-filled vessels and sometimes hypodense tumours, kidneys,
// aorta, IVC, spleen, stomach, spine, ribs), with CT noise, then shown through the CT window in `opts`.
PhantomSample liver_phantom(int size, uint64_t seed, const IntensityOptions& opts = {});
// The same slice in HU, before windowing (size*size values).
std::vector<float> liver_phantom_hu(int size, uint64_t seed, std::vector<uint8_t>* labels = nullptr);

ModalityEntry liver_modality();

}  // namespace ganbench
