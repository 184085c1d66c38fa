// The model scaffolding shared by GANs with a DCGAN-shaped generator (dcgan and its loss variants, wgan_gp):
// networks, optimisers (Adam, or RMSprop for WGAN), checkpoint parts, sampling. Subclasses write train_step and
// discriminator_loss.
#pragma once

#include <string>
#include <utility>

#include <torch/torch.h>

#include "architectures/dcgan_nets.h"
#include "architectures/gan_base.h"
#include "architectures/joint.h"

namespace ganbench {

// `Critic` is a TORCH_MODULE holder built from a DCGANShape; `critic_name` is its checkpoint key.
template <typename Critic>
class DCGANShapedModel : public GanModelBase {
 public:
  Sample sample(int64_t n, uint64_t seed) override {
    return sample_latent_generator(
        *G_, [&](const torch::Tensor& z) { return G_->forward(z); }, shape_.z_dim, shape_.image_channels, n,
        seed, device_);
  }

 protected:
  DCGANShapedModel(const ArchContext& ctx, Capabilities caps, const std::string& critic_name, bool rmsprop = false)
      : GanModelBase(ctx, std::move(caps)), shape_(dcgan_shape(ctx)), G_(nullptr), D_(nullptr) {
    torch::manual_seed(ctx.seed);  // initial weights
    G_ = DCGANGenerator(shape_);
    D_ = Critic(shape_);
    G_->to(device_);
    D_->to(device_);
    if (rmsprop) {
      opt_g_ = make_rmsprop(G_->parameters(), ctx.options);
      opt_d_ = make_rmsprop(D_->parameters(), ctx.options);
    } else {
      opt_g_ = make_adam(G_->parameters(), ctx.options);
      opt_d_ = make_adam(D_->parameters(), ctx.options);
    }
    track("generator", *G_);
    track(critic_name, *D_);
    track("generator", *opt_g_);
    track(critic_name, *opt_d_);
    set_discriminator(*D_);
  }

  // For discriminator_loss: D's scores on `real` and on fakes from latents seeded by `seed` (call inside
  // frozen()).
  std::pair<torch::Tensor, torch::Tensor> probe_scores(const Batch& real, uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto x_real = joint_input(real, shape_.num_labels).to(device_);
    const auto fake = G_->forward(torch::randn({x_real.size(0), shape_.z_dim}, gen).to(device_));
    return {D_->forward(x_real), D_->forward(fake)};
  }

  DCGANShape shape_;
  DCGANGenerator G_;
  Critic D_;
  std::unique_ptr<torch::optim::Optimizer> opt_g_, opt_d_;
};

}  // namespace ganbench
