// Procedural short-axis cardiac cine-MRI phantom with ACDC labels (0 background, 1 RV, 2 myocardium, 3 LV).
#pragma once

#include <cstdint>

#include "datasets/modality.h"

namespace ganbench {

enum CardiacLabel : uint8_t {
  kCardiacBackground = 0,
  kCardiacRV = 1,
  kCardiacMyocardium = 2,
  kCardiacLV = 3
};

// A heart-centred crop (as GAN studies crop ACDC): LV blood pool, myocardial ring, RV crescent,
// lungs, chest wall, liver, papillary muscles; ED or ES phase; smooth bias field and Rician noise.
PhantomSample cardiac_phantom(int size, uint64_t seed, const IntensityOptions& opts = {});

ModalityEntry cardiac_modality();

}  // namespace ganbench
