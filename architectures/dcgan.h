// DCGAN: Radford, Metz & Chintala 2016, "Unsupervised Representation Learning with Deep Convolutional
// Generative Adversarial Networks" (ICLR). Joint synthesis: G emits image channels plus label channels.
#pragma once

#include <string>

#include <torch/types.h>

#include "architectures/registry.h"

namespace ganbench {

ArchEntry dcgan_entry();
// The DCGAN body with other losses, one entry each (the roster of Skandarani et al. 2023): the loss family and
// the regulariser are the entry's capabilities, the networks are DCGAN's.
// LSGAN: Mao et al. 2017, "Least Squares Generative Adversarial Networks" (ICCV).
ArchEntry lsgan_entry();
// HingeGAN: Lim & Ye 2017, "Geometric GAN" (arXiv:1705.02894), the hinge loss of Miyato et al. 2018 (ICLR).
ArchEntry hinge_gan_entry();
// WGAN: Arjovsky, Chintala & Bottou 2017, "Wasserstein Generative Adversarial Networks" (ICML): weight clipping.
ArchEntry wgan_entry();

// The families' losses on D's raw scores ([B] each), as the DCGAN body's entries train with them: D's loss on
// its scores of real and fake inputs, and G's on its fakes. non_saturating: softplus(-r) + softplus(f), G
// softplus(-f) (Goodfellow et al. 2014); least_squares: (r - 1)^2 / 2 + f^2 / 2, G (f - 1)^2 / 2; hinge:
// relu(1 - r) + relu(1 + f), G -f; wasserstein: f - r, G -f; each a batch mean. Throws std::invalid_argument
// for another family.
torch::Tensor adversarial_loss_d(const std::string& family, const torch::Tensor& real, const torch::Tensor& fake);
torch::Tensor adversarial_loss_g(const std::string& family, const torch::Tensor& fake);
// dcgan in 3-D (transposed 3-D convolutions): the memory baseline of volume sweeps, whose activations grow with
// the cube of the side.
ArchEntry dcgan3d_entry();

}  // namespace ganbench
