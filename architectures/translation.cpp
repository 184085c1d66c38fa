#include "architectures/translation.h"

#include <cmath>
#include <functional>
#include <stdexcept>

#include <fmt/format.h>

#include "architectures/gan_base.h"
#include "common/device_copy.h"

namespace ganbench {
namespace {

namespace nn = torch::nn;
constexpr double kInitStd = 0.02;     // init_type 'normal', init_gain 0.02: N(0, 0.02) weights, BN N(1, 0.02)
constexpr double kLeakySlope = 0.2;   // encoder and PatchGAN activations
constexpr double kDropout = 0.5;      // U-Net inner blocks, ResNet blocks when enabled
constexpr int kPoolSize = 50;         // CycleGAN's history of generated images per discriminator
constexpr int kPatchLayers = 3;       // n_layers_D: the 70 x 70 PatchGAN

void push_norm(nn::Sequential& s, std::string name, NormKind k, int64_t ch) {
  if (k == NormKind::batch)
    s->push_back(std::move(name), nn::BatchNorm2d(nn::BatchNorm2dOptions(ch)));
  else
    s->push_back(std::move(name), nn::InstanceNorm2d(nn::InstanceNorm2dOptions(ch).affine(false).track_running_stats(false)));
}

nn::Conv2d conv(int64_t in, int64_t out, int k, int stride, int pad, bool bias) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad).bias(bias));
}

// The reference's init_weights('normal', 0.02) on every conv and batch norm of `m`.
void init_normal(nn::Module& m) {
  torch::NoGradGuard g;
  for (auto& p : m.named_parameters()) {
    const bool norm = p.key().find("norm") != std::string::npos;
    if (p.key().find("weight") != std::string::npos)
      p.value().normal_(norm ? 1.0 : 0.0, kInitStd);
    else
      p.value().zero_();
  }
}

}  // namespace

UNetTranslatorImpl::UNetTranslatorImpl(int in_channels, int out_channels, int size, int ngf, NormKind norm,
                                       bool dropout) {
  const int levels = static_cast<int>(std::lround(std::log2(size)));
  TORCH_CHECK(levels >= 5 && (1 << levels) == size, "U-Net translator: size must be a power of two >= 32, got ",
              size);
  const bool bias = norm == NormKind::instance;  // use_bias: convs before batch norm have none
  // Channels entering (outer) and leaving (inner) each level's encoder: in, ngf, 2ngf, 4ngf, 8ngf, 8ngf, ...
  auto inner = [&](int l) { return static_cast<int64_t>(ngf) * std::min(1 << l, 8); };
  auto outer = [&](int l) { return l == 0 ? static_cast<int64_t>(in_channels) : inner(l - 1); };
  down = nn::ModuleList();
  up = nn::ModuleList();
  for (int l = 0; l < levels; ++l) {
    const bool outermost = l == 0, innermost = l == levels - 1;
    nn::Sequential d;
    if (!outermost) d->push_back("act", nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kLeakySlope)));
    d->push_back("conv", conv(outer(l), inner(l), 4, 2, 1, bias));
    if (!outermost && !innermost) push_norm(d, "norm", norm, inner(l));
    down->push_back(d);
    nn::Sequential u;
    u->push_back("act", nn::ReLU());
    const int64_t up_in = innermost ? inner(l) : 2 * inner(l);
    const int64_t up_out = outermost ? out_channels : outer(l);
    u->push_back("conv", nn::ConvTranspose2d(
                             nn::ConvTranspose2dOptions(up_in, up_out, 4).stride(2).padding(1).bias(outermost || bias)));
    if (outermost) {
      u->push_back("tanh", nn::Tanh());
    } else {
      push_norm(u, "norm", norm, up_out);
      // The reference's `for i in range(num_downs - 5)` blocks: levels 4 .. levels-2.
      if (dropout && l >= 4 && !innermost) u->push_back("dropout", nn::Dropout(kDropout));
    }
    up->push_back(u);
  }
  register_module("down", down);
  register_module("up", up);
  init_normal(*this);
}

torch::Tensor UNetTranslatorImpl::forward(const torch::Tensor& x) {
  const size_t levels = down->size();
  std::vector<torch::Tensor> xs{x};  // xs[l]: the input of level l
  for (size_t l = 0; l < levels; ++l) xs.push_back(down[l]->as<nn::Sequential>()->forward(xs.back()));
  auto u = up[levels - 1]->as<nn::Sequential>()->forward(xs[levels]);
  for (size_t l = levels - 1; l-- > 0;) u = up[l]->as<nn::Sequential>()->forward(torch::cat({xs[l + 1], u}, 1));
  return u;
}

