#include "datasets/dataset.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include "common/device_copy.h"
#include "common/hash.h"

namespace ganbench {

void check_image_set(const ImageSet& set, const ModalitySpec& spec, const std::string& what) {
  const auto& im = set.images;
  const auto& lb = set.labels;
  const int64_t nd = spec.dims + 2;  // [N, C, spatial...]
  const bool cube = im.defined() && im.dim() == nd && im.size(nd - 1) == im.size(nd - 2) &&
                    im.size(2) == im.size(nd - 1);
  if (!cube || im.size(1) != spec.channels)
    throw std::invalid_argument(
        fmt::format("{}: images must be {}, got {}", what,
                    spec.dims == 3 ? fmt::format("[N, {}, S, S, S]", spec.channels)
                                   : fmt::format("[N, {}, H, H]", spec.channels),
                    im.defined() ? fmt::format("[{}]", fmt::join(im.sizes(), ", ")) : "nothing"));
  if (im.scalar_type() != torch::kFloat32)
    throw std::invalid_argument(fmt::format("{}: images must be float32", what));
  bool labels_match = lb.defined() && lb.dim() == nd - 1 && lb.size(0) == im.size(0);
  for (int64_t d = 1; labels_match && d < nd - 1; ++d) labels_match = lb.size(d) == im.size(d + 1);
  if (!labels_match)
    throw std::invalid_argument(fmt::format("{}: labels must be [N, {}] matching the images", what,
                                            spec.dims == 3 ? "D, H, W" : "H, W"));
  if (lb.scalar_type() != torch::kUInt8)
    throw std::invalid_argument(fmt::format("{}: labels must be uint8 (stored_labels converts them)", what));
  if (static_cast<int64_t>(set.subjects.size()) != im.size(0))
    throw std::invalid_argument(fmt::format("{}: one subject id per image required", what));
  if (im.numel() > 0) {
    const double lo = im.min().item<double>(), hi = im.max().item<double>();
    if (!(lo >= 0.0 && hi <= 1.0))
      throw std::invalid_argument(
          fmt::format("{}: image values must lie in [0, 1], found [{}, {}]", what, lo, hi));
    const int64_t lmin = lb.min().item<int64_t>(), lmax = lb.max().item<int64_t>();
    if (lmin < 0 || lmax >= spec.num_labels())
      throw std::invalid_argument(fmt::format("{}: label value {} out of range [0, {})", what,
                                              lmin < 0 ? lmin : lmax, spec.num_labels()));
  }
}

namespace {
ImageSet take(const ImageSet& all, const std::vector<int64_t>& idx) {
  ImageSet out;
  auto t = torch::tensor(idx, torch::kInt64);
  out.images = all.images.index_select(0, t);
  out.labels = all.labels.index_select(0, t);
  for (auto i : idx) out.subjects.push_back(all.subjects[i]);
  out.spacing_mm = all.spacing_mm;
  return out;
}
}  // namespace

Splits split_by_subject(const ImageSet& all, uint64_t seed, const SplitFractions& f) {
  if (f.val < 0 || f.test <= 0 || f.val + f.test >= 1)
    throw std::invalid_argument("split fractions: need test > 0, val >= 0 and val + test < 1");
  std::map<std::string, std::vector<int64_t>> by_subject;
  for (int64_t i = 0; i < all.size(); ++i) by_subject[all.subjects[i]].push_back(i);
  std::vector<std::string> subjects;
  for (const auto& kv : by_subject) subjects.push_back(kv.first);
  if (subjects.size() < 3)
    throw std::invalid_argument(fmt::format("need at least 3 subjects to split, found {}", subjects.size()));
  // Seeded Fisher-Yates on the sorted subject list, so the split does not depend on load order.
  for (size_t i = subjects.size() - 1; i > 0; --i)
    std::swap(subjects[i], subjects[mix_seed(seed, i) % (i + 1)]);
  const auto n = static_cast<double>(subjects.size());
  const size_t n_test = std::max<size_t>(1, static_cast<size_t>(n * f.test + 0.5));
  const size_t n_val = f.val > 0 ? std::max<size_t>(1, static_cast<size_t>(n * f.val + 0.5)) : 0;
  std::vector<int64_t> tr, va, te;
  for (size_t s = 0; s < subjects.size(); ++s) {
    auto& dst = s < n_test ? te : (s < n_test + n_val ? va : tr);
    for (auto i : by_subject[subjects[s]]) dst.push_back(i);
  }
  std::sort(tr.begin(), tr.end());
  std::sort(va.begin(), va.end());
  std::sort(te.begin(), te.end());
  return {take(all, tr), take(all, va), take(all, te)};
}

ImageSet make_phantom_set(const ModalityEntry& modality, int size, int64_t count, uint64_t seed,
                          const IntensityOptions& intensity, int dims) {
  const PhantomFn& phantom = dims == 3 ? modality.phantom3d : modality.phantom;
  if (!phantom)
    throw std::invalid_argument(fmt::format("modality '{}' has no {}phantom (modalities with one: ganbench list "
                                            "modalities)",
                                            modality.spec.name, dims == 3 ? "3-D " : ""));
  const int c = modality.spec.channels;
  std::vector<int64_t> shape{count, c, size, size}, label_shape{count, size, size};
  if (dims == 3) {
    shape.push_back(size);
    label_shape.push_back(size);
  }
  const size_t voxels = dims == 3 ? size_t(size) * size * size : size_t(size) * size;
  ImageSet set;
  set.images = torch::empty(shape, torch::kFloat32);
  auto labels_u8 = torch::empty(label_shape, torch::kUInt8);
  set.subjects.resize(count);
  at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const PhantomSample p = phantom(size, mix_seed(seed, static_cast<uint64_t>(i)), intensity);
      if (p.image.size() != static_cast<size_t>(c) * voxels || p.labels.size() != voxels)
        throw std::logic_error(
            fmt::format("phantom '{}' returned the wrong number of pixels", modality.spec.name));
      std::copy(p.image.begin(), p.image.end(), set.images[i].data_ptr<float>());
      std::copy(p.labels.begin(), p.labels.end(), labels_u8[i].data_ptr<uint8_t>());
      set.subjects[i] = fmt::format("phantom{:05d}", i);
    }
  });
  set.labels = labels_u8;
  if (dims == 3 && modality.phantom_fov_mm > 0) set.spacing_mm = modality.phantom_fov_mm / size;
  return set;
}

