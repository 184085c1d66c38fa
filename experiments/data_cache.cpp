#include "experiments/data_cache.h"

#include <chrono>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/npy.h"
#include "common/runtime.h"
#include "experiments/transfer.h"
#include "metrics/frechet.h"

namespace ganbench {
namespace fs = std::filesystem;

// The real side of the cell scorer for one modality, served from the cache.
class DataCache::Reference : public RealReference {
 public:
  Reference(DataCache& cache, std::string modality) : cache_(cache), modality_(std::move(modality)) {}
  FeatureExtractor* extractor(const std::string& space) override { return cache_.extractor(space); }
  const FeatureStats& stats(const std::string& space) override { return cache_.real_stats(modality_, space); }
  const torch::Tensor& features(const std::string& space) override {
    return cache_.real_features(modality_, space);
  }
  std::pair<double, int64_t> floor(const std::string& space, int64_t n) override {
    return cache_.real_floor(modality_, space, n);
  }
  const torch::Tensor& test_features(const std::string& space) override {
    return cache_.real_features(modality_, space, true);
  }
  const torch::Tensor& images(bool test) override {
    const Splits& s = cache_.splits(modality_);
    return test ? s.test.images : s.train.images;
  }
  const torch::Tensor& labels(bool test) override {
    const Splits& s = cache_.splits(modality_);
    return test ? s.test.labels : s.train.labels;
  }

