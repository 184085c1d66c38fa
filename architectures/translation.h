// Image-to-image translation GANs, as junyanz/pytorch-CycleGAN-and-pix2pix builds them (models/networks.py,
// pix2pix_model.py, cycle_gan_model.py):
//   pix2pix: Isola, Zhu, Zhou & Efros 2017, "Image-to-Image Translation with Conditional Adversarial Networks"
//            (CVPR): U-Net generator with skips, 70x70 PatchGAN on (source, image), GAN + 100 x L1.
//   cyclegan: Zhu, Park, Isola & Efros 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent
//            Adversarial Networks" (ICCV): two ResNet generators, two PatchGANs, LSGAN, cycle and identity
//            losses, a 50-image history of fakes per discriminator.
// Images enter and leave in [0, 1]; the networks work in [-1, 1] (tanh), as the reference's normalisation.
#pragma once

#include <torch/torch.h>

#include "architectures/registry.h"

namespace ganbench {

enum class NormKind { batch, instance };  // BatchNorm2d (affine, running stats) | InstanceNorm2d (neither)

// U-Net with num_downs = log2(size) stride-2 levels down to 1 x 1 (unet_256 at 256 px, unet_128 at 128 px),
// skip connections by concatenation, dropout 0.5 in the up path of the 8 x ngf blocks next to the innermost.
struct UNetTranslatorImpl : torch::nn::Module {
  UNetTranslatorImpl(int in_channels, int out_channels, int size, int ngf, NormKind norm, bool dropout);
  torch::Tensor forward(const torch::Tensor& x);  // [B, in, S, S] in [-1, 1] -> [B, out, S, S] in [-1, 1]
  torch::nn::ModuleList down{nullptr}, up{nullptr};  // down[l]: level l's encoder, up[l]: its decoder
};
TORCH_MODULE(UNetTranslator);

// ResNet generator: 7x7 conv, two stride-2 convs, `blocks` residual blocks (reflection padding), two
// transposed convs, 7x7 conv, tanh.
struct ResNetTranslatorImpl : torch::nn::Module {
  ResNetTranslatorImpl(int in_channels, int out_channels, int ngf, int blocks, NormKind norm, bool dropout);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Sequential head{nullptr}, tail{nullptr};
  torch::nn::ModuleList blocks{nullptr};
};
TORCH_MODULE(ResNetTranslator);

// PatchGAN (NLayerDiscriminator, n_layers 3): 4x4 convs, stride 2 three times then 1, a 70x70 receptive field,
// one logit per patch.
struct PatchGAN70Impl : torch::nn::Module {
  PatchGAN70Impl(int in_channels, int ndf, int layers, NormKind norm);
  torch::Tensor forward(const torch::Tensor& x);  // [B, in, S, S] -> [B, 1, P, P]
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(PatchGAN70);

ArchEntry pix2pix_entry();
ArchEntry cyclegan_entry();
ArchEntry identity_entry();  // the baseline row: output = source

}  // namespace ganbench
