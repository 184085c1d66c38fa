#include "architectures/dcgan.h"

#include <cmath>

#include <fmt/format.h>

#include "architectures/dcgan_model.h"
#include "architectures/joint.h"

namespace ganbench {

namespace {
constexpr double kInitStd = 0.02;    // N(0, 0.02) weights, as in the paper
constexpr double kLeakySlope = 0.2;  // D activations
}  // namespace

std::vector<int64_t> DCGANShape::channels() const {
  const int levels = static_cast<int>(std::log2(size)) - 2;  // upsamplings from 4x4 to size
  std::vector<int64_t> ch;
  for (int i = 0; i < levels; ++i)
    ch.push_back(std::min<int64_t>(int64_t{base_channels} << (levels - 1 - i), max_channels));
  return ch;
}

DCGANGeneratorImpl::DCGANGeneratorImpl(const DCGANShape& s) : shape(s) {
  namespace nn = torch::nn;
  const auto ch = s.channels();
  net = nn::Sequential();
  net->push_back("project", nn::ConvTranspose2d(nn::ConvTranspose2dOptions(s.z_dim, ch[0], 4).bias(false)));
  net->push_back("project_bn", nn::BatchNorm2d(ch[0]));
  net->push_back("project_act", nn::ReLU(true));
  for (size_t i = 1; i < ch.size(); ++i) {
    net->push_back(fmt::format("up{}", i),
                   nn::ConvTranspose2d(
                       nn::ConvTranspose2dOptions(ch[i - 1], ch[i], 4).stride(2).padding(1).bias(false)));
    net->push_back(fmt::format("up{}_bn", i), nn::BatchNorm2d(ch[i]));
    net->push_back(fmt::format("up{}_act", i), nn::ReLU(true));
  }
  net->push_back(
      "to_output",
      nn::ConvTranspose2d(
          nn::ConvTranspose2dOptions(ch.back(), s.image_channels + s.num_labels, 4).stride(2).padding(1)));
  register_module("net", net);
  for (auto& p : named_parameters()) {
    if (p.key().find("_bn") != std::string::npos) {
      torch::NoGradGuard g;
      if (p.key().find("weight") != std::string::npos)
        p.value().normal_(1.0, kInitStd);
      else
        p.value().zero_();
    } else if (p.key().find("weight") != std::string::npos) {
      torch::NoGradGuard g;
      p.value().normal_(0.0, kInitStd);
    }
  }
}

torch::Tensor DCGANGeneratorImpl::forward(const torch::Tensor& z) {
  TORCH_CHECK(z.dim() == 2 && z.size(1) == shape.z_dim, "DCGAN generator: z must be [B, ", shape.z_dim,
              "], got ", z.sizes());
  auto out = net->forward(z.view({z.size(0), z.size(1), 1, 1}));
  return joint_output(out, shape.image_channels, is_training());
}

DCGANDiscriminatorImpl::DCGANDiscriminatorImpl(const DCGANShape& s) : shape(s) {
  namespace nn = torch::nn;
  auto ch = s.channels();
  std::reverse(ch.begin(), ch.end());
  net = nn::Sequential();
  net->push_back(
      "from_input",
      nn::Conv2d(nn::Conv2dOptions(s.image_channels + s.num_labels, ch[0], 4).stride(2).padding(1)));
  net->push_back("from_input_act",
                 nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kLeakySlope).inplace(true)));
  for (size_t i = 1; i < ch.size(); ++i) {
    net->push_back(fmt::format("down{}", i),
                   nn::Conv2d(nn::Conv2dOptions(ch[i - 1], ch[i], 4).stride(2).padding(1).bias(false)));
    net->push_back(fmt::format("down{}_bn", i), nn::BatchNorm2d(ch[i]));
    net->push_back(fmt::format("down{}_act", i),
                   nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kLeakySlope).inplace(true)));
  }
  net->push_back("to_logit", nn::Conv2d(nn::Conv2dOptions(ch.back(), 1, 4)));
  register_module("net", net);
  for (auto& p : named_parameters()) {
    torch::NoGradGuard g;
    if (p.key().find("_bn") != std::string::npos) {
      if (p.key().find("weight") != std::string::npos)
        p.value().normal_(1.0, kInitStd);
      else
        p.value().zero_();
    } else if (p.key().find("weight") != std::string::npos) {
      p.value().normal_(0.0, kInitStd);
    }
  }
}

torch::Tensor DCGANDiscriminatorImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(1) == shape.image_channels + shape.num_labels &&
                  x.size(2) == shape.size && x.size(3) == shape.size,
              "DCGAN discriminator: input must be [B, ", shape.image_channels + shape.num_labels, ", ",
              shape.size, ", ", shape.size, "], got ", x.sizes());
  return net->forward(x).view({x.size(0)});
}

namespace {

class DCGANModel : public DCGANShapedModel<DCGANDiscriminator> {
 public:
  explicit DCGANModel(const ArchContext& ctx)
      : DCGANShapedModel(ctx, dcgan_entry().capabilities, "discriminator") {}

  StepStats train_step(const Batch& real) override {
    const int64_t b = real.images.size(0);
    const auto x_real = joint_input(real, shape_.num_labels).to(device_);

    auto z = torch::randn({b, shape_.z_dim}, noise_).to(device_);
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

DCGANShape dcgan_shape(const ArchContext& ctx) {
  return {ctx.modality.channels,
          ctx.modality.num_labels(),
          ctx.modality.size,
          static_cast<int>(ctx.options.at("z_dim")),
          static_cast<int>(ctx.options.at("base_channels")),
          static_cast<int>(ctx.options.at("max_channels"))};
}

std::vector<OptionSpec> dcgan_shape_options(double z_dim) {
  return {{"z_dim", z_dim, 1, 1024, true, "latent size"},
          {"base_channels", 64, 1, 1024, true, "channels of the highest-resolution block"},
          {"max_channels", 512, 1, 4096, true, "channel cap at low resolution"}};
}

ArchEntry dcgan_entry() {
  ArchEntry e;
  e.name = "dcgan";
  e.description = "DCGAN: transposed-conv G, strided-conv D, batch norm, non-saturating loss";
  e.citation = "Radford et al. 2016, ICLR";
  e.capabilities.loss = "non_saturating";
  e.capabilities.instance_noise = 0.2;  // measured: without it joint samples collapse to one mode
  e.options = dcgan_shape_options(100);
  add_options(e.options, adam_options(2e-4, 0.5, 0.999));
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> {
    return std::make_unique<DCGANModel>(ctx);
  };
  return e;
}

}  // namespace ganbench