namespace {
BatchObserver& batch_observer() {
  static BatchObserver observer;
  return observer;
}
}  // namespace

void set_batch_observer(BatchObserver observer) { batch_observer() = std::move(observer); }

Batch sample_batch(const ImageSet& set, int64_t n, at::Generator& gen) {
  if (set.size() == 0) throw std::invalid_argument("cannot sample a batch from an empty image set");
  // Drawn on the CPU generator (the same batches on every device), used where the set lives.
  auto idx = to_device_async(torch::randint(set.size(), {n}, gen, torch::kInt64), set.images.device());
  Batch b{set.images.index_select(0, idx), set.labels.index_select(0, idx).to(torch::kInt64), {}};
  if (set.source.defined()) {
    if (set.source_paired) {
      b.source = set.source.index_select(0, idx);
    } else {
      if (set.source.size(0) == 0) throw std::invalid_argument("cannot sample a batch from an empty source set");
      b.source = set.source.index_select(
          0, to_device_async(torch::randint(set.source.size(0), {n}, gen, torch::kInt64), set.source.device()));
    }
  }
  if (batch_observer()) batch_observer()(b);
  return b;
}

torch::Tensor stored_labels(const torch::Tensor& labels) {
  if (!labels.defined() || labels.scalar_type() == torch::kUInt8) return labels;
  if (torch::isFloatingType(labels.scalar_type()) || labels.scalar_type() == torch::kBool)
    throw std::invalid_argument("label maps must hold integers");
  if (labels.numel() > 0 && (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() > 255))
    throw std::invalid_argument(fmt::format("label values must lie in [0, 255], found [{}, {}]",
                                            labels.min().item<int64_t>(), labels.max().item<int64_t>()));
  return labels.to(torch::kUInt8);
}

torch::Tensor one_hot_labels(const torch::Tensor& labels, int64_t num_labels) {
  // one_hot appends the class axis; it moves to position 1.
  return torch::one_hot(labels.to(torch::kInt64), num_labels).movedim(-1, 1).to(torch::kFloat32).contiguous();
}

}  // namespace ganbench
