#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "experiments/sweep.h"
#include "results/results_store.h"
#include "tests/datasets/nifti_writer.h"
#include "tests/metrics/formula_weights.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {
// ACDC layout: `patients` x 2 frames, 8x8x3 volumes; slices 1-2 hold an LV disc ringed by myocardium.
void make_acdc(const fs::path& root, int patients) {
  test::NiftiSpec s;
  s.nx = s.ny = 16;
  for (int p = 1; p <= patients; ++p) {
    const std::string id = fmt::format("patient{:03d}", p);
    for (int frame : {1, 10}) {
      std::vector<int16_t> img;
      std::vector<uint8_t> lab;
      for (int z = 0; z < s.nz; ++z)
        for (int y = 0; y < 16; ++y)
          for (int x = 0; x < 16; ++x) {
            const double r = std::hypot(x - 8 + p * 0.3, y - 8);
            const uint8_t l = z == 0 ? 0 : (r < 3 ? 3 : (r < 5 ? 2 : (x < 4 ? 1 : 0)));
            lab.push_back(l);
            img.push_back(static_cast<int16_t>(l == 3 ? 900 : l == 2 ? 300 : l == 1 ? 800 : 100 + 10 * x));
          }
      write_nifti(root / id / fmt::format("{}_frame{:02d}.nii.gz", id, frame), s, img);
      test::NiftiSpec ls = s;
      ls.datatype = NIFTI_TYPE_UINT8;
      write_nifti(root / id / fmt::format("{}_frame{:02d}_gt.nii.gz", id, frame), ls, lab);
    }
  }
}

void make_drive(const fs::path& root, int n) {
  fs::create_directories(root / "images");
  fs::create_directories(root / "1st_manual");
  for (int i = 0; i < n; ++i) {
    cv::Mat im(20, 20, CV_8UC3, cv::Scalar(30, 80, 200));
    cv::Mat mk(20, 20, CV_8U, cv::Scalar(0));
    cv::line(mk, {2, 2 + i}, {18, 15 - i}, cv::Scalar(255), 2);
    im.setTo(cv::Scalar(20, 40, 90), mk);
    cv::imwrite((root / "images" / fmt::format("{:02d}_training.png", 21 + i)).string(), im);
    cv::imwrite((root / "1st_manual" / fmt::format("{:02d}_manual1.png", 21 + i)).string(), mk);
  }
}

std::map<std::string, double> final_metrics(const ResultsStore& s, const std::string& cell, int64_t step) {
  std::map<std::string, double> m;
  for (const auto& r : s.metrics(cell))
    if (r.step == step) m[r.name] = r.value;
  return m;
}
}  // namespace

TEST_SUITE("experiments") {
  TEST_CASE("a sweep trains on real-format data (ACDC NIfTI, DRIVE-like folder) and scores FID Inception") {
    test::TempDir tmp;
    make_acdc(tmp / "acdc", 6);
    make_drive(tmp / "drive", 10);
    test::write_formula_weights(tmp / "fid.safetensors");
    const std::string yaml = fmt::format(R"(
name: real
architectures: [dcgan]
modalities: [cardiac, retina]
image_size: 16
threads: 2
train: {{steps: 6, batch_size: 4, checkpoint_every: 0, log_every: 3}}
data:
  sources:
    cardiac: {{format: acdc, path: {0}/acdc}}
    retina: {{format: folder, path: {0}/drive, masks: 1st_manual}}
eval: {{samples: 8, grid: 4, kid_subsets: 2, kid_subset_size: 4, extractors: [handcrafted, inception],
        inception_weights: {0}/fid.safetensors, inception_dims: 64, feature_cache: {0}/cache}}
arch: {{dcgan: {{z_dim: 8, base_channels: 8}}}}
)",
                                         tmp.path().string());
    SweepConfig c = parse_sweep_config(yaml, "real.yaml");
    c.output = tmp / "runs";
    RunOptions opts;
    opts.progress = false;
    const SweepSummary sum = run_sweep(c, opts);
    CHECK(sum.done == 2);
    CHECK(sum.failed == 0);
    ResultsStore store(c.run_dir() / "results.db");
    for (const std::string cell : {"dcgan-cardiac-s0", "dcgan-retina-s0"}) {
      INFO(cell);
      const auto m = final_metrics(store, cell, 6);
      REQUIRE(m.count("fid_inception"));
      CHECK(std::isfinite(m.at("fid_inception")));
      CHECK(m.at("fid_inception") > 0);
      CHECK(m.count("kid_inception"));
      CHECK(m.count("fid_inception_real_floor"));
      CHECK(m.at("precision_inception") >= 0);
      CHECK(m.at("recall_inception") <= 1);
      CHECK(m.count("fd_handcrafted"));
    }
    // Real-data features were cached by content; a second sweep over the same data reuses them.
    size_t cached = 0;
    for (const auto& e : fs::directory_iterator(tmp / "cache")) cached += e.path().extension() == ".npy";
    CHECK(cached == 8);  // 2 modalities x 2 extractors x (training split, test split for the memorization audit)
    // The split is recorded: every ACDC patient once, in one split, with both frames' slices.
    const std::string split = read_file(c.run_dir() / "data" / "cardiac_split.csv");
    CHECK(split.rfind("subject,split,images\n", 0) == 0);
    CHECK(split.find("patient001,") != std::string::npos);
    CHECK(std::count(split.begin(), split.end(), '\n') == 7);  // header + 6 patients
    CHECK(split.find(",test,4\n") != std::string::npos);       // 2 frames x 2 non-empty slices
    // The resolved config records the source of each modality.
    const std::string resolved = read_file(c.run_dir() / "cells" / "dcgan-cardiac-s0" / "config.yaml");
    CHECK(resolved.find("format: acdc") != std::string::npos);
  }

  TEST_CASE("without Inception weights the sweep runs and leaves FID out instead of guessing") {
    test::TempDir tmp;
    const std::string yaml = R"(
name: noweights
architectures: [dcgan]
modalities: [liver]
image_size: 16
threads: 2
train: {steps: 4, batch_size: 4, checkpoint_every: 0}
data: {count: 20}
eval: {samples: 8, grid: 2, kid_subsets: 2, kid_subset_size: 4, extractors: [handcrafted, inception],
       inception_weights: /nonexistent/fid.safetensors, feature_cache: ""}
arch: {dcgan: {z_dim: 8, base_channels: 8}}
)";
    SweepConfig c = parse_sweep_config(yaml, "nw.yaml");
    c.output = tmp / "runs";
    RunOptions opts;
    opts.progress = false;
    CHECK(run_sweep(c, opts).done == 1);
    ResultsStore store(c.run_dir() / "results.db");
    const auto m = final_metrics(store, "dcgan-liver-s0", 4);
    CHECK(m.count("fd_handcrafted") == 1);
    CHECK(m.count("fid_inception") == 0);
    CHECK(m.count("kid_inception") == 0);
  }
}
