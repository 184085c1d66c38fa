// Procedural axial abdominal CT phantom with LiTS labels (0 background, 1 liver, 2 tumour).
#pragma once

#include <cstdint>
#include <vector>

#include "datasets/modality.h"

namespace ganbench {

enum LiverLabel : uint8_t { kLiverBackground = 0, kLiverLiver = 1, kLiverTumour = 2 };

// An axial slice at the level of the liver dome-to-hilum, drawn in Hounsfield units (air, fat,
// muscle, lobular liver with contrast-filled vessels and sometimes hypodense tumours, kidneys,
// aorta, IVC, spleen, stomach, spine, ribs), with CT noise, then shown through the CT window in `opts`.
PhantomSample liver_phantom(int size, uint64_t seed, const IntensityOptions& opts = {});
// The same slice in HU, before windowing (size*size values).
std::vector<float> liver_phantom_hu(int size, uint64_t seed, std::vector<uint8_t>* labels = nullptr);

// The same anatomy as liver_phantom_hu(size, seed) (same scene and labels) drawn as an MR slice: per-tissue T1-
// or T2-weighted signal, a smooth multiplicative bias field and Rician noise (the magnitude of complex Gaussian
// noise), in signal units before normalisation. The paired phantom of image-to-image translation (CT <-> MR).
enum class MrWeighting { t1, t2 };
std::vector<float> liver_phantom_mr(int size, uint64_t seed, MrWeighting weighting,
                                    std::vector<uint8_t>* labels = nullptr);
// liver_phantom_mr normalised as real MRI is (per-image percentiles of `opts` to [0, 1]).
PhantomSample liver_phantom_mr_sample(int size, uint64_t seed, MrWeighting weighting, const IntensityOptions& opts = {});

ModalityEntry liver_modality();
// liver_mr: the same anatomy per seed as liver, drawn as T2 MR; with the same data.seed the two modalities'
// phantom sets are pairs, image by image.
ModalityEntry liver_mr_modality();

}  // namespace ganbench
