// The held-out test split never reaches training: every image of every batch the GAN trainer and the U-Net
// trainer draw (datasets' sample_batch) is hashed and compared with the hashes of the test split's images,
// for the built-in phantom and for a real-format (image folder) source with a subject pattern.
#include <doctest/doctest.h>

#include <set>

#include <torch/torch.h>
#include <opencv2/imgcodecs.hpp>

#include "common/hash.h"
#include "experiments/data_cache.h"
#include "experiments/sweep.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {
// One hash per image of [N, C, H, W] float images, over their bytes.
std::set<uint64_t> image_hashes(const torch::Tensor& images) {
  std::set<uint64_t> out;
  const auto x = images.to(torch::kFloat32).contiguous();
  const int64_t per = x.numel() / std::max<int64_t>(1, x.size(0));
  for (int64_t i = 0; i < x.size(0); ++i)
    out.insert(fnv1a64(std::string_view(reinterpret_cast<const char*>(x.data_ptr<float>() + i * per),
                                        static_cast<size_t>(per) * sizeof(float))));
  return out;
}

// Runs the sweep with every training batch observed; checks that no test image was drawn.
void check_no_leak(const SweepConfig& cfg, const std::string& modality) {
  std::set<uint64_t> seen;
  int64_t batches = 0;
  set_batch_observer([&](const Batch& b) {
    ++batches;
    const auto h = image_hashes(b.images);
    seen.insert(h.begin(), h.end());
  });
  RunOptions opts;
  opts.progress = false;
  const SweepSummary s = run_sweep(cfg, opts);
  set_batch_observer(nullptr);
  REQUIRE(s.failed == 0);
  DataCache data(cfg);
  const Splits& sp = data.splits(modality);
  const auto test = image_hashes(sp.test.images), train = image_hashes(sp.train.images);
  REQUIRE(test.size() > 0);
  CHECK(batches > cfg.train.steps);  // the GAN's batches and the U-Nets' batches were all seen
  size_t leaked = 0, from_train = 0;
  for (uint64_t h : seen) leaked += test.count(h), from_train += train.count(h);
  CHECK(leaked == 0);
  CHECK(from_train > 0);  // the check can fail: training images are recognised
  MESSAGE(modality, ": ", seen.size(), " distinct images drawn in ", batches, " batches, ", from_train,
          " of them training images, ", leaked, " test images");
}

const char* kSmall = R"(
architectures: [dcgan]
seeds: [0]
image_size: 16
threads: 2
train: {steps: 6, batch_size: 8, checkpoint_every: 0, log_every: 3}
eval: {samples: 16, grid: 4, kid_subsets: 2, kid_subset_size: 8}
segmentation: {enabled: true, ratios: [1], steps: 6, batch_size: 4, eval_every: 3, depth: 2, base_channels: 4}
arch: {dcgan: {z_dim: 8, base_channels: 8}}
)";
}  // namespace

TEST_SUITE("experiments") {
  TEST_CASE("leak check: no test-split image reaches GAN or U-Net training (phantom)") {
    test::TempDir dir;
    SweepConfig cfg = parse_sweep_config(std::string("name: leak_phantom\nmodalities: [cardiac]\n"
                                                     "data: {count: 40}\n") +
                                             kSmall,
                                         "leak.yaml");
    cfg.output = dir.path();
    check_no_leak(cfg, "cardiac");
  }

  TEST_CASE("leak check: a folder source with a subject pattern never splits a subject, nor leaks it") {
    test::TempDir dir;
    // 15 subjects x 3 slices, each slice distinct; masks 0/255 by name.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
    for (int s = 0; s < 15; ++s)
      for (int k = 0; k < 3; ++k) {
        const auto noise = (torch::rand({12, 12, 3}, gen) * 255).to(torch::kUInt8).contiguous();
        cv::Mat im(12, 12, CV_8UC3, noise.data_ptr<uint8_t>());
        cv::Mat mk(12, 12, CV_8U, cv::Scalar(0));
        mk(cv::Rect(2 + k, 2, 4, 6)).setTo(255);
        const std::string stem = fmt::format("s{:02d}_slice{}", s, k);
        fs::create_directories(dir / "data/images");
        fs::create_directories(dir / "data/masks");
        REQUIRE(cv::imwrite((dir / ("data/images/" + stem + ".png")).string(), im));
        REQUIRE(cv::imwrite((dir / ("data/masks/" + stem + ".png")).string(), mk));
      }
    const std::string yaml = fmt::format(
        "name: leak_folder\nmodalities: [retina]\ndata:\n  test_fraction: 0.2\n  sources:\n    retina: "
        "{{format: folder, path: '{}', subject: '^(s\\d+)_slice\\d+'}}\n{}",
        (dir / "data").string(), kSmall);
    SweepConfig cfg = parse_sweep_config(yaml, "leak_folder.yaml");
    cfg.output = dir / "runs";
    DataCache data(cfg);
    const Splits& sp = data.splits("retina");
    // Every subject's three slices sit in one split.
    std::map<std::string, std::set<std::string>> where;
    for (const auto& [name, part] :
         {std::pair<const char*, const ImageSet*>{"train", &sp.train}, {"val", &sp.val}, {"test", &sp.test}})
      for (const auto& subj : part->subjects) where[subj].insert(name);
    CHECK(where.size() == 15);
    for (const auto& [subj, splits] : where) {
      CAPTURE(subj);
      CHECK(splits.size() == 1);
    }
    CHECK(sp.train.size() + sp.val.size() + sp.test.size() == 45);
    check_no_leak(cfg, "retina");
    // A pattern without a capture group, and a file that does not match, are clear errors.
    CHECK_THROWS_WITH(
        parse_sweep_config(
            fmt::format("name: x\nmodalities: [retina]\ndata: {{sources: {{retina: {{format: folder, "
                        "path: '{}', subject: 's\\d+'}}}}}}\n{}",
                        (dir / "data").string(), kSmall),
            "bad.yaml"),
        doctest::Contains(
            "key 'data.sources.retina.subject': subject pattern 's\\d+' needs exactly one capture group"));
    SweepConfig wrong = cfg;
    wrong.data.sources["retina"].subject = "^(p\\d+)_";
    DataCache d2(wrong);
    CHECK_THROWS_WITH(d2.splits("retina"), doctest::Contains("does not match the subject pattern"));
  }
}
