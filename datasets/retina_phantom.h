// Procedural colour fundus phantom with DRIVE labels (0 background, 1 vessel) and a field-of-view mask.
#pragma once

#include <cstdint>

#include "datasets/modality.h"

namespace ganbench {

enum RetinaLabel : uint8_t { kRetinaBackground = 0, kRetinaVessel = 1 };

// RGB fundus: orange-red disc on black with vignetting, bright optic disc with a cup, darker macula
// and fovea, and a branching arterial and venous tree that leaves the optic disc, arches around the
// macula and thins at each branching (Murray-like width ratios). Left or right eye at random.
PhantomSample retina_phantom(int size, uint64_t seed, const IntensityOptions& opts = {});

ModalityEntry retina_modality();

}  // namespace ganbench
