#include "architectures/multiscale.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <functional>

#include <fmt/format.h>

#include "architectures/dcgan_nets.h"
#include "architectures/gan_base.h"
#include "architectures/joint.h"
#include "architectures/volume_file.h"
#include "common/atomic_file.h"
#include "common/device_copy.h"
#include "common/npy.h"
#include "common/hash.h"

namespace ganbench {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {
std::atomic<bool> whole_volume_step{false};  // multiscale_whole_volume_step(true): the reference step
}  // namespace

void multiscale_whole_volume_step(bool on) { whole_volume_step = on; }

namespace {
constexpr double kSlope = 0.2;      // leaky ReLU slope
constexpr double kClampEps = 1e-3;  // keeps atanh / log of the condition finite
constexpr int kMinLevel0 = 8;       // smallest level-0 side, px
constexpr int kMinPatch = 8;        // smallest patch side, px

nn::AnyModule conv(int64_t dims, int64_t in, int64_t out, int64_t k, int64_t stride = 1) {
  const int64_t pad = k == 4 ? 1 : k / 2;
  if (dims == 3)
    return nn::AnyModule(
        nn::Conv3d(nn::Conv3dOptions(in, out, k).stride(stride).padding(pad).padding_mode(torch::kReflect)));
  return nn::AnyModule(
      nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad).padding_mode(torch::kReflect)));
}
// Scale factors of 2 along each of `dims` axes.
std::vector<double> twice(int64_t dims) { return std::vector<double>(static_cast<size_t>(dims), 2.0); }
torch::Tensor act(const torch::Tensor& x) { return torch::leaky_relu(x, kSlope); }
// LSGAN discriminator loss (Mao et al. 2017): real scores towards 1, fake towards 0.
torch::Tensor lsgan_d_loss(const torch::Tensor& real_scores, const torch::Tensor& fake_scores) {
  return 0.5 * ((real_scores - 1).square().mean() + fake_scores.square().mean());
}
}  // namespace

PatchGeneratorImpl::PatchGeneratorImpl(int64_t c, int64_t j, int64_t ch, int64_t d)
    : image_channels(c), joint_channels(j), dims(d) {
  TORCH_CHECK(d == 2 || d == 3, "patch generator: dims must be 2 or 3, got ", d);
  auto add = [&](const char* name, nn::AnyModule m) {
    register_module(name, m.ptr());
    return m;
  };
  in = add("input_conv", conv(d, j + 1, ch, 3));
  down = add("down", conv(d, ch, 2 * ch, 4, 2));
  res1a = add("res1a", conv(d, 2 * ch, 2 * ch, 3));
  res1b = add("res1b", conv(d, 2 * ch, 2 * ch, 3));
  res2a = add("res2a", conv(d, 2 * ch, 2 * ch, 3));
  res2b = add("res2b", conv(d, 2 * ch, 2 * ch, 3));
  up = add("up", conv(d, 2 * ch, ch, 3));
  merge = add("merge", conv(d, 2 * ch, ch, 3));
  out = add("out", conv(d, ch, j, 3));
  torch::NoGradGuard g;
  for (auto& p : out.ptr()->parameters()) p.zero_();  // starts as the identity on the condition
}

torch::Tensor PatchGeneratorImpl::forward(const torch::Tensor& cond, const torch::Tensor& noise) {
  bool ok = cond.dim() == dims + 2 && cond.size(1) == joint_channels && noise.dim() == cond.dim() &&
            noise.size(1) == 1 && noise.size(0) == cond.size(0);
  for (int64_t a = 2; ok && a < cond.dim(); ++a) ok = cond.size(a) % 2 == 0 && noise.size(a) == cond.size(a);
  TORCH_CHECK(ok, "patch generator: cond [B, ", joint_channels, ", P", dims == 3 ? ", P, P" : ", P",
              "] and noise [B, 1, ...] of the same sides (even), got ", cond.sizes(), " and ", noise.sizes());
  auto h0 = act(in.forward(torch::cat({cond, noise}, 1)));
  auto h = act(down.forward(h0));
  h = h + res1b.forward(act(res1a.forward(h)));
  h = h + res2b.forward(act(res2a.forward(h)));
  h = F::interpolate(h, F::InterpolateFuncOptions().scale_factor(twice(dims)).mode(torch::kNearest));
  h = act(merge.forward(torch::cat({act(up.forward(h)), h0}, 1)));
  const auto img = cond.narrow(1, 0, image_channels).clamp(-1 + kClampEps, 1 - kClampEps);
  const auto lab = cond.narrow(1, image_channels, joint_channels - image_channels).clamp_min(kClampEps);
  const auto base = torch::cat({torch::atanh(img), torch::log(lab)}, 1);
  return base + out.forward(h);
}

