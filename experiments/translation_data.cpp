#include "experiments/translation_data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

#include "architectures/registry.h"
#include "common/hash.h"
#include "datasets/modality.h"

namespace ganbench {
namespace {

constexpr uint64_t kHalvesSalt = 0x4A1F;  // the unpaired protocol's split of the training subjects

ImageSet rows(const ImageSet& s, const std::vector<int64_t>& idx) {
  ImageSet out;
  const auto t = torch::tensor(idx, torch::kInt64);
  out.images = s.images.index_select(0, t);
  out.labels = s.labels.index_select(0, t);
  for (auto i : idx) out.subjects.push_back(s.subjects[i]);
  out.spacing_mm = s.spacing_mm;
  return out;
}

// For every row of `target`, the row of `source` with the same subject and position among that subject's
// images.
std::vector<int64_t> match_rows(const ImageSet& source, const ImageSet& target, const char* split) {
  std::map<std::string, std::vector<int64_t>> by_subject;
  for (size_t i = 0; i < source.subjects.size(); ++i) by_subject[source.subjects[i]].push_back(int64_t(i));
  std::map<std::string, size_t> used;
  std::vector<int64_t> idx;
  for (const auto& subj : target.subjects) {
    auto it = by_subject.find(subj);
    if (it == by_subject.end())
      throw std::invalid_argument(fmt::format(
          "not a paired data set: subject '{}' is in the target's {} split but not in the source's (the two "
          "modalities need the same subjects, split alike: same data.seed and subject ids)",
          subj, split));
    size_t& k = used[subj];
    if (k >= it->second.size())
      throw std::invalid_argument(fmt::format(
          "not a paired data set: subject '{}' has more target than source images in the {} split", subj, split));
    idx.push_back(it->second[k++]);
  }
  for (const auto& [subj, r] : by_subject)
    if (used[subj] != r.size())
      throw std::invalid_argument(fmt::format(
          "not a paired data set: subject '{}' has {} source images in the {} split and {} target images", subj,
          r.size(), split, used[subj]));
  return idx;
}

ImageSet with_source(ImageSet target, const ImageSet& source, const std::vector<int64_t>& idx) {
  target.source = source.images.index_select(0, torch::tensor(idx, torch::kInt64));
  target.source_paired = true;
  return target;
}

}  // namespace

TranslationSplits translation_splits(const Splits& source, const Splits& target, const std::string& protocol,
                                     uint64_t seed) {
  if (protocol != "paired" && protocol != "unpaired")
    throw std::invalid_argument(fmt::format("unknown translation protocol '{}'; valid: paired, unpaired", protocol));
  TranslationSplits t;
  t.protocol = protocol;
  const auto tr = match_rows(source.train, target.train, "training");
  const auto va = match_rows(source.val, target.val, "validation");
  const auto te = match_rows(source.test, target.test, "test");
  t.val = with_source(target.val, source.val, va);
  t.test = with_source(target.test, source.test, te);
  t.source_val = rows(source.val, va);
  if (protocol == "paired") {
    t.train = with_source(target.train, source.train, tr);
    t.source_train = rows(source.train, tr);
    t.source_subjects = t.source_train.subjects;
    return t;
  }
  // Unpaired: shuffle the distinct training subjects (sorted first, so the halves depend on the ids alone)
  // and halve them.
  const std::set<std::string> distinct(target.train.subjects.begin(), target.train.subjects.end());
  std::vector<std::string> subjects(distinct.begin(), distinct.end());
  if (subjects.size() < 2)
    throw std::invalid_argument(fmt::format(
        "the unpaired protocol halves the training subjects, and there are {} (more subjects)", subjects.size()));
  const uint64_t s = mix_seed(seed, kHalvesSalt);
  for (size_t i = subjects.size() - 1; i > 0; --i) std::swap(subjects[i], subjects[mix_seed(s, i) % (i + 1)]);
  const std::set<std::string> source_half(subjects.begin(), subjects.begin() + subjects.size() / 2);
  std::vector<int64_t> tgt_rows, src_rows;  // rows of target.train, and of source.train
  for (size_t i = 0; i < target.train.subjects.size(); ++i) {
    if (source_half.count(target.train.subjects[i]))
      src_rows.push_back(tr[i]);
    else
      tgt_rows.push_back(int64_t(i));
  }
  t.train = rows(target.train, tgt_rows);
  t.source_train = rows(source.train, src_rows);
  t.train.source = t.source_train.images;
  t.train.source_paired = false;
  t.source_subjects = t.source_train.subjects;
  return t;
}

torch::Tensor degrade_images(const torch::Tensor& images, const DegradeConfig& d, uint64_t seed) {
  namespace F = torch::nn::functional;
  TORCH_CHECK(images.dim() == 4, "degrade: images must be [N, C, H, W]");
  const int64_t h = images.size(2), w = images.size(3);
  TORCH_CHECK(h % d.factor == 0 && w % d.factor == 0, "degrade: the factor ", d.factor, " must divide ", h, " x ", w);
  torch::NoGradGuard ng;
  auto x = images.to(torch::kFloat32);
  if (d.blur_sigma > 0) {  // separable Gaussian, radius ceil(3 sigma), edges replicated
    const int64_t r = static_cast<int64_t>(std::ceil(3 * d.blur_sigma));
    auto k = torch::arange(-r, r + 1, torch::kFloat64);
    k = torch::exp(-(k * k) / (2 * d.blur_sigma * d.blur_sigma));
    k = (k / k.sum()).to(torch::kFloat32);
    const int64_t c = x.size(1);
    const auto kx = k.view({1, 1, 1, -1}).repeat({c, 1, 1, 1}), ky = k.view({1, 1, -1, 1}).repeat({c, 1, 1, 1});
    x = F::pad(x, F::PadFuncOptions({r, r, r, r}).mode(torch::kReplicate));
    x = F::conv2d(x, kx, F::Conv2dFuncOptions().groups(c));
    x = F::conv2d(x, ky, F::Conv2dFuncOptions().groups(c));
  }
  if (d.factor > 1) x = F::avg_pool2d(x, F::AvgPool2dFuncOptions(d.factor));
  if (d.noise > 0) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    x = x + d.noise * torch::randn(x.sizes(), gen, torch::kFloat32);
  }
  x = x.clamp(0, 1);
  if (d.factor > 1)
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{h, w})
                              .mode(torch::kBicubic)
                              .align_corners(false))
            .clamp(0, 1);
  return x.contiguous();
}

