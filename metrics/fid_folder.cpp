#include "metrics/fid_folder.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/image_read.h"

namespace fs = std::filesystem;

namespace ganbench {
namespace {
constexpr int64_t kFidSize = 299;  // Inception input side; images are resized one by one to it
}

std::vector<fs::path> list_fid_images(const fs::path& dir) {
  static const std::set<std::string> kExt = {".bmp", ".jpg", ".jpeg", ".pgm", ".png",
                                             ".ppm", ".tif", ".tiff", ".webp"};
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error(fmt::format("{}: folder not found", dir.string()));
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && kExt.count(e.path().extension().string())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw std::runtime_error(
        fmt::format("{}: no images (looked for lower-case .bmp .jpg .jpeg .pgm .png .ppm .tif .tiff .webp, "
                    "as pytorch-fid)",
                    dir.string()));
  return files;
}

torch::Tensor read_rgb_image(const fs::path& path) {
  const cv::Mat bgr = read_image_file(path, cv::IMREAD_COLOR);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  auto t = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).clone();
  return t.permute({2, 0, 1}).to(torch::kFloat32).div_(255.0f);
}

FeatureStats folder_stats(const fs::path& dir, FeatureExtractor& ex, const FolderStatsOptions& opts) {
  const auto files = list_fid_images(dir);
  if (files.size() < 2)
    throw std::runtime_error(fmt::format("{}: {} image; FID needs at least 2 to estimate a covariance",
                                         dir.string(), files.size()));
  fs::path cache;
  if (!opts.cache_dir.empty()) {
    uint64_t h = fnv1a64(ex.cache_key());
    for (const auto& f : files) h = fnv1a64(read_file(f), fnv1a64(f.filename().string(), h));
    cache = opts.cache_dir / fmt::format("stats-{}-{}.npz", ex.cache_key(), hex64(h));
    std::error_code ec;
    if (fs::exists(cache, ec)) {
      try {
        FeatureStats s = load_stats_npz(cache);
        s.n = static_cast<int64_t>(files.size());
        if (opts.progress)
          fmt::print(stderr, "ganbench fid: {}: statistics from cache {}\n", dir.string(), cache.string());
        return s;
      } catch (const std::exception& e) {
        fmt::print(stderr, "ganbench fid: ignoring unreadable cache {}: {}\n", cache.string(), e.what());
      }
    }
  }
  FeatureAccumulator acc(ex.dims(3));
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t n = static_cast<int64_t>(files.size());
  namespace F = torch::nn::functional;
  // Images [i, i + batch) decoded, resized to 299 px and stacked.
  auto load_batch = [&](int64_t i) {
    std::vector<torch::Tensor> batch;
    for (int64_t j = i; j < std::min(n, i + opts.batch_size); ++j) {
      auto img = read_rgb_image(files[j]).unsqueeze(0);
      if (img.size(2) != kFidSize || img.size(3) != kFidSize)
        img = F::interpolate(img, F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{kFidSize, kFidSize})
                                      .mode(torch::kBilinear)
                                      .align_corners(false));
      batch.push_back(img);
    }
    return torch::cat(batch, 0);
  };
  // A reader thread decodes the next batch while the network runs on this one.
  std::future<torch::Tensor> next = std::async(std::launch::async, load_batch, 0);
  for (int64_t i = 0; i < n; i += opts.batch_size) {
    const torch::Tensor x = next.get();  // rethrows a decoding error, naming the file
    if (i + opts.batch_size < n) next = std::async(std::launch::async, load_batch, i + opts.batch_size);
    auto f = ex.extract(x).to(torch::kCPU, torch::kFloat64).contiguous();
    acc.add(f.data_ptr<double>(), f.size(0));
    if (opts.progress) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(stderr, "ganbench fid: {}: {}/{} images, {:.1f} images/s\n", dir.string(), acc.count(), n,
                 acc.count() / std::max(s, 1e-9));
    }
  }
  FeatureStats s = acc.finish();
  if (!cache.empty()) {
    try {
      fs::create_directories(cache.parent_path());
      save_stats_npz(cache, s);
    } catch (const std::exception& e) {
      fmt::print(stderr, "ganbench fid: could not write cache {}: {}\n", cache.string(), e.what());
    }
  }
  return s;
}

}  // namespace ganbench