PatchDiscriminatorImpl::PatchDiscriminatorImpl(int64_t j, int64_t ch, int64_t d) {
  TORCH_CHECK(d == 2 || d == 3, "patch discriminator: dims must be 2 or 3, got ", d);
  auto c = [d](int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad) {
    if (d == 3) return nn::AnyModule(nn::Conv3d(nn::Conv3dOptions(in, out, k).stride(stride).padding(pad)));
    return nn::AnyModule(nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad)));
  };
  net = nn::Sequential();
  net->push_back("conv0", c(2 * j, ch, 4, 2, 1));
  net->push_back("act0", nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kSlope)));
  net->push_back("conv1", c(ch, 2 * ch, 4, 2, 1));
  net->push_back("act1", nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(kSlope)));
  net->push_back("score", c(2 * ch, 1, 2, 1, 0));
  register_module("net", net);
}

torch::Tensor PatchDiscriminatorImpl::forward(const torch::Tensor& cond, const torch::Tensor& x) {
  return net->forward(torch::cat({cond, x}, 1));
}

std::vector<int64_t> tile_origins(int64_t n, int64_t p, int64_t overlap) {
  TORCH_CHECK(p >= 2 && p <= n && overlap >= 0 && overlap < p, "tile_origins: need 0 <= overlap < p <= n");
  std::vector<int64_t> o{0};
  const int64_t stride = std::max<int64_t>(2, (p - overlap) / 2 * 2);
  while (o.back() + p < n) o.push_back(std::min(o.back() + stride, n - p));
  return o;
}

torch::Tensor blend_ramp(int64_t p, int64_t overlap) {
  auto u = torch::arange(p, torch::kFloat32);
  auto ramp =
      overlap > 0 ? torch::minimum(u + 0.5, p - u - 0.5).div(double(overlap)).clamp(0, 1) : torch::ones({p});
  return ramp.clamp_min(1e-3);
}

torch::Tensor blend_window(int64_t p, int64_t overlap) {
  const auto r = blend_ramp(p, overlap);
  return r.unsqueeze(1) * r.unsqueeze(0);
}

namespace {
// Average pooling by k along every spatial axis of [B, J, ...] (2-D or 3-D); k = 1 is the identity. `kernel`, when
// given, sets each spatial axis's window instead.
torch::Tensor avg_pool(const torch::Tensor& x, int64_t k, std::vector<int64_t> kernel = {}) {
  if (kernel.empty()) kernel.assign(static_cast<size_t>(x.dim() - 2), k);
  return x.dim() == 5 ? F::avg_pool3d(x, F::AvgPool3dFuncOptions(kernel)) : F::avg_pool2d(x, F::AvgPool2dFuncOptions(kernel));
}

torch::Tensor harden(const torch::Tensor& x, int64_t c) {
  auto lab = x.narrow(1, c, x.size(1) - c);
  auto hard = torch::zeros_like(lab).scatter_(1, lab.argmax(1, true), 1.0);
  return torch::cat({x.narrow(1, 0, c), hard}, 1);
}
}  // namespace

torch::Tensor downsample_joint(const torch::Tensor& x, int64_t c, int64_t size) {
  if (x.size(2) == size) return x;
  TORCH_CHECK(x.size(2) % size == 0, "downsample_joint: ", x.size(2), " is not a multiple of ", size);
  return harden(avg_pool(x, x.size(2) / size), c);
}

torch::Tensor upsample_condition(const torch::Tensor& x, int64_t c) {
  auto opts = F::InterpolateFuncOptions().scale_factor(twice(x.dim() - 2)).align_corners(false);
  if (x.dim() == 5)
    opts.mode(torch::kTrilinear);
  else
    opts.mode(torch::kBilinear);
  return F::interpolate(harden(x, c), opts);
}