namespace {
struct ResidualBlockImpl : nn::Module {
  ResidualBlockImpl(int64_t ch, NormKind norm, bool dropout) {
    const bool bias = norm == NormKind::instance;
    body = nn::Sequential();
    body->push_back("pad1", nn::ReflectionPad2d(1));
    body->push_back("conv1", conv(ch, ch, 3, 1, 0, bias));
    push_norm(body, "norm1", norm, ch);
    body->push_back("act", nn::ReLU());
    if (dropout) body->push_back("dropout", nn::Dropout(kDropout));
    body->push_back("pad2", nn::ReflectionPad2d(1));
    body->push_back("conv2", conv(ch, ch, 3, 1, 0, bias));
    push_norm(body, "norm2", norm, ch);
    register_module("body", body);
  }
  torch::Tensor forward(const torch::Tensor& x) { return x + body->forward(x); }
  nn::Sequential body{nullptr};
};
TORCH_MODULE(ResidualBlock);
}  // namespace

ResNetTranslatorImpl::ResNetTranslatorImpl(int in_channels, int out_channels, int ngf, int n_blocks, NormKind norm,
                                           bool dropout) {
  const bool bias = norm == NormKind::instance;
  head = nn::Sequential();
  head->push_back("pad", nn::ReflectionPad2d(3));
  head->push_back("conv", conv(in_channels, ngf, 7, 1, 0, bias));
  push_norm(head, "norm", norm, ngf);
  head->push_back("act", nn::ReLU());
  for (int i = 0; i < 2; ++i) {  // two stride-2 downsamplings
    const int64_t m = 1 << i;
    head->push_back(fmt::format("down{}_conv", i), conv(ngf * m, ngf * m * 2, 3, 2, 1, bias));
    push_norm(head, fmt::format("down{}_norm", i), norm, ngf * m * 2);
    head->push_back(fmt::format("down{}_act", i), nn::ReLU());
  }
  blocks = nn::ModuleList();
  for (int i = 0; i < n_blocks; ++i) blocks->push_back(ResidualBlock(ngf * 4, norm, dropout));
  tail = nn::Sequential();
  for (int i = 0; i < 2; ++i) {
    const int64_t m = 1 << (2 - i);
    tail->push_back(fmt::format("up{}_conv", i),
                    nn::ConvTranspose2d(nn::ConvTranspose2dOptions(ngf * m, ngf * m / 2, 3)
                                            .stride(2)
                                            .padding(1)
                                            .output_padding(1)
                                            .bias(bias)));
    push_norm(tail, fmt::format("up{}_norm", i), norm, ngf * m / 2);
    tail->push_back(fmt::format("up{}_act", i), nn::ReLU());
  }
  tail->push_back("pad", nn::ReflectionPad2d(3));
  tail->push_back("conv", conv(ngf, out_channels, 7, 1, 0, true));
  tail->push_back("tanh", nn::Tanh());
  register_module("head", head);
  register_module("blocks", blocks);
  register_module("tail", tail);
  init_normal(*this);
}

torch::Tensor ResNetTranslatorImpl::forward(const torch::Tensor& x) {
  auto h = head->forward(x);
  for (const auto& b : *blocks) h = b->as<ResidualBlock>()->forward(h);
  return tail->forward(h);
}

PatchGAN70Impl::PatchGAN70Impl(int in_channels, int ndf, int layers, NormKind norm) {
  const bool bias = norm == NormKind::instance;
  net = nn::Sequential();
  net->push_back("conv0", conv(in_channels, ndf, 4, 2, 1, true));
  net->push_back("act0", nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kLeakySlope)));
  int64_t mult = 1;
  for (int n = 1; n <= layers; ++n) {  // `layers` stride-2 convs in all, then one at stride 1
    const int64_t prev = mult;
    mult = std::min<int64_t>(1 << n, 8);
    net->push_back(fmt::format("conv{}", n), conv(ndf * prev, ndf * mult, 4, n < layers ? 2 : 1, 1, bias));
    push_norm(net, fmt::format("norm{}", n), norm, ndf * mult);
    net->push_back(fmt::format("act{}", n), nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kLeakySlope)));
  }
  net->push_back("to_patch", conv(ndf * mult, 1, 4, 1, 1, true));
  register_module("net", net);
  init_normal(*this);
}

