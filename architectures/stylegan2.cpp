#include "architectures/stylegan2.h"

#include <cmath>

#include <fmt/format.h>

#include "architectures/gan_base.h"
#include "architectures/joint.h"
#include "common/device_copy.h"
#include "common/hash.h"

namespace ganbench {
namespace F = torch::nn::functional;

namespace {
constexpr double kSlope = 0.2;           // leaky ReLU slope
const double kActGain = std::sqrt(2.0);  // gain after leaky ReLU, keeps unit variance
constexpr double kDemodEps = 1e-8;       // demodulation epsilon
constexpr double kWAvgBeta = 0.995;      // w_avg tracking decay per training batch
constexpr double kPlDecay = 0.01;        // path-length mean tracking rate

torch::Tensor lrelu(const torch::Tensor& x) { return torch::leaky_relu(x, kSlope) * kActGain; }
torch::Tensor upsample2(const torch::Tensor& x) {
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .scale_factor(std::vector<double>{2.0, 2.0})
                               .mode(torch::kBilinear)
                               .align_corners(false));
}
}  // namespace

torch::Tensor modulated_conv2d(const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& styles, bool demodulate) {
  TORCH_CHECK(x.dim() == 4 && weight.dim() == 4 && styles.dim() == 2, "modulated_conv2d: bad ranks");
  const int64_t b = x.size(0), in = x.size(1), out = weight.size(0), k = weight.size(2);
  TORCH_CHECK(weight.size(1) == in && styles.size(0) == b && styles.size(1) == in, "modulated_conv2d: x ",
              x.sizes(), ", weight ", weight.sizes(), ", styles ", styles.sizes());
  // Unfused form (stylegan2-ada's fused_modconv=False): scale the input by the styles, convolve with the
  // shared weight, scale the output by the demodulation coefficients. Equal to the per-sample weights and
  // much faster on CPU than a grouped convolution.
  auto y = F::conv2d(x * styles.view({b, in, 1, 1}), weight, F::Conv2dFuncOptions().padding(k / 2));
  if (demodulate) {
    // sum_ik (w_oik s_bi)^2 = sum_i s_bi^2 sum_k w_oik^2: a [B, I] x [I, O] product. stylegan2-ada builds the
    // [B, O, I, k, k] per-sample weights for this (at 512 channels, batch 32: 75 M values per layer; forward
    // and backward 1.04 s against 13 ms, bench/train_step_vs_python.py). Equal up to float rounding.
    const auto sq = torch::matmul(styles.square(), weight.square().sum({2, 3}).t());  // [B, O]
    y = y * torch::rsqrt(sq + kDemodEps).view({b, out, 1, 1});
  }
  return y;
}

int StyleGAN2Shape::channels(int res) const {
  return std::max(1, std::min(channel_base / res, max_channels));
}
int StyleGAN2Shape::num_ws() const { return 2 * (static_cast<int>(std::log2(size)) - 1); }

EqualLinearImpl::EqualLinearImpl(int64_t in, int64_t out, double bias_init, double lr_mul_, bool activate_)
    : scale(lr_mul_ / std::sqrt(static_cast<double>(in))), lr_mul(lr_mul_), activate(activate_) {
  weight = register_parameter("weight", torch::randn({out, in}) / lr_mul);
  bias = register_parameter("bias", torch::full({out}, bias_init / lr_mul));
}

torch::Tensor EqualLinearImpl::forward(const torch::Tensor& x) {
  auto y = F::linear(x, weight * scale, bias * lr_mul);
  return activate ? lrelu(y) : y;
}