namespace {
// The tile loop shared by refine_level and refine_level_file: level l of one image or volume at side n = 2h from
// level l - 1 (read through `crop`, which returns [1, J, ...] for a box [lo, hi) per axis), tile by tile,
// `tile_batch` tiles per forward pass, each tile's noise seeded from (seed, tile index) and its joint output
// ([J, p, ...]) handed to `emit` with its origin.
void refine_tiles(PatchGenerator& g, int64_t dims, int64_t h, int64_t c, int64_t patch, int64_t overlap,
                  int64_t tile_batch, uint64_t seed, torch::Device dev,
                  const std::function<torch::Tensor(const std::vector<int64_t>&, const std::vector<int64_t>&)>& crop,
                  const std::function<void(const std::vector<int64_t>&, const torch::Tensor&)>& emit) {
  const int64_t n = 2 * h, half = patch / 2;
  const auto origins = tile_origins(n, patch, overlap);
  std::vector<int64_t> tile_shape{1, 1};
  for (int64_t a = 0; a < dims; ++a) tile_shape.push_back(patch);
  std::vector<std::vector<int64_t>> tiles;  // origins per axis, the first axis outermost
  const auto no = static_cast<int64_t>(origins.size());
  int64_t count = 1;
  for (int64_t a = 0; a < dims; ++a) count *= no;
  for (int64_t t = 0; t < count; ++t) {
    std::vector<int64_t> o(static_cast<size_t>(dims));
    for (int64_t a = dims - 1, r = t; a >= 0; --a, r /= no) o[a] = origins[r % no];
    tiles.push_back(o);
  }
  for (size_t t0 = 0; t0 < tiles.size(); t0 += tile_batch) {
    const size_t t1 = std::min(tiles.size(), t0 + static_cast<size_t>(tile_batch));
    std::vector<torch::Tensor> conds, noises;
    for (size_t t = t0; t < t1; ++t) {
      // Crop level l - 1 with a 1 px margin so interpolation matches the whole-image result.
      std::vector<int64_t> lo(static_cast<size_t>(dims)), hi(lo), start(lo);
      for (int64_t a = 0; a < dims; ++a) {
        const int64_t l = tiles[t][a] / 2;
        lo[a] = std::max<int64_t>(0, l - 1);
        hi[a] = std::min(h, l + half + 1);
        start[a] = 2 * (l - lo[a]);
      }
      auto up = upsample_condition(crop(lo, hi).to(dev), c);
      for (int64_t a = 0; a < dims; ++a) up = up.slice(2 + a, start[a], start[a] + patch);
      conds.push_back(up);
      auto gen = at::make_generator<at::CPUGeneratorImpl>(mix_seed(seed, t));
      noises.push_back(torch::randn(tile_shape, gen).to(dev));
    }
    auto raw = g->forward(torch::cat(conds), torch::cat(noises));
    auto joint = joint_output(raw, c, false);
    for (size_t t = t0; t < t1; ++t) emit(tiles[t], joint[t - t0]);
  }
}

// The blending weights' sum along one axis of side n: the window is separable and the tiles form a grid, so
// the sum at a point is the product of one such vector per axis.
torch::Tensor weight_sum(int64_t n, int64_t patch, int64_t overlap) {
  const auto ramp = blend_ramp(patch, overlap);
  auto wsum = torch::zeros({n});
  for (auto o : tile_origins(n, patch, overlap)) wsum.slice(0, o, o + patch).add_(ramp);
  return wsum;
}

// The outer product of one ramp per axis: [p, p] or [p, p, p].
torch::Tensor window(const torch::Tensor& ramp, int64_t dims) {
  const int64_t p = ramp.size(0);
  return dims == 2 ? ramp.unsqueeze(1) * ramp.unsqueeze(0)
                   : ramp.view({p, 1, 1}) * ramp.view({1, p, 1}) * ramp.view({1, 1, p});
}
}  // namespace

torch::Tensor refine_level(PatchGenerator& g, const torch::Tensor& prev, int64_t c, int64_t patch,
                           int64_t overlap, int64_t tile_batch, uint64_t seed, torch::Tensor out) {
  const int64_t dims = prev.dim() - 2;  // 2 (images) or 3 (volumes); every axis has the same side
  TORCH_CHECK((dims == 2 || dims == 3) && prev.size(0) == 1, "refine_level: prev must be [1, J, h, h] or "
              "[1, J, h, h, h], got ", prev.sizes());
  const int64_t h = prev.size(2), n = 2 * h, j = prev.size(1);
  const auto dev = prev.device();
  const auto win = window(blend_ramp(patch, overlap), dims).to(dev);
  std::vector<int64_t> full{1, j};
  for (int64_t a = 0; a < dims; ++a) full.push_back(n);
  if (out.defined()) {
    TORCH_CHECK(out.sizes() == torch::IntArrayRef(full), "refine_level: out must be ", torch::IntArrayRef(full),
                ", got ", out.sizes());
    out.zero_();
  } else {
    out = torch::zeros(full, prev.options());
  }
  const auto wsum = weight_sum(n, patch, overlap).to(dev, prev.scalar_type());
  refine_tiles(
      g, dims, h, c, patch, overlap, tile_batch, seed, dev,
      [&](const std::vector<int64_t>& lo, const std::vector<int64_t>& hi) {
        torch::Tensor crop = prev;
        for (int64_t a = 0; a < dims; ++a) crop = crop.slice(2 + a, lo[a], hi[a]);
        return crop;
      },
      [&](const std::vector<int64_t>& o, const torch::Tensor& joint) {
        torch::Tensor dst = out;
        for (int64_t a = 0; a < dims; ++a) dst = dst.slice(2 + a, o[a], o[a] + patch);
        dst.add_(joint * win);
      });
  for (int64_t a = 0; a < dims; ++a) {
    std::vector<int64_t> shape(static_cast<size_t>(dims + 2), 1);
    shape[2 + a] = n;
    out.div_(wsum.view(shape));
  }
  return out;
}

