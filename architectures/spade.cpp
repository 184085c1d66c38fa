#include "architectures/spade.h"

#include <cmath>

#include <fmt/format.h>

#include "architectures/dcgan_nets.h"
#include "architectures/gan_base.h"
#include "architectures/joint.h"
#include "common/device_copy.h"

namespace ganbench {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {
constexpr double kLeakySlope = 0.2;    // SPADE's LeakyReLU
constexpr int64_t kSampleChunk = 256;  // images per generator pass at sampling
}  // namespace

SpadeNormImpl::SpadeNormImpl(int64_t channels, int64_t labels, int64_t hidden) {
  norm = register_module("norm", nn::BatchNorm2d(nn::BatchNorm2dOptions(channels).affine(false)));
  shared = register_module("shared", nn::Conv2d(nn::Conv2dOptions(labels, hidden, 3).padding(1)));
  gamma = register_module("gamma", nn::Conv2d(nn::Conv2dOptions(hidden, channels, 3).padding(1)));
  beta = register_module("beta", nn::Conv2d(nn::Conv2dOptions(hidden, channels, 3).padding(1)));
}

torch::Tensor SpadeNormImpl::forward(const torch::Tensor& x, const torch::Tensor& seg) {
  const auto s = F::interpolate(
      seg, F::InterpolateFuncOptions().size(std::vector<int64_t>{x.size(2), x.size(3)}).mode(torch::kNearest));
  const auto a = torch::relu(shared->forward(s));
  return norm->forward(x) * (1 + gamma->forward(a)) + beta->forward(a);
}

SpadeResBlockImpl::SpadeResBlockImpl(int64_t in, int64_t out, int64_t labels, int64_t hidden) {
  const int64_t mid = std::min(in, out);
  norm_0 = register_module("norm_0", SpadeNorm(in, labels, hidden));
  conv_0 = register_module("conv_0", nn::Conv2d(nn::Conv2dOptions(in, mid, 3).padding(1)));
  norm_1 = register_module("norm_1", SpadeNorm(mid, labels, hidden));
  conv_1 = register_module("conv_1", nn::Conv2d(nn::Conv2dOptions(mid, out, 3).padding(1)));
  if (in != out) {
    norm_s = register_module("norm_s", SpadeNorm(in, labels, hidden));
    conv_s = register_module("conv_s", nn::Conv2d(nn::Conv2dOptions(in, out, 1).bias(false)));
  }
}

torch::Tensor SpadeResBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& seg) {
  auto act = [](const torch::Tensor& t) { return F::leaky_relu(t, F::LeakyReLUFuncOptions().negative_slope(kLeakySlope)); };
  auto dx = conv_0->forward(act(norm_0->forward(x, seg)));
  dx = conv_1->forward(act(norm_1->forward(dx, seg)));
  const auto xs = conv_s ? conv_s->forward(norm_s->forward(x, seg)) : x;
  return xs + dx;
}

SpadeGeneratorImpl::SpadeGeneratorImpl(int64_t image_channels, int64_t labels, int64_t size, int64_t z_dim,
                                       int64_t base_channels, int64_t max_channels, int64_t hidden) {
  // Resolutions 4, 8, ..., size; channels halve as the side doubles, from max_channels down to base_channels.
  const int64_t n = static_cast<int64_t>(std::log2(static_cast<double>(size) / 4)) + 1;
  std::vector<int64_t> ch;
  for (int64_t i = 0; i < n; ++i) ch.push_back(std::min(max_channels, base_channels << (n - 1 - i)));
  first_channels = ch[0];
  fc = register_module("fc", nn::Linear(z_dim, 16 * ch[0]));
  blocks = register_module("blocks", nn::ModuleList());
  for (int64_t i = 0; i < n; ++i) blocks->push_back(SpadeResBlock(ch[i], ch[std::min(i + 1, n - 1)], labels, hidden));
  conv_img = register_module("conv_img", nn::Conv2d(nn::Conv2dOptions(ch.back(), image_channels, 3).padding(1)));
}

