#include "architectures/wgan_gp.h"

#include <fmt/format.h>

#include "architectures/dcgan_model.h"
#include "architectures/joint.h"
#include "common/device_copy.h"

namespace ganbench {
namespace {
constexpr double kLeakySlope = 0.2;  // critic activations

// GroupNorm that normalises in its weights' dtype under autocast (train.precision: bf16), as CUDA's autocast
// does for group_norm; LibTorch 1.13's CPU autocast passes bfloat16 through, which its kernel rejects against
// float32 weights. Without autocast the input already has that dtype and nothing changes.
class WeightDtypeGroupNormImpl : public torch::nn::GroupNormImpl {
 public:
  using torch::nn::GroupNormImpl::GroupNormImpl;
  torch::Tensor forward(const torch::Tensor& x) {
    return torch::nn::GroupNormImpl::forward(x.to(weight.scalar_type()));
  }
};
TORCH_MODULE(WeightDtypeGroupNorm);
}  // namespace

WGANCriticImpl::WGANCriticImpl(const DCGANShape& s) : shape(s) {
  namespace nn = torch::nn;
  auto ch = s.channels();
  std::reverse(ch.begin(), ch.end());
  net = nn::Sequential();
  net->push_back(
      "from_input",
      nn::Conv2d(nn::Conv2dOptions(s.image_channels + s.num_labels, ch[0], 4).stride(2).padding(1)));
  net->push_back("from_input_act", nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kLeakySlope)));
  for (size_t i = 1; i < ch.size(); ++i) {
    net->push_back(fmt::format("down{}", i),
                   nn::Conv2d(nn::Conv2dOptions(ch[i - 1], ch[i], 4).stride(2).padding(1)));
    net->push_back(fmt::format("down{}_ln", i), WeightDtypeGroupNorm(nn::GroupNormOptions(1, ch[i])));
    net->push_back(fmt::format("down{}_act", i),
                   nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kLeakySlope)));
  }
  net->push_back("to_score", nn::Conv2d(nn::Conv2dOptions(ch.back(), 1, 4)));
  register_module("net", net);
}

torch::Tensor WGANCriticImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == shape.image_channels + shape.num_labels && x.size(2) == shape.size,
              "WGAN critic: input must be [B, ", shape.image_channels + shape.num_labels, ", ", shape.size,
              ", ", shape.size, "], got ", x.sizes());
  return net->forward(x).view({x.size(0)});
}

torch::Tensor gradient_penalty(const std::function<torch::Tensor(const torch::Tensor&)>& critic,
                               const torch::Tensor& real, const torch::Tensor& fake, const torch::Tensor& eps,
                               double lambda) {
  TORCH_CHECK(real.sizes() == fake.sizes() && eps.dim() == 1 && eps.size(0) == real.size(0),
              "gradient_penalty: real and fake must match and eps must be [B]");
  std::vector<int64_t> shape(real.dim(), 1);
  shape[0] = real.size(0);
  auto e = to_device_async(eps.view(shape).to(real.scalar_type()), real.device());
  auto x = (e * real.detach() + (1 - e) * fake.detach()).requires_grad_(true);
  auto score = critic(x);
  auto grad = torch::autograd::grad({score.sum()}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
  auto norm = grad.reshape({grad.size(0), -1}).norm(2, 1);
  return lambda * (norm - 1).pow(2).mean();
}

namespace {

class WGANGPModel : public DCGANShapedModel<WGANCritic> {
 public:
  explicit WGANGPModel(const ArchContext& ctx)
      : DCGANShapedModel(ctx, wgan_gp_entry().capabilities, "critic"),
        n_critic_(static_cast<int>(ctx.options.at("n_critic"))),
        lambda_(ctx.options.at("gp_lambda")) {
    caps_.critic_steps = n_critic_;
  }

  StepStats train_step(const Batch& real) override {
    const int64_t b = std::max<int64_t>(1, real.images.size(0) / n_critic_);
    const auto x_all = joint_input(real, shape_.num_labels).to(device_);
    torch::Tensor w_dist, gp_last, loss_d_last, real_sign;  // of the last critic update
    auto critic = [&](const torch::Tensor& x) { return D_->forward(x); };
    for (int k = 0; k < n_critic_; ++k) {
      const int64_t start = std::min(k * b, x_all.size(0) - b);
      const auto x_real = x_all.slice(0, start, start + b);
      torch::Tensor fake;
      {
        torch::NoGradGuard no_grad;
        fake = G_->forward(to_device_async(torch::randn({b, shape_.z_dim}, noise_), device_));
      }
      const auto r = d_input(x_real), f = d_input(fake);
      opt_d_->zero_grad();
      const auto s_real = D_->forward(r);
      const auto d_real = s_real.mean(), d_fake = D_->forward(f).mean();
      const auto gp = gradient_penalty(critic, r, f, torch::rand({b}, noise_), lambda_);
      const auto loss_d = d_fake - d_real + gp;
      loss_d.backward();
      opt_d_->step();
      w_dist = (d_real - d_fake).detach();
      gp_last = gp.detach();
      loss_d_last = loss_d.detach();
      real_sign = s_real.sign().mean().detach();
    }
    opt_g_->zero_grad();
    const auto fake = G_->forward(to_device_async(torch::randn({b, shape_.z_dim}, noise_), device_));
    const auto loss_g = -D_->forward(d_input(fake)).mean();
    loss_g.backward();
    opt_g_->step();
    StepStats stats;
    stats.add("loss_d", loss_d_last);
    stats.add("loss_g", loss_g);
    stats.add("wasserstein", w_dist);
    stats.add("gp", gp_last);
    stats.add("d_real_sign", real_sign);
    return stats;
  }

  // The Wasserstein critic loss D(fake) - D(real), without the gradient penalty.
  double discriminator_loss(const Batch& real, uint64_t seed) override {
    return frozen([&] {
      const auto [real_scores, fake_scores] = probe_scores(real, seed);
      return (fake_scores.mean() - real_scores.mean()).item<double>();
    });
  }

 private:
  int n_critic_;
  double lambda_;
};

}  // namespace

ArchEntry wgan_gp_entry() {
  ArchEntry e;
  e.name = "wgan_gp";
  e.description = "WGAN-GP: DCGAN-shaped G, layer-norm critic, Wasserstein loss with gradient penalty";
  e.citation = "Gulrajani et al. 2017, NeurIPS";
  e.capabilities.loss = "wasserstein";
  e.capabilities.divergence_threshold = 1e3;  // a 1-Lipschitz critic's gap is under the image diameter (~887 at 256 px RGB)
  e.capabilities.freeze_d = true;
  e.capabilities.needs_gradient_penalty = true;
  e.capabilities.critic_steps = 5;
  e.options = dcgan_shape_options(128);
  e.options.insert(e.options.end(), {
                                        {"n_critic", 5, 1, 20, true, "critic updates per generator update"},
                                        {"gp_lambda", 10, 0, 1000, false, "gradient penalty weight"},
                                    });
  add_options(e.options, adam_options(1e-4, 0.0, 0.9));
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> {
    return std::make_unique<WGANGPModel>(ctx);
  };
  return e;
}

}  // namespace ganbench