void refine_level_file(PatchGenerator& g, const VolumeFile& prev, int64_t c, int64_t patch, int64_t overlap,
                       int64_t tile_batch, uint64_t seed, torch::Device device, VolumeFile& out) {
  const int64_t h = prev.side(), n = 2 * h;
  TORCH_CHECK(out.side() == n && out.channels() == prev.channels(), "refine_level_file: out must be ",
              prev.channels(), " channels of side ", n);
  const auto ramp = blend_ramp(patch, overlap);
  const auto win = window(ramp, 3).to(device);
  const auto wsum = weight_sum(n, patch, overlap);
  refine_tiles(
      g, 3, h, c, patch, overlap, tile_batch, seed, device,
      [&](const std::vector<int64_t>& lo, const std::vector<int64_t>& hi) {
        return prev.read({lo[0], lo[1], lo[2]}, {hi[0], hi[1], hi[2]});
      },
      [&](const std::vector<int64_t>& o, const torch::Tensor& joint) {
        // Each tile arrives already divided by the weight sum over its box, so the file holds final values
        // once every tile is in: nothing of the level's size is ever in memory.
        const auto wz = wsum.slice(0, o[0], o[0] + patch), wy = wsum.slice(0, o[1], o[1] + patch),
                   wx = wsum.slice(0, o[2], o[2] + patch);
        const auto norm = (wz.view({patch, 1, 1}) * wy.view({1, patch, 1}) * wx.view({1, 1, patch})).to(device);
        out.add({o[0], o[1], o[2]}, joint * (win / norm));
      });
}

namespace {

// The joint-space volume in `v` as <stem>_images.npy [1, C, S, S, S] (image channels mapped to [0, 1]) and
// <stem>_labels.npy [1, S, S, S] (argmax of the label channels), one axial slice at a time.
void write_volume_sample(const VolumeFile& v, int64_t c, const std::filesystem::path& stem) {
  const int64_t s = v.side();
  auto slice = [&](int64_t z) { return v.read({z, 0, 0}, {z + 1, s, s}).squeeze(0); };  // [J, 1, S, S]
  auto write = [&](const std::filesystem::path& path, const std::string& header,
                   const std::function<void(std::ofstream&)>& body) {
    replace_file_atomic(path, [&](const std::filesystem::path& tmp) {
      std::ofstream f(tmp, std::ios::binary);
      f.write(header.data(), static_cast<std::streamsize>(header.size()));
      body(f);
      f.flush();
      if (!f) throw std::runtime_error(fmt::format("{}: write failed (disk full?)", path.string()));
    });
  };
  write(stem.string() + "_images.npy", npy_header("<f4", {1, c, s, s, s}), [&](std::ofstream& f) {
    for (int64_t ch = 0; ch < c; ++ch)  // C order: channel, then z
      for (int64_t z = 0; z < s; ++z) {
        const auto img = slice(z).select(0, ch).add(1).mul_(0.5).clamp_(0, 1).contiguous();
        f.write(reinterpret_cast<const char*>(img.data_ptr<float>()), static_cast<std::streamsize>(img.nbytes()));
      }
  });
  write(stem.string() + "_labels.npy", npy_header("|u1", {1, s, s, s}), [&](std::ofstream& f) {
    for (int64_t z = 0; z < s; ++z) {
      const auto j = slice(z);
      const auto lab = j.narrow(0, c, j.size(0) - c).argmax(0).to(torch::kUInt8).contiguous();
      f.write(reinterpret_cast<const char*>(lab.data_ptr<uint8_t>()), static_cast<std::streamsize>(lab.nbytes()));
    }
  });
}

struct Level {
  int64_t side, patch, overlap;
  PatchGenerator g{nullptr};
  PatchDiscriminator d{nullptr};
  std::unique_ptr<torch::optim::Adam> opt_g, opt_d;
};

class MultiScaleModel : public GanModelBase {
 public:
  explicit MultiScaleModel(const ArchContext& ctx)
      : GanModelBase(ctx, ctx.capabilities), o_(ctx.options), G0_(nullptr), D0_(nullptr) {
    dims_ = ctx.modality.dims;
    patch_first_ = !whole_volume_step.load();
    C_ = ctx.modality.channels;
    J_ = C_ + ctx.modality.num_labels();
    size_ = ctx.modality.size;
    const int L = static_cast<int>(o_.at("levels"));
    torch::manual_seed(ctx.seed);
    shape0_ = {C_,
               ctx.modality.num_labels(),
               size_ >> (L - 1),
               static_cast<int>(o_.at("z_dim")),
               static_cast<int>(o_.at("base_channels")),
               static_cast<int>(o_.at("max_channels")),
               dims_};
    G0_ = DCGANGenerator(shape0_);
    D0_ = DCGANDiscriminator(shape0_);
    G0_->to(device_);
    D0_->to(device_);
    opt_g0_ = make_adam(G0_->parameters(), o_);
    opt_d0_ = make_adam(D0_->parameters(), o_);
    track("level0_generator", *G0_);
    track("level0_discriminator", *D0_);
    track("level0_generator", *opt_g0_);
    track("level0_discriminator", *opt_d0_);
    const int64_t ch = static_cast<int64_t>(o_.at("patch_channels"));
    levels_.resize(L - 1);
    for (int l = 1; l < L; ++l) {
      Level& lv = levels_[l - 1];
      lv.side = int64_t{shape0_.size} << l;
      lv.patch = std::min<int64_t>(static_cast<int64_t>(o_.at("patch")), lv.side);
      lv.overlap = lv.patch == lv.side ? 0 : std::lround(lv.patch * o_.at("overlap") / 2) * 2;
      lv.g = PatchGenerator(C_, J_, ch, dims_);
      lv.d = PatchDiscriminator(J_, ch, dims_);
      lv.g->to(device_);
      lv.d->to(device_);
      lv.opt_g = make_adam(lv.g->parameters(), o_);
      lv.opt_d = make_adam(lv.d->parameters(), o_);
      track(fmt::format("level{}_generator", l), *lv.g);
      track(fmt::format("level{}_discriminator", l), *lv.d);
      track(fmt::format("level{}_generator", l), *lv.opt_g);
      track(fmt::format("level{}_discriminator", l), *lv.opt_d);
    }
  }