torch::Tensor SpadeGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& seg) {
  auto x = fc->forward(z).view({z.size(0), first_channels, 4, 4});
  for (size_t i = 0; i < blocks->size(); ++i) {
    x = blocks[i]->as<SpadeResBlockImpl>()->forward(x, seg);
    if (i + 1 < blocks->size())
      x = F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kNearest));
  }
  return torch::tanh(conv_img->forward(F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(kLeakySlope))));
}

namespace {

// The real label maps the model was trained on, reservoir-sampled (Vitter's algorithm R) up to `capacity`:
// what sampling conditions on. Buffers, so a checkpoint carries them.
struct LabelBankImpl : torch::nn::Module {
  LabelBankImpl(int64_t capacity, int64_t size) {
    maps = register_buffer("maps", torch::zeros({capacity, size, size}, torch::kUInt8));
    count = register_buffer("count", torch::zeros({1}, torch::kInt64));  // maps held
    seen = register_buffer("seen", torch::zeros({1}, torch::kInt64));   // maps offered
  }
  torch::Tensor maps, count, seen;
};
TORCH_MODULE(LabelBank);

class SpadeModel : public GanModelBase {
 public:
  explicit SpadeModel(const ArchContext& ctx)
      : GanModelBase(ctx, ctx.capabilities),
        C_(ctx.modality.channels),
        K_(ctx.modality.num_labels()),
        z_dim_(static_cast<int64_t>(ctx.options.at("z_dim"))),
        G_(nullptr),
        D_(nullptr),
        bank_(static_cast<int64_t>(ctx.options.at("label_bank")), ctx.modality.size) {
    const auto& o = ctx.options;
    torch::manual_seed(ctx.seed);
    G_ = SpadeGenerator(C_, K_, ctx.modality.size, z_dim_, static_cast<int64_t>(o.at("base_channels")),
                        static_cast<int64_t>(o.at("max_channels")), static_cast<int64_t>(o.at("spade_hidden")));
    D_ = DCGANDiscriminator(dcgan_shape(ctx));  // on (image, one-hot label map)
    G_->to(device_);
    D_->to(device_);
    // TTUR, as SPADE trains by default (pix2pix_trainer.py): G at lr / 2, D at lr * 2, Adam (0, 0.9).
    const double lr = o.at("lr");
    opt_g_ = std::make_unique<torch::optim::Adam>(G_->parameters(), torch::optim::AdamOptions(lr / 2).betas({0.0, 0.9}));
    opt_d_ = std::make_unique<torch::optim::Adam>(D_->parameters(), torch::optim::AdamOptions(lr * 2).betas({0.0, 0.9}));
    track("generator", *G_);
    track("discriminator", *D_);
    set_discriminator(*D_);
    track("label_bank", *bank_, false);
    keep_out_of_transfer("label_bank");  // the real maps of its own training set
    track("generator", *opt_g_);
    track("discriminator", *opt_d_);
  }

  StepStats train_step(const Batch& real) override {
    remember(real.labels);
    const int64_t b = real.images.size(0);
    const auto seg = one_hot_labels(real.labels, K_).to(device_);
    const auto x_real = torch::cat({real.images.to(device_) * 2 - 1, seg}, 1);
    const auto fake_img = G_->forward(to_device_async(torch::randn({b, z_dim_}, noise_), device_), seg);
    const auto x_fake = torch::cat({fake_img, seg}, 1);
    opt_d_->zero_grad();
    const auto s_real = D_->forward(d_input(x_real));
    const auto s_fake = D_->forward(d_input(x_fake.detach()));
    const auto loss_d = torch::relu(1 - s_real).mean() + torch::relu(1 + s_fake).mean();  // hinge
    loss_d.backward();
    opt_d_->step();
    opt_g_->zero_grad();
    const auto loss_g = -D_->forward(d_input(x_fake)).mean();
    loss_g.backward();
    opt_g_->step();
    StepStats stats;
    stats.add("loss_d", loss_d);
    stats.add("loss_g", loss_g);
    stats.add("d_real_sign", s_real.sign().mean());
    return stats;
  }