Splits degraded_splits(const Splits& target, const DegradeConfig& d, uint64_t seed) {
  Splits s = target;
  uint64_t salt = 0;
  for (ImageSet* part : {&s.train, &s.val, &s.test}) part->images = degrade_images(part->images, d, mix_seed(seed, ++salt));
  return s;
}

torch::Tensor translate_in_batches(GanModel& model, const torch::Tensor& source) {
  constexpr int64_t kBatch = 64;  // source images per translate() call
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < source.size(0); i += kBatch)
    out.push_back(model.translate(source.slice(0, i, std::min(source.size(0), i + kBatch))));
  return torch::cat(out).contiguous();
}

int source_channels(const std::string& from, const std::string& to) {
  return find_modality(from == TranslationConfig::kDegraded ? to : from).spec.channels;
}

std::unique_ptr<GanModel> create_translator(const SweepConfig& cfg, const std::string& arch, c10::Device device,
                                            uint64_t seed, std::shared_ptr<DInputAugment> augment) {
  if (cfg.translation.from.size() != 1 || cfg.translation.to.size() != 1)
    throw std::invalid_argument("create_translator: the config must hold one direction (a cell's config)");
  const std::string &from = cfg.translation.from[0], &to = cfg.translation.to[0];
  ArchContext ctx;
  ctx.modality = find_modality(to).spec.at_size(cfg.image_size, 2);
  ctx.source_channels = source_channels(from, to);
  ctx.device = device;
  ctx.seed = seed;
  ctx.batch_size = cfg.train.batch_size;
  ctx.augment = augment ? std::move(augment)
                        : std::make_shared<DInputAugment>(AugmentConfig{}, ctx.modality.channels,
                                                          ctx.source_channels + ctx.modality.channels);
  if (auto it = cfg.arch.find(arch); it != cfg.arch.end()) ctx.options = it->second;
  return create_architecture(arch, ctx);
}

}  // namespace ganbench