  StepStats train_step(const Batch& real) override {
    const int64_t b = real.images.size(0);
    const torch::Tensor whole = whole_joint(real);  // undefined with patch_first
    StepStats stats;
    // Sums in float64 on the device, as the host sums of doubles were: the same numbers, no synchronisation.
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64).device(device_);
    torch::Tensor loss_d_sum = torch::zeros({}, f64), loss_g_sum = torch::zeros({}, f64),
                  sign_sum = torch::zeros({}, f64);
    auto add_to = [](torch::Tensor& sum, const torch::Tensor& v) { sum = sum + v.detach().to(torch::kFloat64); };

    // Level 0: unconditional, whole image at low resolution, LSGAN.
    {
      const auto real0 = patch_first_ ? real_level0(real) : downsample_joint(whole, C_, shape0_.size);
      const auto fake = G0_->forward(to_device_async(torch::randn({b, shape0_.z_dim}, noise_), device_));
      opt_d0_->zero_grad();
      const auto s_real = D0_->forward(d_input(real0));
      const auto loss_d = lsgan_d_loss(s_real, D0_->forward(d_input(fake.detach())));
      loss_d.backward();
      opt_d0_->step();
      opt_g0_->zero_grad();
      const auto loss_g = (D0_->forward(d_input(fake)) - 1).square().mean();
      loss_g.backward();
      opt_g0_->step();
      add_to(loss_d_sum, loss_d);
      add_to(loss_g_sum, loss_g);
      add_to(sign_sum, (s_real - 0.5).sign().mean());
    }
    // Levels >= 1: conditional patches, LSGAN + lambda * L1 (pix2pix, as in the reference code).
    for (size_t i = 0; i < levels_.size(); ++i) {
      Level& lv = levels_[i];
      const auto [target, cond] = patch_first_ ? patches_first(real, lv, noise_) : patches(whole, lv, noise_);
      const auto noise = to_device_async(torch::randn(patch_shape(b, lv.patch), noise_), device_);
      const auto fake = joint_output(lv.g->forward(cond, noise), C_, lv.g->is_training());
      lv.opt_d->zero_grad();
      auto d_pair = [&](const torch::Tensor& x) {
        const auto [c, y] = d_input_pair(cond, x);
        return lv.d->forward(c, y);
      };
      const auto s_real = d_pair(target);
      const auto loss_d = lsgan_d_loss(s_real, d_pair(fake.detach()));
      loss_d.backward();
      lv.opt_d->step();
      lv.opt_g->zero_grad();
      const auto l1 = (fake - target).abs().mean();
      const auto loss_g = (d_pair(fake) - 1).square().mean() + o_.at("l1_lambda") * l1;
      loss_g.backward();
      lv.opt_g->step();
      add_to(loss_d_sum, loss_d);
      add_to(loss_g_sum, loss_g);
      add_to(sign_sum, (s_real - 0.5).sign().mean());
      stats.add(fmt::format("l1_level{}", i + 1), l1);
    }
    stats.add("loss_d", loss_d_sum);
    stats.add("loss_g", loss_g_sum);
    stats.add("d_real_sign", sign_sum / double(levels_.size() + 1));
    return stats;
  }

