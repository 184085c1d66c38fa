// The worked example of docs/adding-an-architecture.md, compiled: a new GAN defined and registered in this
// file alone, then trained and scored by an ordinary sweep. No core file knows about it.
#include <doctest/doctest.h>

#include <mutex>

#include <fmt/format.h>
#include <torch/torch.h>

#include "architectures/gan_base.h"
#include "architectures/joint.h"
#include "experiments/sweep.h"
#include "reports/report.h"
#include "results/results_store.h"
#include "tests/test_util.h"

namespace example {
using namespace ganbench;

// MLP GAN: Goodfellow et al. 2014, "Generative Adversarial Nets" (NeurIPS): fully connected G and D.
struct MlpGeneratorImpl : torch::nn::Module {
  MlpGeneratorImpl(int64_t z_dim, int64_t hidden, int64_t channels, int64_t labels, int64_t size)
      : image_channels(channels), out_shape{channels + labels, size, size} {
    net = register_module(
        "net", torch::nn::Sequential(torch::nn::Linear(z_dim, hidden), torch::nn::ReLU(),
                                     torch::nn::Linear(hidden, (channels + labels) * size * size)));
  }
  // z [B, z_dim] -> joint [B, C + K, S, S]: image in [-1, 1], label probabilities.
  torch::Tensor forward(const torch::Tensor& z) {
    auto raw = net->forward(z).view({z.size(0), out_shape[0], out_shape[1], out_shape[2]});
    return joint_output(raw, image_channels, is_training());
  }
  int64_t image_channels;
  std::vector<int64_t> out_shape;
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(MlpGenerator);

struct MlpDiscriminatorImpl : torch::nn::Module {
  MlpDiscriminatorImpl(int64_t in, int64_t hidden) {
    net = register_module("net", torch::nn::Sequential(torch::nn::Flatten(), torch::nn::Linear(in, hidden),
                                                       torch::nn::LeakyReLU(), torch::nn::Linear(hidden, 1)));
  }
  torch::Tensor forward(const torch::Tensor& x) { return net->forward(x).view({x.size(0)}); }
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(MlpDiscriminator);

class MlpGan : public GanModelBase {
 public:
  explicit MlpGan(const ArchContext& ctx)
      : GanModelBase(ctx, capabilities_of_entry()),
        z_dim_(static_cast<int64_t>(ctx.options.at("z_dim"))),
        C_(ctx.modality.channels),
        K_(ctx.modality.num_labels()),
        G_(nullptr),
        D_(nullptr) {
    const int64_t hidden = static_cast<int64_t>(ctx.options.at("hidden"));
    const int64_t s = ctx.modality.size;
    torch::manual_seed(ctx.seed);
    G_ = MlpGenerator(z_dim_, hidden, C_, K_, s);
    D_ = MlpDiscriminator((C_ + K_) * s * s, hidden);
    G_->to(device_);
    D_->to(device_);
    opt_g_ = make_adam(G_->parameters(), ctx.options);
    opt_d_ = make_adam(D_->parameters(), ctx.options);
    track("generator", *G_);  // checkpoint keys
    track("discriminator", *D_);
    track("generator", *opt_g_);
    track("discriminator", *opt_d_);
  }

  StepStats train_step(const Batch& real) override {
    const auto x_real = joint_input(real, K_).to(device_);
    const auto fake = G_->forward(torch::randn({x_real.size(0), z_dim_}, noise_).to(device_));
    opt_d_->zero_grad();
    const auto logit_real = D_->forward(d_input(x_real));
    const auto loss_d =
        torch::softplus(-logit_real).mean() + torch::softplus(D_->forward(d_input(fake.detach()))).mean();
    loss_d.backward();
    opt_d_->step();
    opt_g_->zero_grad();
    const auto loss_g = torch::softplus(-D_->forward(d_input(fake))).mean();
    loss_g.backward();
    opt_g_->step();
    return {{{"loss_d", loss_d.item<double>()},
             {"loss_g", loss_g.item<double>()},
             {"d_real_sign", logit_real.sign().mean().item<double>()}}};
  }