EqualConv2dImpl::EqualConv2dImpl(int64_t in, int64_t out, int64_t k, bool has_bias, bool activate_)
    : scale(1.0 / std::sqrt(static_cast<double>(in * k * k))), activate(activate_) {
  weight = register_parameter("weight", torch::randn({out, in, k, k}));
  if (has_bias) bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor EqualConv2dImpl::forward(const torch::Tensor& x) {
  auto y = F::conv2d(x, weight * scale, F::Conv2dFuncOptions().padding(weight.size(2) / 2).bias(bias));
  return activate ? lrelu(y) : y;
}

MappingNetworkImpl::MappingNetworkImpl(const StyleGAN2Shape& s, double lr_mul) {
  net = torch::nn::Sequential();
  for (int i = 0; i < s.mapping_layers; ++i)
    net->push_back(fmt::format("fc{}", i),
                   EqualLinear(i == 0 ? s.z_dim : s.w_dim, s.w_dim, 0.0, lr_mul, true));
  register_module("net", net);
  w_avg = register_buffer("w_avg", torch::zeros({s.w_dim}));
}

torch::Tensor MappingNetworkImpl::forward(const torch::Tensor& z, double psi, bool update_avg) {
  auto x = z * torch::rsqrt(z.square().mean(1, true) + 1e-8);  // normalise z's second moment
  auto w = net->forward(x);
  if (update_avg) {
    torch::NoGradGuard g;
    // In the buffer's float32 also when autocast made w bfloat16 (train.precision: bf16).
    w_avg.copy_(w.detach().to(w_avg.scalar_type()).mean(0).lerp(w_avg, kWAvgBeta));
  }
  if (psi != 1.0) w = w_avg.unsqueeze(0).lerp(w.to(w_avg.scalar_type()), psi);
  return w;
}

SynthesisLayerImpl::SynthesisLayerImpl(int64_t in, int64_t out, int w_dim, int resolution, bool up_)
    : up(up_) {
  affine = register_module("affine", EqualLinear(w_dim, in, 1.0));
  weight = register_parameter("weight", torch::randn({out, in, 3, 3}));
  bias = register_parameter("bias", torch::zeros({out}));
  noise_strength = register_parameter("noise_strength", torch::zeros({}));
  noise_const = register_buffer("noise_const", torch::randn({resolution, resolution}));
}

torch::Tensor SynthesisLayerImpl::forward(const torch::Tensor& x_in, const torch::Tensor& w, NoiseMode mode,
                                          at::Generator* gen) {
  auto x = up ? upsample2(x_in) : x_in;
  const double gain = 1.0 / std::sqrt(static_cast<double>(weight.size(1) * 9));
  x = modulated_conv2d(x, weight * gain, affine->forward(w), true);
  if (mode == NoiseMode::random) {
    TORCH_CHECK(gen, "SynthesisLayer: random noise needs a generator");
    x = x + to_device_async(torch::randn({x.size(0), 1, x.size(2), x.size(3)}, *gen), x.device()) * noise_strength;
  } else if (mode == NoiseMode::constant) {
    x = x + noise_const.view({1, 1, x.size(2), x.size(3)}) * noise_strength;
  }
  return lrelu(x + bias.view({1, -1, 1, 1}));
}

ToRGBImpl::ToRGBImpl(int64_t in, int64_t out, int w_dim) {
  affine = register_module("affine", EqualLinear(w_dim, in, 1.0));
  weight = register_parameter("weight", torch::randn({out, in, 1, 1}));
  bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor ToRGBImpl::forward(const torch::Tensor& x, const torch::Tensor& w) {
  const double gain = 1.0 / std::sqrt(static_cast<double>(weight.size(1)));
  return modulated_conv2d(x, weight, affine->forward(w) * gain, false) + bias.view({1, -1, 1, 1});
}

StyleGAN2GeneratorImpl::StyleGAN2GeneratorImpl(const StyleGAN2Shape& s, double mapping_lr_mul) : shape(s) {
  mapping = register_module("mapping", MappingNetwork(s, mapping_lr_mul));
  const_input = register_parameter("const_input", torch::randn({s.channels(4), 4, 4}));
  convs = register_module("convs", torch::nn::ModuleList());
  to_rgbs = register_module("to_rgbs", torch::nn::ModuleList());
  const int out = s.image_channels + s.num_labels;
  convs->push_back(SynthesisLayer(s.channels(4), s.channels(4), s.w_dim, 4, false));
  to_rgbs->push_back(ToRGB(s.channels(4), out, s.w_dim));
  for (int res = 8; res <= s.size; res *= 2) {
    convs->push_back(SynthesisLayer(s.channels(res / 2), s.channels(res), s.w_dim, res, true));
    convs->push_back(SynthesisLayer(s.channels(res), s.channels(res), s.w_dim, res, false));
    to_rgbs->push_back(ToRGB(s.channels(res), out, s.w_dim));
  }
}

torch::Tensor StyleGAN2GeneratorImpl::synthesis(const torch::Tensor& ws, NoiseMode mode, at::Generator* gen) {
  TORCH_CHECK(ws.dim() == 3 && ws.size(1) == shape.num_ws() && ws.size(2) == shape.w_dim,
              "StyleGAN2 synthesis: ws must be [B, ", shape.num_ws(), ", ", shape.w_dim, "], got ",
              ws.sizes());
  const int64_t b = ws.size(0);
  auto x = const_input.unsqueeze(0).expand({b, -1, -1, -1});
  x = convs[0]->as<SynthesisLayer>()->forward(x, ws.select(1, 0), mode, gen);
  auto img = to_rgbs[0]->as<ToRGB>()->forward(x, ws.select(1, 1));
  int64_t wi = 1;
  for (size_t j = 1; j < to_rgbs->size(); ++j) {
    x = convs[2 * j - 1]->as<SynthesisLayer>()->forward(x, ws.select(1, wi), mode, gen);
    x = convs[2 * j]->as<SynthesisLayer>()->forward(x, ws.select(1, wi + 1), mode, gen);
    img = upsample2(img) + to_rgbs[j]->as<ToRGB>()->forward(x, ws.select(1, wi + 2));
    wi += 2;
  }
  return img;
}

torch::Tensor minibatch_std(const torch::Tensor& x, int64_t group_size) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  int64_t g = std::min(group_size, n);
  while (n % g != 0) --g;
  auto y = x.reshape({g, n / g, c, h, w});
  y = (y - y.mean(0)).square().mean(0);   // variance over each group
  y = (y + 1e-8).sqrt().mean({1, 2, 3});  // [n / g]
  y = y.view({1, n / g, 1, 1, 1}).expand({g, n / g, 1, h, w}).reshape({n, 1, h, w});
  return torch::cat({x, y}, 1);
}

namespace {
// Residual discriminator block: two 3x3 convs (the second at half resolution) plus a 1x1 skip, summed with
// 1/sqrt(2) gain.
struct DBlockImpl : torch::nn::Module {
  DBlockImpl(int64_t in, int64_t out) {
    conv0 = register_module("conv0", EqualConv2d(in, in, 3));
    conv1 = register_module("conv1", EqualConv2d(in, out, 3));
    skip = register_module("skip", EqualConv2d(in, out, 1, false, false));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto s = skip->forward(F::avg_pool2d(x, F::AvgPool2dFuncOptions(2)));
    auto y = F::avg_pool2d(conv1->forward(conv0->forward(x)), F::AvgPool2dFuncOptions(2));
    return (s + y) * std::sqrt(0.5);
  }
  EqualConv2d conv0{nullptr}, conv1{nullptr}, skip{nullptr};
};
TORCH_MODULE(DBlock);
}  // namespace

StyleGAN2DiscriminatorImpl::StyleGAN2DiscriminatorImpl(const StyleGAN2Shape& s) : shape(s) {
  from_rgb = register_module("from_rgb", EqualConv2d(s.image_channels + s.num_labels, s.channels(s.size), 1));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int res = s.size; res > 4; res /= 2) blocks->push_back(DBlock(s.channels(res), s.channels(res / 2)));
  const int c4 = s.channels(4);
  epilogue_conv = register_module("epilogue_conv", EqualConv2d(c4 + 1, c4, 3));
  epilogue_fc = register_module("epilogue_fc", EqualLinear(c4 * 16, c4, 0.0, 1.0, true));
  out = register_module("out", EqualLinear(c4, 1));
}

