#include "architectures/dcgan.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "architectures/dcgan_model.h"
#include "architectures/joint.h"
#include "common/device_copy.h"

namespace ganbench {

static void check_family(const std::string& family) {
  for (const char* f : {"non_saturating", "least_squares", "hinge", "wasserstein"})
    if (family == f) return;
  throw std::invalid_argument(fmt::format("the DCGAN body has no loss family '{}'", family));
}

torch::Tensor adversarial_loss_d(const std::string& family, const torch::Tensor& real, const torch::Tensor& fake) {
  check_family(family);
  if (family == "non_saturating") return torch::softplus(-real).mean() + torch::softplus(fake).mean();
  if (family == "least_squares") return 0.5 * (real - 1).pow(2).mean() + 0.5 * fake.pow(2).mean();  // a = 0, b = 1
  if (family == "hinge") return torch::relu(1 - real).mean() + torch::relu(1 + fake).mean();
  return fake.mean() - real.mean();  // wasserstein
}

torch::Tensor adversarial_loss_g(const std::string& family, const torch::Tensor& fake) {
  check_family(family);
  if (family == "non_saturating") return torch::softplus(-fake).mean();  // the non-saturating G loss
  if (family == "least_squares") return 0.5 * (fake - 1).pow(2).mean();   // c = 1
  return -fake.mean();                                                    // hinge, wasserstein
}

namespace {

// The DCGAN body (G and D of Radford et al.) trained with its entry's loss family; with weight_clip, D's
// weights are clipped to [-clip, clip] after each of its n_critic updates and both nets use RMSprop (WGAN).
class DCGANModel : public DCGANShapedModel<DCGANDiscriminator> {
 public:
  explicit DCGANModel(const ArchContext& ctx)
      : DCGANShapedModel(ctx, ctx.capabilities, "discriminator", ctx.capabilities.regulariser == "weight_clip"),
        loss_((check_family(ctx.capabilities.loss), ctx.capabilities.loss)),
        clip_(ctx.capabilities.regulariser == "weight_clip" ? ctx.options.at("clip") : 0.0) {
    if (auto it = ctx.options.find("n_critic"); it != ctx.options.end()) caps_.critic_steps = static_cast<int>(it->second);
  }

  StepStats train_step(const Batch& real) override {
    const int n = caps_.critic_steps;
    const int64_t b = std::max<int64_t>(1, real.images.size(0) / n);
    const auto x_all = joint_input(real, shape_.num_labels).to(device_);
    torch::Tensor fake, logit_real, logit_fake, loss_d;
    for (int k = 0; k < n; ++k) {  // one slice of the real batch per D update
      const int64_t start = std::min(k * b, x_all.size(0) - b);
      const auto x_real = n == 1 ? x_all : x_all.slice(0, start, start + b);
      auto z = to_device_async(torch::randn({b, shape_.z_dim}, noise_), device_);
      if (n == 1) {
        fake = G_->forward(z);  // reused, with its graph, by G's update below
      } else {
        torch::NoGradGuard no_grad;
        fake = G_->forward(z);
      }
      opt_d_->zero_grad();
      logit_real = D_->forward(d_input(x_real));
      logit_fake = D_->forward(d_input(fake.detach()));
      loss_d = adversarial_loss_d(loss_, logit_real, logit_fake);
      loss_d.backward();
      opt_d_->step();
      if (clip_ > 0) {
        torch::NoGradGuard no_grad;
        for (auto& p : D_->parameters()) p.clamp_(-clip_, clip_);
      }
    }
    if (n > 1) fake = G_->forward(to_device_async(torch::randn({b, shape_.z_dim}, noise_), device_));
    opt_g_->zero_grad();
    auto loss_g = adversarial_loss_g(loss_, D_->forward(d_input(fake)));
    loss_g.backward();
    opt_g_->step();

    StepStats stats;
    stats.add("loss_d", loss_d);
    stats.add("loss_g", loss_g);
    if (loss_ == "non_saturating") {  // D's probabilities
      stats.add("d_real", torch::sigmoid(logit_real).mean());
      stats.add("d_fake", torch::sigmoid(logit_fake).mean());
    } else {  // its raw scores
      stats.add("score_real", logit_real.mean());
      stats.add("score_fake", logit_fake.mean());
    }
    // ADA's overfitting signal E[sign D(x)] (Karras et al. 2020) assumes D's zero means undecided, true of the
    // logistic, least-squares and hinge losses. A clipped Wasserstein critic's scores carry an arbitrary offset,
    // so for it the sign is taken against the fakes' mean score: the share of real scores above it, rescaled.
    stats.add("d_real_sign", clip_ > 0 ? (logit_real - logit_fake.mean()).sign().mean() : logit_real.sign().mean());
    return stats;
  }