torch::Tensor PatchGAN70Impl::forward(const torch::Tensor& x) { return net->forward(x); }

namespace {

torch::Tensor to_signed(const torch::Tensor& x) { return x * 2 - 1; }               // [0, 1] -> [-1, 1]
torch::Tensor to_unit(const torch::Tensor& x) { return ((x + 1) / 2).clamp(0, 1); }  // and back

NormKind norm_option(const ArchOptions& o) { return o.at("instance_norm") > 0 ? NormKind::instance : NormKind::batch; }

// GANLoss: 'vanilla' (BCE on logits) or 'lsgan' (MSE), against a constant target map.
torch::Tensor gan_loss(const torch::Tensor& pred, bool real, bool lsgan) {
  const auto target = real ? torch::ones_like(pred) : torch::zeros_like(pred);
  return lsgan ? torch::mse_loss(pred, target) : torch::binary_cross_entropy_with_logits(pred, target);
}

// Shared by both models: translate() in eval mode, without gradients, leaving no trace.
torch::Tensor run_translator(nn::Module& g, const std::function<torch::Tensor(const torch::Tensor&)>& f,
                             const torch::Tensor& source, const torch::Device& device) {
  torch::NoGradGuard ng;
  const bool was_training = g.is_training();
  g.eval();  // batch norm's running statistics, no dropout: deterministic (the reference's --eval)
  auto out = to_unit(f(to_signed(source.to(device, torch::kFloat32)))).to(torch::kCPU).contiguous();
  g.train(was_training);
  return out;
}

// The reference's set_requires_grad: a discriminator frozen while its generator's loss backpropagates.
void set_requires_grad(nn::Module& m, bool on) {
  for (auto& p : m.parameters()) p.set_requires_grad(on);
}

void check_source(const Batch& b, int source_channels, const char* who) {
  TORCH_CHECK(b.source.defined(), who, ": a translation batch needs source images (Batch::source)");
  TORCH_CHECK(b.source.dim() == 4 && b.source.size(1) == source_channels && b.source.size(0) == b.images.size(0) &&
                  b.source.size(2) == b.images.size(2) && b.source.size(3) == b.images.size(3),
              who, ": source must be [B, ", source_channels, ", H, W] beside images [B, C, H, W]");
}

class Pix2PixModel : public GanModelBase {
 public:
  explicit Pix2PixModel(const ArchContext& ctx)
      : GanModelBase(ctx, ctx.capabilities), src_ch_(ctx.source_channels), G_(nullptr), D_(nullptr) {
    TORCH_CHECK(src_ch_ > 0, "pix2pix: the source modality's channels are not set");
    torch::manual_seed(ctx.seed);  // initial weights
    const NormKind norm = norm_option(ctx.options);
    const int ngf = static_cast<int>(ctx.options.at("ngf")), ndf = static_cast<int>(ctx.options.at("ndf"));
    G_ = UNetTranslator(src_ch_, ctx.modality.channels, ctx.modality.size, ngf, norm, ctx.options.at("dropout") > 0);
    D_ = PatchGAN70(src_ch_ + ctx.modality.channels, ndf, kPatchLayers, norm);
    G_->to(device_);
    D_->to(device_);
    lambda_l1_ = ctx.options.at("lambda_l1");
    opt_g_ = make_adam(G_->parameters(), ctx.options);
    opt_d_ = make_adam(D_->parameters(), ctx.options);
    track("generator", *G_);
    track("discriminator", *D_);
    track("generator", *opt_g_);
    track("discriminator", *opt_d_);
  }

