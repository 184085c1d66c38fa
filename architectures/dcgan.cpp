#include "architectures/dcgan.h"

#include <cmath>

#include <fmt/format.h>

#include "architectures/dcgan_model.h"
#include "architectures/joint.h"
#include "common/device_copy.h"

namespace ganbench {

namespace {

class DCGANModel : public DCGANShapedModel<DCGANDiscriminator> {
 public:
  explicit DCGANModel(const ArchContext& ctx) : DCGANShapedModel(ctx, ctx.capabilities, "discriminator") {}

  StepStats train_step(const Batch& real) override {
    const int64_t b = real.images.size(0);
    const auto x_real = joint_input(real, shape_.num_labels).to(device_);

    auto z = to_device_async(torch::randn({b, shape_.z_dim}, noise_), device_);
    auto fake = G_->forward(z);

    opt_d_->zero_grad();
    auto logit_real = D_->forward(d_input(x_real));
    auto logit_fake = D_->forward(d_input(fake.detach()));
    auto loss_d = torch::softplus(-logit_real).mean() + torch::softplus(logit_fake).mean();
    loss_d.backward();
    opt_d_->step();

    opt_g_->zero_grad();
    auto loss_g = torch::softplus(-D_->forward(d_input(fake))).mean();  // non-saturating G loss
    loss_g.backward();
    opt_g_->step();

    StepStats stats;
    stats.add("loss_d", loss_d);
    stats.add("loss_g", loss_g);
    stats.add("d_real", torch::sigmoid(logit_real).mean());
    stats.add("d_fake", torch::sigmoid(logit_fake).mean());
    stats.add("d_real_sign", logit_real.sign().mean());
    return stats;
  }

  double discriminator_loss(const Batch& real, uint64_t seed) override {
    return frozen([&] {
      const auto [real_logits, fake_logits] = probe_scores(real, seed);
      return (torch::softplus(-real_logits).mean() + torch::softplus(fake_logits).mean()).item<double>();
    });
  }
};

}  // namespace

ArchEntry dcgan_entry() {
  ArchEntry e;
  e.name = "dcgan";
  e.description = "DCGAN: transposed-conv G, strided-conv D, batch norm, non-saturating loss";
  e.citation = "Radford et al. 2016, ICLR";
  e.capabilities.loss = "non_saturating";
  e.capabilities.instance_noise = 0.2;  // measured: without it joint samples collapse to one mode
  e.options = dcgan_shape_options(100);
  add_options(e.options, adam_options(2e-4, 0.5, 0.999));
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> { return std::make_unique<DCGANModel>(ctx); };
  return e;
}

ArchEntry dcgan3d_entry() {
  ArchEntry e = dcgan_entry();
  e.name = "dcgan3d";
  e.description = "DCGAN in 3-D: transposed 3-D convs, whole volume at once (the memory baseline)";
  e.citation = "Radford et al. 2016, ICLR; in 3-D as Wu et al. 2016, NeurIPS (3D-GAN)";
  e.capabilities.volumetric = true;
  e.max_size = 256;
  set_option_defaults(e, {{"base_channels", 16}, {"max_channels", 128}});  // activations grow with the cube
  return e;
}

}  // namespace ganbench