  double discriminator_loss(const Batch& real, uint64_t seed) override {
    return frozen([&] {
      const auto [real_logits, fake_logits] = probe_scores(real, seed);
      return adversarial_loss_d(loss_, real_logits, fake_logits).item<double>();
    });
  }

 private:
  std::string loss_;  // the entry's loss family
  double clip_;
};

ArchFactory dcgan_factory() {
  return [](const ArchContext& ctx) -> std::unique_ptr<GanModel> { return std::make_unique<DCGANModel>(ctx); };
}

}  // namespace

ArchEntry dcgan_entry() {
  ArchEntry e;
  e.name = "dcgan";
  e.description = "DCGAN: transposed-conv G, strided-conv D, batch norm, non-saturating loss";
  e.citation = "Radford et al. 2016, ICLR";
  e.capabilities.loss = "non_saturating";
  e.capabilities.freeze_d = true;
  e.capabilities.instance_noise = 0.2;  // measured: without it joint samples collapse to one mode
  e.options = dcgan_shape_options(100);
  add_options(e.options, adam_options(2e-4, 0.5, 0.999));
  e.create = dcgan_factory();
  return e;
}

// An entry on the DCGAN body that differs from dcgan by its name, words and loss family.
static ArchEntry dcgan_variant(std::string name, std::string description, std::string citation, std::string loss) {
  ArchEntry e = dcgan_entry();
  e.name = std::move(name);
  e.description = std::move(description);
  e.citation = std::move(citation);
  e.capabilities.loss = std::move(loss);
  return e;
}

ArchEntry lsgan_entry() {  // the paper's Adam (lr 2e-4, beta1 0.5) is DCGAN's
  return dcgan_variant("lsgan", "LSGAN: the DCGAN body with least-squares losses (targets a = 0, b = c = 1)",
                       "Mao et al. 2017, ICCV (\"Least Squares Generative Adversarial Networks\")", "least_squares");
}

ArchEntry hinge_gan_entry() {
  return dcgan_variant("hinge_gan",
                       "HingeGAN: the DCGAN body with the hinge loss (D: relu(1 - D(x)) + relu(1 + D(G(z))); G: -D(G(z)))",
                       "Lim & Ye 2017, arXiv:1705.02894 (Geometric GAN); the loss as Miyato et al. 2018, ICLR, train with it",
                       "hinge");
}

ArchEntry wgan_entry() {
  ArchEntry e = dcgan_variant("wgan", "WGAN: the DCGAN body as a critic, Wasserstein loss, weight clipping, RMSprop",
                              "Arjovsky, Chintala & Bottou 2017, ICML (\"Wasserstein Generative Adversarial Networks\")",
                              "wasserstein");
  e.capabilities.regulariser = "weight_clip";
  e.capabilities.critic_steps = 5;
  e.capabilities.instance_noise = 0.0;  // the clipped critic is the regulariser
  e.capabilities.divergence_threshold = 1e3;  // a score gap, not a logistic loss (as wgan_gp)
  e.options = dcgan_shape_options(100);
  // Algorithm 1's defaults: alpha = 5e-5, c = 0.01, n_critic = 5.
  e.options.insert(e.options.end(), {{"n_critic", 5, 1, 20, true, "critic updates per generator update"},
                                     {"clip", 0.01, 1e-5, 1.0, false, "critic weights are clipped to [-clip, clip]"},
                                     {"lr", 5e-5, 1e-7, 1.0, false, "RMSprop learning rate of both networks"}});
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