  StepStats train_step(const Batch& real) override {
    check_source(real, src_ch_, "pix2pix");
    const auto a = to_signed(to_device_async(real.source, device_));
    const auto b = to_signed(to_device_async(real.images, device_));
    const auto fake = G_->forward(a);
    opt_d_->zero_grad();
    const auto loss_d_fake = gan_loss(D_->forward(torch::cat({a, fake.detach()}, 1)), false, false);
    const auto loss_d_real = gan_loss(D_->forward(torch::cat({a, b}, 1)), true, false);
    const auto loss_d = (loss_d_fake + loss_d_real) * 0.5;
    loss_d.backward();
    opt_d_->step();
    opt_g_->zero_grad();
    set_requires_grad(*D_, false);
    const auto loss_g_gan = gan_loss(D_->forward(torch::cat({a, fake}, 1)), true, false);
    const auto loss_g_l1 = torch::l1_loss(fake, b) * lambda_l1_;
    const auto loss_g = loss_g_gan + loss_g_l1;
    loss_g.backward();
    set_requires_grad(*D_, true);
    opt_g_->step();
    StepStats s;
    s.add("loss_d", loss_d);
    s.add("loss_g", loss_g);
    s.add("loss_g_l1", loss_g_l1);
    return s;
  }

  Sample sample(int64_t, uint64_t) override {
    throw std::logic_error("pix2pix translates source images (translate); it does not sample from noise");
  }
  torch::Tensor translate(const torch::Tensor& source) override {
    return run_translator(*G_, [&](const torch::Tensor& x) { return G_->forward(x); }, source, device_);
  }

 private:
  int src_ch_;
  double lambda_l1_;
  UNetTranslator G_;
  PatchGAN70 D_;
  std::unique_ptr<torch::optim::Adam> opt_g_, opt_d_;
};

// ImagePool: up to kPoolSize earlier fakes; past that, each query image is swapped for a stored one with
// probability 0.5 (the stored one is returned, the new one kept). A module, so its buffers are checkpointed.
struct ImagePoolImpl : nn::Module {
  ImagePoolImpl(int channels, int size) {
    images = register_buffer("images", torch::zeros({kPoolSize, channels, size, size}));
    count = register_buffer("count", torch::zeros({1}, torch::kInt64));
  }
  torch::Tensor query(const torch::Tensor& fakes, at::Generator& gen) {
    torch::NoGradGuard g;
    std::vector<torch::Tensor> out;
    for (int64_t i = 0; i < fakes.size(0); ++i) {
      const auto img = fakes[i].detach();
      const int64_t n = count.item<int64_t>();
      if (n < kPoolSize) {
        images[n].copy_(img);
        count.fill_(n + 1);
        out.push_back(img);
      } else if (torch::rand({1}, gen).item<double>() > 0.5) {
        const int64_t k = torch::randint(kPoolSize, {1}, gen).item<int64_t>();
        out.push_back(images[k].clone());
        images[k].copy_(img);
      } else {
        out.push_back(img);
      }
    }
    return torch::stack(out);
  }
  torch::Tensor images, count;
};
TORCH_MODULE(ImagePool);

class CycleGANModel : public GanModelBase {
 public:
  explicit CycleGANModel(const ArchContext& ctx)
      : GanModelBase(ctx, ctx.capabilities),
        src_ch_(ctx.source_channels),
        dst_ch_(ctx.modality.channels),
        G_A_(nullptr),
        G_B_(nullptr),
        D_A_(nullptr),
        D_B_(nullptr),
        pool_a_(nullptr),
        pool_b_(nullptr) {
    TORCH_CHECK(src_ch_ > 0, "cyclegan: the source modality's channels are not set");
    torch::manual_seed(ctx.seed);
    const NormKind norm = norm_option(ctx.options);
    const int ngf = static_cast<int>(ctx.options.at("ngf")), ndf = static_cast<int>(ctx.options.at("ndf"));
    int blocks = static_cast<int>(ctx.options.at("blocks"));
    if (blocks == 0) blocks = ctx.modality.size >= 256 ? 9 : 6;  // resnet_9blocks at 256 px, resnet_6blocks below
    const bool dropout = ctx.options.at("dropout") > 0;
    G_A_ = ResNetTranslator(src_ch_, dst_ch_, ngf, blocks, norm, dropout);  // A -> B
    G_B_ = ResNetTranslator(dst_ch_, src_ch_, ngf, blocks, norm, dropout);  // B -> A
    D_A_ = PatchGAN70(dst_ch_, ndf, kPatchLayers, norm);           // judges B: real B vs G_A(A)
    D_B_ = PatchGAN70(src_ch_, ndf, kPatchLayers, norm);           // judges A: real A vs G_B(B)
    pool_a_ = ImagePool(src_ch_, ctx.modality.size);                       // fakes of A, for D_B
    pool_b_ = ImagePool(dst_ch_, ctx.modality.size);                       // fakes of B, for D_A
    for (nn::Module* m : std::vector<nn::Module*>{G_A_.get(), G_B_.get(), D_A_.get(), D_B_.get()}) m->to(device_);
    pool_a_->to(device_);
    pool_b_->to(device_);
    lambda_cycle_ = ctx.options.at("lambda_cycle");
    // The identity loss maps a target image through the A -> B generator: only when the channels agree.
    lambda_identity_ = src_ch_ == dst_ch_ ? ctx.options.at("lambda_identity") : 0.0;
    auto g_params = G_A_->parameters();
    for (auto& p : G_B_->parameters()) g_params.push_back(p);
    auto d_params = D_A_->parameters();
    for (auto& p : D_B_->parameters()) d_params.push_back(p);
    opt_g_ = make_adam(g_params, ctx.options);
    opt_d_ = make_adam(d_params, ctx.options);
    track("generator_ab", *G_A_);
    track("generator_ba", *G_B_);
    track("discriminator_b", *D_A_);
    track("discriminator_a", *D_B_);
    track("pool_a", *pool_a_, false);
    track("pool_b", *pool_b_, false);
    keep_out_of_transfer("pool_a");  // images, not weights
    keep_out_of_transfer("pool_b");
    track("generators", *opt_g_);
    track("discriminators", *opt_d_);
  }