  Sample sample(int64_t n, uint64_t seed) override {
    return sample_latent_generator(
        *G_, [&](const torch::Tensor& z) { return G_->forward(z); }, z_dim_, C_, n, seed, device_);
  }

  double discriminator_loss(const Batch& real, uint64_t seed) override {  // optional: for tests, diagnostics
    return frozen([&] {
      auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
      const auto x_real = joint_input(real, K_).to(device_);
      const auto fake = G_->forward(torch::randn({x_real.size(0), z_dim_}, gen).to(device_));
      return (torch::softplus(-D_->forward(x_real)).mean() + torch::softplus(D_->forward(fake)).mean())
          .item<double>();
    });
  }

  static Capabilities capabilities_of_entry() {
    Capabilities c;
    c.loss = "non_saturating";
    return c;
  }

 private:
  int64_t z_dim_, C_, K_;
  MlpGenerator G_;
  MlpDiscriminator D_;
  std::unique_ptr<torch::optim::Adam> opt_g_, opt_d_;
};

ArchEntry mlp_gan_entry() {
  ArchEntry e;
  e.name = "mlp_gan";
  e.description = "MLP GAN: one hidden layer in G and D";
  e.citation = "Goodfellow et al. 2014, NeurIPS";
  e.capabilities = MlpGan::capabilities_of_entry();
  e.max_size = 32;  // fully connected: keep it small
  e.options = {{"z_dim", 32, 1, 1024, true, "latent size"},
               {"hidden", 128, 1, 4096, true, "hidden units in G and D"},
               {"lr", 2e-4, 1e-7, 1.0, false, "Adam learning rate"},
               {"beta1", 0.5, 0.0, 0.9999, false, "Adam beta1"},
               {"beta2", 0.999, 0.0, 0.99999, false, "Adam beta2"}};
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> {
    return std::make_unique<MlpGan>(ctx);
  };
  return e;
}
}  // namespace example

TEST_SUITE("experiments") {
  TEST_CASE("a custom architecture registered from this file runs a sweep cell and reaches the report") {
    using namespace ganbench;
    static std::once_flag once;
    std::call_once(once,
                   [] { register_architecture(example::mlp_gan_entry()); });  // the one registration line
    CHECK_THROWS_WITH_AS(register_architecture(example::mlp_gan_entry()),
                         doctest::Contains("already registered"), std::logic_error);

    test::TempDir dir;
    SweepConfig c = parse_sweep_config(R"(
name: custom
architectures: [mlp_gan]
modalities: [cardiac]
seeds: [0]
image_size: 16
threads: 2
train: {steps: 40, batch_size: 16, checkpoint_every: 20, augment: {policy: [translation, cutout], adaptive: true, ada_kimg: 1}}
data: {count: 60}
eval: {samples: 32, grid: 4, kid_subsets: 3, kid_subset_size: 16}
arch: {mlp_gan: {z_dim: 8, hidden: 32}}
)",
                                       "custom.yaml");
    c.output = dir.path();
    RunOptions o;
    o.progress = false;
    const SweepSummary s = run_sweep(c, o);
    CHECK(s.done == 1);
    CHECK(s.failed == 0);
    ResultsStore store(dir / "custom/results.db", false);
    REQUIRE(store.cells().size() == 1);
    CHECK(store.cells()[0].architecture == "mlp_gan");
    bool fd = false, ada = false;
    for (const auto& m : store.metrics("mlp_gan-cardiac-s0")) {
      if (m.name == "fd_handcrafted" && m.step == 40) fd = std::isfinite(m.value);
      if (m.name == "train/augment_p") ada = ada || m.value > 0;  // ADA raised p: D is confident on reals
    }
    CHECK(fd);
    CHECK(ada);
    const std::string md = render_markdown({load_run(dir / "custom")});
    CHECK(md.find("mlp_gan") != std::string::npos);
    // Its options are checked like a built-in's.
    CHECK_THROWS_WITH(
        parse_sweep_config("architectures: [mlp_gan]\nmodalities: [cardiac]\narch: {mlp_gan: {hiden: 3}}\n",
                           "typo.yaml"),
        doctest::Contains("unknown option 'hiden'"));
  }
}