torch::Tensor StyleGAN2DiscriminatorImpl::forward(const torch::Tensor& x_in) {
  TORCH_CHECK(x_in.dim() == 4 && x_in.size(1) == shape.image_channels + shape.num_labels &&
                  x_in.size(2) == shape.size && x_in.size(3) == shape.size,
              "StyleGAN2 discriminator: input must be [B, ", shape.image_channels + shape.num_labels, ", ",
              shape.size, ", ", shape.size, "], got ", x_in.sizes());
  auto x = from_rgb->forward(x_in);
  for (auto& b : *blocks) x = b->as<DBlock>()->forward(x);
  x = epilogue_conv->forward(minibatch_std(x));
  return out->forward(epilogue_fc->forward(x.flatten(1))).view({x_in.size(0)});
}

namespace {

class StyleGAN2Model : public GanModelBase {
 public:
  explicit StyleGAN2Model(const ArchContext& ctx)
      : GanModelBase(ctx, stylegan2_entry().capabilities),
        shape_{ctx.modality.channels,
               ctx.modality.num_labels(),
               ctx.modality.size,
               static_cast<int>(ctx.options.at("z_dim")),
               static_cast<int>(ctx.options.at("w_dim")),
               static_cast<int>(ctx.options.at("mapping_layers")),
               static_cast<int>(ctx.options.at("channel_base")),
               static_cast<int>(ctx.options.at("max_channels"))},
        o_(ctx.options),
        G_(nullptr),
        G_ema_(nullptr),
        D_(nullptr) {
    torch::manual_seed(ctx.seed);
    // stylegan2-ada's heuristic (train.py, cfg 'auto'): gamma = 0.0002 * res^2 / minibatch.
    const double res = ctx.modality.size;
    r1_gamma_ = o_.at("r1_gamma") >= 0
                    ? o_.at("r1_gamma")
                    : 0.0002 * res * res / static_cast<double>(std::max<int64_t>(1, ctx.batch_size));
    G_ = StyleGAN2Generator(shape_, o_.at("mapping_lr_mul"));
    D_ = StyleGAN2Discriminator(shape_);
    G_ema_ = StyleGAN2Generator(shape_, o_.at("mapping_lr_mul"));
    G_->to(device_);
    D_->to(device_);
    G_ema_->to(device_);
    copy_into_ema(0.0);
    G_ema_->eval();
    // Lazy regularisation: scale lr and betas by interval / (interval + 1) (paper, appendix B).
    auto adam = [&](std::vector<torch::Tensor> params, bool lazy, double interval) {
      const double r = lazy ? interval / (interval + 1) : 1.0;
      return std::make_unique<torch::optim::Adam>(
          std::move(params), torch::optim::AdamOptions(o_.at("lr") * r)
                                 .betas({std::pow(o_.at("beta1"), r), std::pow(o_.at("beta2"), r)})
                                 .eps(1e-8));
    };
    // As stylegan2-ada (training_loop.py): both networks have a regularisation interval (G 4, D 16), so both
    // optimisers are scaled whether or not that regulariser's weight is 0.
    opt_g_ = adam(G_->parameters(), true, o_.at("pl_interval"));
    opt_d_ = adam(D_->parameters(), true, o_.at("r1_interval"));
    track("generator", *G_);
    track("discriminator", *D_);
    set_discriminator(*D_);
    track("generator_ema", *G_ema_, false);
    track("generator", *opt_g_);
    track("discriminator", *opt_d_);
    track("images_seen", nimg_);
    pl_mean_ = torch::zeros({}, torch::TensorOptions(torch::kFloat64).device(device_));
    track("pl_mean", pl_mean_);
    track("step", step_);
  }