  StepStats train_step(const Batch& real) override {
    check_source(real, src_ch_, "cyclegan");
    const auto a = to_signed(to_device_async(real.source, device_));
    const auto b = to_signed(to_device_async(real.images, device_));
    // Generators first, with both discriminators frozen (the reference's optimize_parameters order).
    set_requires_grad(*D_A_, false);
    set_requires_grad(*D_B_, false);
    opt_g_->zero_grad();
    const auto fake_b = G_A_->forward(a), rec_a = G_B_->forward(fake_b);
    const auto fake_a = G_B_->forward(b), rec_b = G_A_->forward(fake_a);
    auto loss_idt = torch::zeros({}, a.options());
    if (lambda_identity_ > 0)
      loss_idt = torch::l1_loss(G_A_->forward(b), b) * lambda_cycle_ * lambda_identity_ +
                 torch::l1_loss(G_B_->forward(a), a) * lambda_cycle_ * lambda_identity_;
    const auto loss_gan = gan_loss(D_A_->forward(fake_b), true, true) + gan_loss(D_B_->forward(fake_a), true, true);
    const auto loss_cycle = (torch::l1_loss(rec_a, a) + torch::l1_loss(rec_b, b)) * lambda_cycle_;
    const auto loss_g = loss_gan + loss_cycle + loss_idt;
    loss_g.backward();
    opt_g_->step();
    set_requires_grad(*D_A_, true);
    set_requires_grad(*D_B_, true);
    opt_d_->zero_grad();
    auto d_loss = [](PatchGAN70& d, const torch::Tensor& r, const torch::Tensor& f) {
      return (gan_loss(d->forward(r), true, true) + gan_loss(d->forward(f.detach()), false, true)) * 0.5;
    };
    const auto loss_d_b = d_loss(D_A_, b, pool_b_->query(fake_b, noise_));
    const auto loss_d_a = d_loss(D_B_, a, pool_a_->query(fake_a, noise_));
    (loss_d_a + loss_d_b).backward();
    opt_d_->step();
    StepStats s;
    s.add("loss_d", loss_d_a + loss_d_b);
    s.add("loss_g", loss_g);
    s.add("loss_g_cycle", loss_cycle);
    return s;
  }

  Sample sample(int64_t, uint64_t) override {
    throw std::logic_error("cyclegan translates source images (translate); it does not sample from noise");
  }
  torch::Tensor translate(const torch::Tensor& source) override {
    return run_translator(*G_A_, [&](const torch::Tensor& x) { return G_A_->forward(x); }, source, device_);
  }