  // Sum over levels of the LSGAN D losses on the same real batch and seeded latents, noise and patches.
  double discriminator_loss(const Batch& real, uint64_t seed) override {
    return frozen([&] {
      auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
      const int64_t b = real.images.size(0);
      const torch::Tensor whole = whole_joint(real);
      const auto fake0 = G0_->forward(to_device_async(torch::randn({b, shape0_.z_dim}, gen), device_));
      const auto real0 = patch_first_ ? real_level0(real) : downsample_joint(whole, C_, shape0_.size);
      double loss = lsgan_d_loss(D0_->forward(real0), D0_->forward(fake0)).item<double>();
      for (auto& lv : levels_) {
        const auto [target, cond] = patch_first_ ? patches_first(real, lv, gen) : patches(whole, lv, gen);
        const auto noise = to_device_async(torch::randn(patch_shape(b, lv.patch), gen), device_);
        const auto fake = joint_output(lv.g->forward(cond, noise), C_, lv.g->is_training());
        loss += lsgan_d_loss(lv.d->forward(cond, target), lv.d->forward(cond, fake)).item<double>();
      }
      return loss;
    });
  }

  // Volumes: every level >= 1 goes through a file beside `stem`, the output is written slice by slice; what is in
  // memory at once is level 0 and one tile batch. Images take the default (sample()).
  void sample_to_files(uint64_t seed, const std::filesystem::path& stem) override {
    if (dims_ != 3 || levels_.empty()) return GanModel::sample_to_files(seed, stem);
    const Sample low = sample_latent_generator(
        *G0_, [&](const torch::Tensor& z) { return G0_->forward(z); }, shape0_.z_dim, C_, 1, seed, device_);
    torch::NoGradGuard no_grad;
    auto scratch = [&](size_t l) {
      return stem.parent_path() / fmt::format(".{}.level{}.{}.f32", stem.filename().string(), l, ::getpid());
    };
    auto prev = std::make_unique<VolumeFile>(scratch(0), J_, shape0_.size);
    prev->assign(torch::cat({low.images * 2 - 1, low.label_probs}, 1));
    for (auto& lv : levels_) lv.g->eval();
    for (size_t l = 0; l < levels_.size(); ++l) {
      auto next = std::make_unique<VolumeFile>(scratch(l + 1), J_, prev->side() * 2);
      refine_level_file(levels_[l].g, *prev, C_, levels_[l].patch, levels_[l].overlap,
                        static_cast<int64_t>(o_.at("tile_batch")), mix_seed(seed, l + 1), device_, *next);
      prev = std::move(next);  // the level below is removed here
    }
    for (auto& lv : levels_) lv.g->train();
    write_volume_sample(*prev, C_, stem);
  }

  Sample sample(int64_t n, uint64_t seed) override {
    // Level 0 for all n, then each image separately through the patch levels.
    const Sample low = sample_latent_generator(
        *G0_, [&](const torch::Tensor& z) { return G0_->forward(z); }, shape0_.z_dim, C_, n, seed, device_);
    torch::NoGradGuard no_grad;
    for (auto& lv : levels_) lv.g->eval();
    if (levels_.empty()) return low;
    // The last level writes straight into the output (joint space): the only full-size buffers are the
    // output itself and the level below it.
    std::vector<int64_t> shape{n, J_};
    for (int a = 0; a < dims_; ++a) shape.push_back(size_);
    auto joint = torch::empty(shape, torch::TensorOptions().device(device_));
    for (int64_t i = 0; i < n; ++i) {
      auto x =
          torch::cat({low.images.narrow(0, i, 1) * 2 - 1, low.label_probs.narrow(0, i, 1)}, 1).to(device_);
      for (size_t l = 0; l < levels_.size(); ++l) {
        const bool last = l + 1 == levels_.size();
        x = refine_level(levels_[l].g, x, C_, levels_[l].patch, levels_[l].overlap,
                         static_cast<int64_t>(o_.at("tile_batch")),
                         mix_seed(seed, (uint64_t(i) << 8) | (l + 1)),
                         last ? joint.narrow(0, i, 1) : torch::Tensor());
      }
    }
    for (auto& lv : levels_) lv.g->train();
    joint = joint.to(torch::kCPU);
    auto images = joint.narrow(1, 0, C_).add_(1).mul_(0.5).clamp_(0, 1);
    auto probs = joint.narrow(1, C_, J_ - C_);
    return {images.contiguous(), probs.argmax(1), probs.contiguous()};
  }