  StepStats train_step(const Batch& real) override {
    const int64_t b = real.images.size(0);
    const int C = shape_.image_channels;
    const auto x_real = joint_input(real, shape_.num_labels).to(device_);
    step_ += 1;
    const auto step = static_cast<int64_t>(step_);
    StepStats stats;

    // G: non-saturating logistic loss, with style mixing.
    opt_g_->zero_grad();
    const auto fake = joint_output(G_->synthesis(make_ws(b, true), NoiseMode::random, &noise_), C, true);
    const auto loss_g = torch::softplus(-D_->forward(d_input(fake))).mean();
    loss_g.backward();
    opt_g_->step();
    stats.add("loss_g", loss_g);

    // G: lazy path-length regularisation.
    const auto pl_interval = static_cast<int64_t>(o_.at("pl_interval"));
    if (o_.at("pl_weight") > 0 && step % pl_interval == 0) {
      const int64_t bs = std::max<int64_t>(1, b / 2);
      auto ws = make_ws(bs, false);
      auto img = joint_output(G_->synthesis(ws, NoiseMode::random, &noise_), C, false);
      auto pl_noise =
          to_device_async(torch::randn(img.sizes(), noise_), device_) / std::sqrt(double(img.size(2) * img.size(3)));
      auto grad = torch::autograd::grad({(img * pl_noise).sum()}, {ws}, {}, true, true)[0];
      auto lengths = grad.square().sum(2).mean(1).sqrt();
      // In float64 on the device, no host copy (the same digits as the double it once was).
      pl_mean_.add_((lengths.mean().detach().to(torch::kFloat64) - pl_mean_).mul_(kPlDecay));
      auto loss_pl = (lengths - pl_mean_).square().mean() * o_.at("pl_weight") * double(pl_interval);
      opt_g_->zero_grad();
      loss_pl.backward();
      opt_g_->step();
      stats.add("pl_penalty", loss_pl);
    }

    // D: logistic loss on real and fake.
    torch::Tensor fake_d;
    {
      torch::NoGradGuard g;
      fake_d = joint_output(G_->synthesis(make_ws(b, false), NoiseMode::random, &noise_), C, true);
    }
    opt_d_->zero_grad();
    const auto logit_fake = D_->forward(d_input(fake_d));
    const auto logit_real = D_->forward(d_input(x_real));
    const auto loss_d = torch::softplus(logit_fake).mean() + torch::softplus(-logit_real).mean();
    loss_d.backward();
    opt_d_->step();
    stats.add("loss_d", loss_d);
    stats.add("d_real_sign", logit_real.sign().mean());

    // D: lazy R1 on real images (gradient with respect to the un-augmented input).
    const auto r1_interval = static_cast<int64_t>(o_.at("r1_interval"));
    if (r1_gamma_ > 0 && step % r1_interval == 0) {
      auto xr = x_real.detach().requires_grad_(true);
      auto logits = D_->forward(d_input(xr));
      auto grad = torch::autograd::grad({logits.sum()}, {xr}, {}, true, true)[0];
      auto loss_r1 = grad.square().sum({1, 2, 3}).mean() * (r1_gamma_ / 2) * double(r1_interval);
      opt_d_->zero_grad();
      loss_r1.backward();
      opt_d_->step();
      stats.add("r1_penalty", loss_r1);
    }

    // EMA of G: half-life ema_kimg thousand images, ramped up over the first images seen.
    nimg_ += static_cast<double>(b);
    double ema_nimg = o_.at("ema_kimg") * 1000;
    if (o_.at("ema_rampup") > 0) ema_nimg = std::min(ema_nimg, nimg_ * o_.at("ema_rampup"));
    copy_into_ema(std::pow(0.5, static_cast<double>(b) / std::max(ema_nimg, 1e-8)));
    return stats;
  }