 private:
  int src_ch_, dst_ch_;
  double lambda_cycle_, lambda_identity_;
  ResNetTranslator G_A_, G_B_;
  PatchGAN70 D_A_, D_B_;
  ImagePool pool_a_, pool_b_;
  std::unique_ptr<torch::optim::Adam> opt_g_, opt_d_;
};

// The baseline every translation GAN must beat: the source image itself. With from: degraded the source is
// the low-resolution image upsampled bicubically, so this row is bicubic interpolation.
class IdentityModel : public GanModelBase {
 public:
  explicit IdentityModel(const ArchContext& ctx)
      : GanModelBase(ctx, ctx.capabilities), src_ch_(ctx.source_channels), out_ch_(ctx.modality.channels) {
    if (src_ch_ != out_ch_)
      throw std::invalid_argument(fmt::format(
          "identity: the source has {} channels and the target {}; the identity baseline needs equal counts",
          src_ch_, out_ch_));
  }
  StepStats train_step(const Batch& real) override {
    check_source(real, src_ch_, "identity");
    return {};  // nothing to learn
  }
  Sample sample(int64_t, uint64_t) override {
    throw std::logic_error("identity translates source images (translate); it does not sample from noise");
  }
  torch::Tensor translate(const torch::Tensor& source) override {
    TORCH_CHECK(source.dim() == 4 && source.size(1) == src_ch_, "identity: source must be [N, ", src_ch_, ", H, W]");
    return source.to(torch::kCPU, torch::kFloat32).clamp(0, 1).contiguous();
  }

 private:
  int src_ch_, out_ch_;
};

std::vector<OptionSpec> translator_options(bool instance_norm, bool dropout) {
  return {{"ngf", 64, 1, 512, true, "generator channels of the outermost level"},
          {"ndf", 64, 1, 512, true, "PatchGAN channels of the first layer"},
          {"instance_norm", instance_norm ? 1.0 : 0.0, 0, 1, true, "1 = instance norm, 0 = batch norm"},
          {"dropout", dropout ? 1.0 : 0.0, 0, 1, true, "1 = dropout 0.5 in the generator (pix2pix's U-Net)"}};
}

}  // namespace

ArchEntry pix2pix_entry() {
  ArchEntry e;
  e.name = "pix2pix";
  e.description = "pix2pix: U-Net G with skips, 70x70 PatchGAN on (source, image), GAN + 100 x L1 (paired)";
  e.citation = "Isola et al. 2017, CVPR";
  e.capabilities.loss = "non_saturating";  // 'vanilla' GANLoss: BCE on patch logits
  e.capabilities.joint_labels = false;
  e.capabilities.translation = "paired";
  e.min_size = 32;  // five stride-2 levels down to 1 x 1 at least
  e.max_size = 512;
  e.options = translator_options(false, true);  // batch norm, dropout: the reference's pix2pix defaults
  add_options(e.options, {{"lambda_l1", 100, 0, 1e4, false, "weight of the L1 term"}});
  add_options(e.options, adam_options(2e-4, 0.5, 0.999));
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> { return std::make_unique<Pix2PixModel>(ctx); };
  return e;
}

ArchEntry cyclegan_entry() {
  ArchEntry e;
  e.name = "cyclegan";
  e.description = "CycleGAN: two ResNet Gs, two PatchGANs, LSGAN, cycle x 10, identity x 0.5, 50-image pools (unpaired)";
  e.citation = "Zhu et al. 2017, ICCV";
  e.capabilities.loss = "lsgan";
  e.capabilities.joint_labels = false;
  e.capabilities.translation = "unpaired";
  e.capabilities.divergence_threshold = 1000;  // the cycle term adds up to lambda_cycle x 2 per image
  e.min_size = 32;
  e.max_size = 512;
  e.options = translator_options(true, false);  // instance norm, no dropout: the reference's CycleGAN defaults
  add_options(e.options, {{"blocks", 0, 0, 32, true, "residual blocks; 0 = 9 at 256 px and above, 6 below"},
                          {"lambda_cycle", 10, 0, 1e3, false, "weight of each cycle-consistency L1 term"},
                          {"lambda_identity", 0.5, 0, 10, false, "identity weight, a fraction of lambda_cycle"}});
  add_options(e.options, adam_options(2e-4, 0.5, 0.999));
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> { return std::make_unique<CycleGANModel>(ctx); };
  return e;
}

ArchEntry identity_entry() {
  ArchEntry e;
  e.name = "identity";
  e.description = "baseline: the source image unchanged (bicubic upsampling when translation.from is degraded)";
  e.citation = "the baseline row of SR and translation tables";
  e.capabilities.loss = "none";
  e.capabilities.joint_labels = false;
  e.capabilities.translation = "paired";
  e.capabilities.baseline = true;
  e.min_size = 16;
  e.max_size = 1024;
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> { return std::make_unique<IdentityModel>(ctx); };
  return e;
}

}  // namespace ganbench
