// Procedural abdominal CT volume with LiTS labels (0 background, 1 liver, 2 tumour): the 3-D counterpart of
// the axial liver phantom, for volume sweeps (data.dims: 3).
#pragma once

#include <cstdint>
#include <vector>

#include "datasets/modality.h"

namespace ganbench {

// A size^3 volume in Hounsfield units, isotropic voxels, axis order (z: cranio-caudal, y: anterior to
// posterior, x: patient right to left): body with fat and muscle walls, stacked vertebrae with discs and a
// spinal canal, aorta, IVC, kidneys, spleen, a lobular liver with contrast-filled vessel trees and sometimes
// hypodense tumours, CT noise. `labels`, when given, receives size^3 label values.
std::vector<float> liver_phantom3d_hu(int size, uint64_t seed, std::vector<uint8_t>* labels = nullptr);
// The same volume through the CT window in `opts`.
PhantomSample liver_phantom3d(int size, uint64_t seed, const IntensityOptions& opts = {});

}  // namespace ganbench