  double discriminator_loss(const Batch& real, uint64_t seed) override {
    return frozen([&] {
      auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
      const auto x_real = joint_input(real, shape_.num_labels).to(device_);
      const auto w =
          G_->mapping->forward(to_device_async(torch::randn({x_real.size(0), shape_.z_dim}, gen), device_), 1.0, false);
      const auto ws = w.unsqueeze(1).expand({-1, shape_.num_ws(), -1});
      const auto fake = joint_output(G_->synthesis(ws, NoiseMode::random, &gen), shape_.image_channels, true);
      return (torch::softplus(D_->forward(fake)).mean() + torch::softplus(-D_->forward(x_real)).mean())
          .item<double>();
    });
  }

  Sample sample(int64_t n, uint64_t seed) override {
    constexpr uint64_t kNoiseSalt = 0x9015E;  // per-layer noise stream, apart from the latents
    const double psi = o_.at("truncation_psi");
    at::Generator noise_gen = at::make_generator<at::CPUGeneratorImpl>(mix_seed(seed, kNoiseSalt));
    const int nw = shape_.num_ws();
    return sample_latent_generator(
        *G_ema_,
        [&](const torch::Tensor& z) {
          auto w = G_ema_->mapping->forward(z, psi, false);
          auto ws = w.unsqueeze(1).expand({-1, nw, -1});
          // Per-layer noise as stylegan2-ada's metrics draw it (noise_mode='random'), seeded by `seed`.
          const bool random = o_.at("sample_noise") > 0;
          return joint_output(G_ema_->synthesis(ws, random ? NoiseMode::random : NoiseMode::constant,
                                                random ? &noise_gen : nullptr),
                              shape_.image_channels, false);
        },
        shape_.z_dim, shape_.image_channels, n, seed, device_);
  }