 private:
  ArchOptions o_;
  int C_ = 1, J_ = 2, size_ = 16, dims_ = 2;
  DCGANShape shape0_{};
  DCGANGenerator G0_;
  DCGANDiscriminator D0_;
  std::unique_ptr<torch::optim::Adam> opt_g0_, opt_d0_;
  std::vector<Level> levels_;

  bool patch_first_ = true;

  // The whole batch's joint at full resolution, which only the whole-volume step uses; undefined otherwise.
  torch::Tensor whole_joint(const Batch& real) const {
    return patch_first_ ? torch::Tensor() : joint_input(real, J_ - C_).to(device_);
  }

  // The joint (image in [-1, 1], one-hot labels) of sample k of `real` over the box [lo, lo + len) per axis, in
  // full-resolution px, average-pooled by f and hardened as downsample_joint does (f = 1: the joint as it is).
  // Built plane by plane along the first axis, so that no one-hot copy of a whole stored volume is made.
  torch::Tensor pooled_box(const Batch& real, int64_t k, const std::vector<int64_t>& lo, const std::vector<int64_t>& len,
                           int64_t f) const {
    torch::Tensor im = real.images.narrow(0, k, 1), lb = real.labels.narrow(0, k, 1);
    for (int a = 1; a < dims_; ++a) {
      im = im.narrow(2 + a, lo[a], len[a]);
      lb = lb.narrow(1 + a, lo[a], len[a]);
    }
    // Within the other axes a plane pools by f at once; along the first axis its f planes are summed one by one,
    // so one full-resolution plane's joint is alive at a time (the mean of f planes' means is the block mean).
    std::vector<int64_t> kernel{1};
    for (int a = 1; a < dims_; ++a) kernel.push_back(f);
    std::vector<torch::Tensor> planes;
    for (int64_t z = lo[0]; z < lo[0] + len[0]; z += f) {
      torch::Tensor sum;
      for (int64_t i = 0; i < f; ++i) {
        Batch plane;
        plane.images = im.narrow(2, z + i, 1);
        plane.labels = lb.narrow(1, z + i, 1);
        auto j = joint_input(plane, J_ - C_).to(device_);
        if (f > 1) j = avg_pool(j, f, kernel);
        sum = sum.defined() ? sum.add_(j) : j;
      }
      planes.push_back(f == 1 ? sum : sum.div_(static_cast<double>(f)));
    }
    const auto out = torch::cat(planes, 2);
    return f == 1 ? out : harden(out, C_);
  }

  // Level 0's real batch, pooled from the stored images or volumes slab by slab: downsample_joint of the whole.
  torch::Tensor real_level0(const Batch& real) const {
    torch::NoGradGuard g;
    const std::vector<int64_t> lo(static_cast<size_t>(dims_), 0), len(static_cast<size_t>(dims_), size_);
    std::vector<torch::Tensor> rows;
    for (int64_t k = 0; k < real.images.size(0); ++k) rows.push_back(pooled_box(real, k, lo, len, size_ / shape0_.size));
    return torch::cat(rows);
  }

  // patches() cut from the stored batch first: for each sample, the box the patch and its condition need (the
  // patch's half-resolution footprint with the 1 px margin that bilinear/trilinear upsampling reads) is pooled to
  // the level from the stored images and labels alone, so memory follows the patch, not the volume. The same
  // positions from `gen`, and the same values: pooling and upsampling are local, and the margin (clamped where
  // the box meets the border, where the whole-volume interpolation clamps too) gives the interior its
  // neighbours.
  std::pair<torch::Tensor, torch::Tensor> patches_first(const Batch& real, const Level& lv, at::Generator& gen) {
    torch::NoGradGuard g;
    const int64_t b = real.images.size(0), f = size_ / lv.side, half = lv.side / 2, p = lv.patch;
    const auto pos = torch::randint(0, (lv.side - p) / 2 + 1, {b, dims_}, gen) * 2;
    std::vector<torch::Tensor> ts, cs;
    for (int64_t k = 0; k < b; ++k) {
      std::vector<int64_t> lo(static_cast<size_t>(dims_)), len(lo), off(lo);
      for (int a = 0; a < dims_; ++a) {
        const int64_t o = pos[k][a].item<int64_t>(), lo_h = std::max<int64_t>(0, o / 2 - 1),
                      hi_h = std::min(half, o / 2 + p / 2 + 1);
        lo[a] = lo_h * 2 * f;
        len[a] = (hi_h - lo_h) * 2 * f;
        off[a] = o - lo_h * 2;
      }
      const auto real_l = pooled_box(real, k, lo, len, f);
      auto c = upsample_condition(harden(avg_pool(real_l, 2), C_), C_);
      auto t = real_l;
      for (int a = 0; a < dims_; ++a) {
        t = t.slice(2 + a, off[a], off[a] + p);
        c = c.slice(2 + a, off[a], off[a] + p);
      }
      ts.push_back(t);
      cs.push_back(c);
    }
    return {torch::cat(ts), torch::cat(cs)};
  }