 private:
  DataCache& cache_;
  std::string modality_;
};

DataCache::DataCache(const SweepConfig& cfg, c10::Device device, std::filesystem::path record_dir)
    : cfg_(cfg), device_(device), record_dir_(std::move(record_dir)) {}
DataCache::~DataCache() = default;

RealReference& DataCache::reference(const std::string& modality) {
  auto& r = references_[modality];
  if (!r) r = std::make_unique<Reference>(*this, modality);
  return *r;
}

const Splits& DataCache::splits(const std::string& modality) {
  auto it = splits_.find(modality);
  if (it != splits_.end()) return it->second;
  const auto& entry = find_modality(modality);
  const auto t0 = std::chrono::steady_clock::now();
  ImageSet all = load_modality_data(entry, cfg_.data, static_cast<int>(cfg_.image_size));
  const ModalitySpec spec = entry.spec.at_size(cfg_.image_size, cfg_.data.dims);
  const std::string source = cfg_.data.source_for(modality).format;
  check_image_set(all, spec, fmt::format("{} '{}'", source, modality));
  Splits s = split_by_subject(all, cfg_.data.seed, {cfg_.data.val_fraction, cfg_.data.test_fraction});
  if (s.train.size() < 2 || s.test.size() < 2)
    throw std::runtime_error(fmt::format(
        "{} {}: the subject split leaves {} training and {} test images; scoring needs at least 2 of each "
        "(more subjects, or a larger data.test_fraction)",
        modality, source, s.train.size(), s.test.size()));
  if (!record_dir_.empty()) {
    std::map<std::string, std::pair<std::string, int>> rows;  // subject -> (split, images)
    for (const auto& [name, part] :
         {std::pair<const char*, const ImageSet*>{"train", &s.train}, {"val", &s.val}, {"test", &s.test}})
      for (const auto& subj : part->subjects) {
        rows[subj].first = name;
        ++rows[subj].second;
      }
    std::string csv = "subject,split,images\n";
    for (const auto& [subj, r] : rows) csv += fmt::format("{},{},{}\n", subj, r.first, r.second);
    fs::create_directories(record_dir_);
    write_file_atomic(record_dir_ / (modality + "_split.csv"), csv);
  }
  fmt::print(stderr, "ganbench: {} {}: {} {} ({} train / {} val / {} test) in {:.1f}s\n", modality,
             source, all.size(), cfg_.data.dims == 3 ? "volumes" : "images", s.train.size(), s.val.size(), s.test.size(),
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return splits_.emplace(modality, std::move(s)).first->second;
}

FeatureExtractor* DataCache::extractor(const std::string& name) {
  if (auto it = extractors_.find(name); it != extractors_.end()) return it->second.get();
  ExtractorOptions opts;
  opts.inception_weights = cfg_.eval.inception_weights;
  opts.inception_dims = cfg_.eval.inception_dims;
  opts.device = device_;
  std::unique_ptr<FeatureExtractor> ex;
  try {
    ex = make_feature_extractor(name, opts);
    if (name == "inception") fmt::print(stderr, "ganbench: {}\n", ex->description());
  } catch (const ExtractorUnavailable& e) {
    fmt::print(stderr, "ganbench: {}; its metrics are left out\n", e.what());
  }
  return extractors_.emplace(name, std::move(ex)).first->second.get();
}

namespace {
// The folder of the real-feature cache: a path, "auto" ($XDG_CACHE_HOME/ganbench/features) or "" (off).
fs::path feature_cache_dir(const std::string& setting) {
  if (setting.empty()) return {};
  if (setting != "auto") return setting;
  const fs::path base = user_cache_dir();
  return base.empty() ? base : base / "features";
}
}  // namespace

const torch::Tensor& DataCache::real_features(const std::string& modality, const std::string& name,
                                              bool test) {
  const std::string key = modality + "/" + name + (test ? "/test" : "");
  if (auto it = feats_.find(key); it != feats_.end()) return it->second;
  FeatureExtractor* ex = extractor(name);
  if (!ex) throw std::logic_error("real_features: extractor '" + name + "' is unavailable");
  const torch::Tensor& images = test ? splits(modality).test.images : splits(modality).train.images;
  // Features of real data are cached on disk by content: the images' bytes and the extractor's key.
  const fs::path dir = feature_cache_dir(cfg_.eval.feature_cache);
  fs::path file;
  if (!dir.empty()) {
    auto c = images.contiguous();
    const uint64_t h = fnv1a64(std::string_view(static_cast<const char*>(c.data_ptr()), c.nbytes()),
                               fnv1a64(ex->cache_key()));
    file = dir / fmt::format("{}-{}.npy", ex->cache_key(), hex64(h));
    std::error_code ec;
    if (fs::exists(file, ec)) {
      try {
        const NpyArray a = read_npy(file);
        if (a.shape.size() == 2 && a.shape[0] == images.size(0)) {
          auto v = a.to_floats();
          return feats_
              .emplace(key, torch::from_blob(v.data(), {a.shape[0], a.shape[1]}, torch::kFloat32).clone())
              .first->second;
        }
      } catch (const std::exception& e) {
        fmt::print(stderr, "ganbench: ignoring unreadable feature cache {}: {}\n", file.string(), e.what());
      }
    }
  }
  torch::Tensor f = ex->extract(images).to(torch::kCPU, torch::kFloat32).contiguous();
  if (!file.empty()) {
    try {
      fs::create_directories(file.parent_path());
      write_npy(file, NpyArray::from_floats(
                          std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel()),
                          {f.size(0), f.size(1)}));
    } catch (const std::exception& e) {
      fmt::print(stderr, "ganbench: could not write feature cache {}: {}\n", file.string(), e.what());
    }
  }
  return feats_.emplace(key, f).first->second;
}

const FeatureStats& DataCache::real_stats(const std::string& modality, const std::string& extractor) {
  const std::string key = modality + "/" + extractor;
  if (auto it = stats_.find(key); it != stats_.end()) return it->second;
  return stats_.emplace(key, compute_stats(to_eigen(real_features(modality, extractor)))).first->second;
}

std::pair<double, int64_t> DataCache::real_floor(const std::string& modality, const std::string& extractor,
                                                 int64_t n) {
  constexpr uint64_t kFloorSeedSalt = 0xF100;  // which real images form the two subsets
  const std::string key = fmt::format("{}/{}/{}", modality, extractor, n);
  if (auto it = floors_.find(key); it != floors_.end()) return it->second;
  const Splits& s = splits(modality);
  const auto pool = torch::cat({s.train.images, s.val.images, s.test.images}, 0);
  const int64_t side = std::min<int64_t>(n, pool.size(0) / 2);
  const auto rows = sample_rows(pool.size(0), 2 * side, mix_seed(cfg_.data.seed, kFloorSeedSalt));
  const auto idx = torch::tensor(std::vector<int64_t>(rows.begin(), rows.end()), torch::kInt64);
  FeatureExtractor& ex = *this->extractor(extractor);
  const double fd = frechet_distance(extract_stats(ex, pool.index_select(0, idx.slice(0, 0, side))),
                                     extract_stats(ex, pool.index_select(0, idx.slice(0, side))));
  return floors_.emplace(key, std::make_pair(fd, side)).first->second;
}

const SegScore& DataCache::seg_baseline(const std::string& modality, uint64_t seed, uint64_t train_subjects) {
  const std::string key = fmt::format("{}/{}/{}", modality, seed, train_subjects);
  if (auto it = seg_baselines_.find(key); it != seg_baselines_.end()) return it->second;
  const Splits& s = splits(modality);
  const ModalitySpec spec = find_modality(modality).spec.at_size(cfg_.image_size, cfg_.data.dims);
  UNet net{nullptr};
  const ImageSet train = train_subjects > 0 ? first_subjects(s.train, train_subjects, modality) : s.train;
  SegScore score = train_and_score(train, s.val, s.test, spec, cfg_.segmentation,
                                   mix_seed(seed, kUNetSeedSalt), device_, &net);
  seg_nets_.emplace(key, net);
  return seg_baselines_.emplace(key, std::move(score)).first->second;
}

UNet DataCache::seg_baseline_net(const std::string& modality, uint64_t seed, uint64_t train_subjects) {
  seg_baseline(modality, seed, train_subjects);
  return seg_nets_.at(fmt::format("{}/{}/{}", modality, seed, train_subjects));
}

}  // namespace ganbench