 private:
  // [b, num_ws, w_dim] styles for training; with probability style_mixing the layers from a random
  // cutoff on take the styles of a second latent.
  torch::Tensor make_ws(int64_t b, bool update_avg) {
    const int nw = shape_.num_ws();
    auto w = G_->mapping->forward(to_device_async(torch::randn({b, shape_.z_dim}, noise_), device_), 1.0, update_avg);
    auto ws = w.unsqueeze(1).expand({-1, nw, -1});
    if (torch::rand({1}, noise_).item<double>() < o_.at("style_mixing")) {
      const int64_t cutoff = torch::randint(1, nw, {1}, noise_).item<int64_t>();
      auto w2 = G_->mapping->forward(to_device_async(torch::randn({b, shape_.z_dim}, noise_), device_), 1.0, false);
      ws = torch::cat({ws.narrow(1, 0, cutoff), w2.unsqueeze(1).expand({-1, nw - cutoff, -1})}, 1);
    }
    return ws;
  }

  // G_ema = beta * G_ema + (1 - beta) * G for parameters; buffers (w_avg, constant noise) are copied.
  void copy_into_ema(double beta) {
    torch::NoGradGuard g;
    auto src = G_->named_parameters();
    for (auto& p : G_ema_->named_parameters()) p.value().copy_(src[p.key()].detach().lerp(p.value(), beta));
    auto bsrc = G_->named_buffers();
    for (auto& buf : G_ema_->named_buffers()) buf.value().copy_(bsrc[buf.key()]);
  }

  StyleGAN2Shape shape_;
  ArchOptions o_;
  StyleGAN2Generator G_, G_ema_;
  StyleGAN2Discriminator D_;
  double r1_gamma_ = 0;  // resolved R1 weight (the option, or the heuristic for -1)
  std::unique_ptr<torch::optim::Adam> opt_g_, opt_d_;
  double nimg_ = 0;     // real images shown to D so far
  torch::Tensor pl_mean_;  // running mean of path lengths: float64, 0-dim, on device_
  double step_ = 0;     // train_step calls (lazy regularisation schedule)
};

}  // namespace

ArchEntry stylegan2_entry() {
  ArchEntry e;
  e.name = "stylegan2";
  e.description = "StyleGAN2: mapping network, modulated convs, skip G, residual D, lazy R1, EMA";
  e.citation = "Karras et al. 2020, CVPR";
  e.capabilities.freeze_d = true;
  e.capabilities.loss = "non_saturating";
  e.capabilities.style_mapping = true;
  e.capabilities.ema_generator = true;
  e.options = {
      {"z_dim", 512, 1, 2048, true, "latent size"},
      {"w_dim", 512, 1, 2048, true, "style size"},
      {"mapping_layers", 8, 1, 16, true, "FC layers in the mapping network"},
      {"mapping_lr_mul", 0.01, 1e-4, 1, false, "learning-rate multiplier of the mapping network"},
      {"channel_base", 16384, 16, 65536, true,
       "channels at resolution r: min(channel_base / r, max_channels)"},
      {"max_channels", 512, 1, 1024, true, "channel cap"},
      {"r1_gamma", -1, -1, 1000, false,
       "R1 weight gamma; 0 = off; -1 = stylegan2-ada's heuristic 0.0002 * image_size^2 / batch_size"},
      {"r1_interval", 16, 1, 1000, true, "steps between lazy R1 updates"},
      {"style_mixing", 0.9, 0, 1, false, "probability of mixing two latents per batch"},
      {"pl_weight", 0, 0, 100, false, "path-length regularisation weight; 0 = off (paper: 2)"},
      {"pl_interval", 4, 1, 1000, true, "steps between lazy path-length updates"},
      {"ema_kimg", 10, 0, 10000, false, "G EMA half-life, thousands of images"},
      {"ema_rampup", 0.05, 0, 1, false, "EMA half-life cap as a fraction of images seen; 0 = off"},
      {"truncation_psi", 1.0, 0, 2, false, "truncation at sampling: 1 = none, 0 = the average image"},
      {"sample_noise", 1, 0, 1, true,
       "per-layer noise at sampling and scoring: 1 = random (stylegan2-ada's metrics), 0 = fixed buffers"},
  };
  add_options(e.options, adam_options(0.0025, 0.0, 0.99));
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> {
    return std::make_unique<StyleGAN2Model>(ctx);
  };
  return e;
}

}  // namespace ganbench