  Sample sample(int64_t n, uint64_t seed) override {
    torch::NoGradGuard no_grad;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const int64_t have = bank_->count.item<int64_t>();
    // An untrained model holds no maps: it conditions on all-background maps.
    const auto idx = have > 0 ? torch::randint(have, {n}, gen, torch::kInt64) : torch::zeros({n}, torch::kInt64);
    const auto labels = have > 0 ? bank_->maps.index_select(0, idx).to(torch::kInt64)
                                 : torch::zeros({n, bank_->maps.size(1), bank_->maps.size(2)}, torch::kInt64);
    G_->eval();
    std::vector<torch::Tensor> imgs;
    for (int64_t done = 0; done < n; done += kSampleChunk) {
      const int64_t m = std::min(kSampleChunk, n - done);
      const auto z = torch::randn({m, z_dim_}, gen).to(device_);
      const auto seg = one_hot_labels(labels.narrow(0, done, m), K_).to(device_);
      imgs.push_back(G_->forward(z, seg).to(torch::kCPU, torch::kFloat32));
    }
    G_->train();
    Sample s;
    s.images = ((torch::cat(imgs) + 1) * 0.5).clamp(0, 1).contiguous();
    s.labels = labels;
    s.label_probs = one_hot_labels(labels, K_);
    return s;
  }

  double discriminator_loss(const Batch& real, uint64_t seed) override {
    return frozen([&] {
      auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
      const auto seg = one_hot_labels(real.labels, K_).to(device_);
      const auto x_real = torch::cat({real.images.to(device_) * 2 - 1, seg}, 1);
      const auto fake = G_->forward(torch::randn({x_real.size(0), z_dim_}, gen).to(device_), seg);
      return (torch::relu(1 - D_->forward(x_real)).mean() + torch::relu(1 + D_->forward(torch::cat({fake, seg}, 1))).mean())
          .item<double>();
    });
  }

 private:
  // Reservoir sampling of the batch's label maps into the bank (draws from the training RNG).
  void remember(const torch::Tensor& labels) {
    torch::NoGradGuard no_grad;
    const auto maps = labels.to(torch::kCPU, torch::kUInt8);
    const int64_t cap = bank_->maps.size(0);
    int64_t count = bank_->count.item<int64_t>(), seen = bank_->seen.item<int64_t>();
    for (int64_t i = 0; i < maps.size(0); ++i, ++seen) {
      if (count < cap) {
        bank_->maps[count++].copy_(maps[i]);
        continue;
      }
      const int64_t j = torch::randint(seen + 1, {1}, noise_, torch::kInt64).item<int64_t>();
      if (j < cap) bank_->maps[j].copy_(maps[i]);
    }
    bank_->count.fill_(count);
    bank_->seen.fill_(seen);
  }

  int64_t C_, K_, z_dim_;
  SpadeGenerator G_;
  DCGANDiscriminator D_;
  LabelBank bank_;
  std::unique_ptr<torch::optim::Adam> opt_g_, opt_d_;
};

}  // namespace

ArchEntry spade_entry() {
  ArchEntry e;
  e.name = "spade";
  e.description = "SPADE: label map -> image with spatially-adaptive normalisation; conditions on real training label maps";
  e.citation = "Park et al. 2019, CVPR";
  e.capabilities.loss = "hinge";
  e.capabilities.joint_labels = false;
  e.capabilities.freeze_d = true;
  e.capabilities.label_conditioned = true;
  e.max_size = 256;
  e.options = dcgan_shape_options(64);  // z_dim (SPADE's 256 with its VAE encoder; no encoder here), D and G widths
  e.options.insert(e.options.end(),
                   {{"spade_hidden", 128, 8, 1024, true, "channels of each SPADE layer's shared convolution (the paper's 128)"},
                    {"label_bank", 1024, 1, 1 << 20, true, "real training label maps kept for sampling (reservoir)"},
                    {"lr", 2e-4, 1e-7, 1.0, false, "Adam base rate: G at lr / 2, D at lr * 2, betas (0, 0.9) (TTUR)"}});
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> { return std::make_unique<SpadeModel>(ctx); };
  return e;
}

}  // namespace ganbench
