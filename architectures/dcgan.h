// DCGAN: Radford, Metz & Chintala 2016, "Unsupervised Representation Learning with Deep Convolutional
// Generative Adversarial Networks" (ICLR). Joint synthesis: G emits image channels plus label channels.
#pragma once

#include "architectures/registry.h"

namespace ganbench {

ArchEntry dcgan_entry();
// dcgan in 3-D (transposed 3-D convolutions): the memory baseline of volume sweeps, whose activations grow with
// the cube of the side.
ArchEntry dcgan3d_entry();

}  // namespace ganbench