  // Random aligned patches of one level from a real joint batch: (target patches, their conditions, i.e. the
  // matching upsampled patches of the level below). Positions are drawn from `gen`.
  std::pair<torch::Tensor, torch::Tensor> patches(const torch::Tensor& x_real, const Level& lv,
                                                  at::Generator& gen) {
    torch::NoGradGuard g;
    const int64_t b = x_real.size(0);
    const auto real_l = downsample_joint(x_real, C_, lv.side);
    const auto cond_full = upsample_condition(downsample_joint(real_l, C_, lv.side / 2), C_);
    const auto pos = torch::randint(0, (lv.side - lv.patch) / 2 + 1, {b, dims_}, gen) * 2;
    std::vector<torch::Tensor> ts, cs;
    for (int64_t k = 0; k < b; ++k) {
      torch::Tensor t = real_l[k], c = cond_full[k];
      for (int a = 0; a < dims_; ++a) {
        const int64_t o = pos[k][a].item<int64_t>();
        t = t.slice(1 + a, o, o + lv.patch);
        c = c.slice(1 + a, o, o + lv.patch);
      }
      ts.push_back(t);
      cs.push_back(c);
    }
    return {torch::stack(ts), torch::stack(cs)};
  }

  // [b, 1, p, p] (volumes: [b, 1, p, p, p]): one noise channel per patch.
  std::vector<int64_t> patch_shape(int64_t b, int64_t p) const {
    std::vector<int64_t> shape{b, 1};
    for (int a = 0; a < dims_; ++a) shape.push_back(p);
    return shape;
  }
};

}  // namespace

ArchEntry multiscale_entry() {
  ArchEntry e;
  e.name = "multiscale";
  e.description = "Multi-scale patch GAN (MEGAN): low-res DCGAN + conditional patch levels, blended tiles";
  e.citation = "Uzunova et al. 2019, MICCAI";
  e.capabilities.loss = "lsgan_l1";
  e.capabilities.instance_noise =
      0.2;  // level 0 is DCGAN-shaped on exact label maps; as in the README's runs
  e.capabilities.multi_scale = true;
  e.min_size = 16;
  e.max_size = 1024;
  e.options = dcgan_shape_options(100);
  e.options.insert(
      e.options.end(),
      {
          {"levels", 2, 1, 8, true, "resolution levels; level 0 side = image_size / 2^(levels-1)"},
          {"patch", 64, 8, 1024, true,
           "patch side at levels >= 1, px (power of two; capped at the level side)"},
          {"overlap", 0.25, 0, 0.5, false, "tile overlap at sampling, fraction of the patch"},
          {"patch_channels", 32, 1, 512, true, "channels of the patch generator and critic"},
          {"l1_lambda", 10, 0, 1000, false, "weight of the L1 term at levels >= 1"},
          {"tile_batch", 8, 1, 256, true, "tiles per forward pass at sampling"},
      });
  add_options(e.options, adam_options(2e-4, 0.5, 0.999, "all networks"));
  e.check = [](int size, const ArchOptions& o) {
    const int levels = static_cast<int>(o.at("levels"));
    const int s0 = size >> (levels - 1);
    if (s0 < kMinLevel0)
      throw std::invalid_argument(fmt::format(
          "option 'levels' = {} is too many for image size {}: level 0 would be {} px (needs >= {})", levels,
          size, s0, kMinLevel0));
    const int patch = static_cast<int>(o.at("patch"));
    if (patch < kMinPatch || (patch & (patch - 1)) != 0)
      throw std::invalid_argument(
          fmt::format("option 'patch' must be a power of two >= {}, got {}", kMinPatch, patch));
  };
  e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> { return std::make_unique<MultiScaleModel>(ctx); };
  return e;
}

ArchEntry multiscale3d_entry() {
  ArchEntry e = multiscale_entry();
  e.name = "multiscale3d";
  e.description = "Multi-scale patch GAN in 3-D: low-res 3-D DCGAN + conditional cubic patch levels";
  e.citation = "Uzunova et al. 2019, MICCAI (3-D CT); Uzunova et al. 2020, MedIA";
  e.capabilities.volumetric = true;
  e.max_size = 1024;
  // 3-D activations grow with the cube of the side: narrower networks and 16^3 patches by default.
  set_option_defaults(e, {{"base_channels", 16}, {"max_channels", 128}, {"patch", 16}, {"patch_channels", 16}});
  return e;
}

}  // namespace ganbench
