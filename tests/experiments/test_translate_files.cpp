// ganbench translate (experiments/translate_files): a finished translation cell applied to NIfTI, PNG and
// .npy files keeps each input's geometry and format; through the identity cell the round trip is exact.
#include <doctest/doctest.h>

#include <cmath>

#include <nifti2_io.h>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "common/npy.h"
#include "datasets/modality.h"
#include "datasets/nifti.h"
#include "experiments/config.h"
#include "experiments/sweep.h"
#include "experiments/translate_files.h"
#include "tests/datasets/nifti_writer.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {

// One tiny sweep for every case: identity (nothing to train) on two directions, pix2pix for 2 steps.
const std::filesystem::path& trained_run() {
  static test::TempDir dir;
  static const std::filesystem::path run = [] {
    SweepConfig c = parse_sweep_config(R"(
name: tf
task: translation
architectures: [identity, pix2pix]
translation: {from: [degraded, liver], to: [liver, liver_mr]}
image_size: 32
threads: 2
train: {steps: 2, batch_size: 4, checkpoint_every: 0, log_every: 1}
data: {count: 30}
eval: {grid: 4, kid_subsets: 2, kid_subset_size: 4}
arch: {pix2pix: {ngf: 8, ndf: 8}}
)",
                                       "tf.yaml");
    c.output = dir.path();
    RunOptions ro;
    ro.progress = false;
    REQUIRE(run_sweep(c, ro).done == 4);
    return c.run_dir();
  }();
  return run;
}

TranslateFilesOptions options(const std::string& cell, const std::filesystem::path& in, const std::filesystem::path& out) {
  TranslateFilesOptions o;
  o.run_dir = trained_run();
  o.cell = cell;
  o.input = in;
  o.output = out;
  return o;
}

// A 40 x 32 x 3 CT volume in HU inside the liver window [-45, 105], stored LPS with 0.8 x 0.7 x 2.5 mm voxels.
std::vector<int16_t> ct_volume(test::NiftiSpec& s) {
  s.nx = 40, s.ny = 32, s.nz = 3;
  s.spacing[0] = 0.8f, s.spacing[1] = 0.7f, s.spacing[2] = 2.5f;
  float srow[3][4] = {{-0.8f, 0, 0, 5}, {0, -0.7f, 0, 7}, {0, 0, 2.5f, -9}};
  std::memcpy(s.srow, srow, sizeof srow);
  std::vector<int16_t> v(static_cast<size_t>(s.nx) * s.ny * s.nz);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int16_t>(-40 + static_cast<int>((i * 37) % 140));
  return v;
}

}  // namespace

TEST_SUITE("experiments") {
  TEST_CASE("translate: NIfTI keeps its grid and header; the identity CT cell returns the input's HU") {
    test::TempDir dir;
    test::NiftiSpec spec;
    const auto hu = ct_volume(spec);
    // 32 rows x 40 columns per slice: padded to 40 x 40 and resized to 32 px, then back.
    test::write_nifti(dir / "ct.nii.gz", spec, hu);
    const auto written = translate_files(options("identity-degraded2liver-s0", dir / "ct.nii.gz", dir / "out.nii.gz"));
    REQUIRE(written.size() == 1);
    const Volume in = read_nifti(dir / "ct.nii.gz"), out = read_nifti(dir / "out.nii.gz");
    CHECK(out.nx == 40);
    CHECK(out.ny == 32);
    CHECK(out.nz == 3);
    CHECK(out.datatype == "FLOAT32");
    for (int k = 0; k < 3; ++k) CHECK(out.spacing[k] == doctest::Approx(in.spacing[k]));
    for (int k = 0; k < 16; ++k) CHECK(out.affine[k] == doctest::Approx(in.affine[k]));
    // Down to 32 px and back up blurs the pattern, but the values stay HU in the window, near the input's mean.
    double mean_in = 0, mean_out = 0, lo = 1e9, hi = -1e9;
    for (size_t i = 0; i < in.data.size(); ++i) {
      mean_in += in.data[i] / in.data.size();
      mean_out += out.data[i] / out.data.size();
      lo = std::min<double>(lo, out.data[i]);
      hi = std::max<double>(hi, out.data[i]);
    }
    CHECK(lo >= -45 - 1e-3);
    CHECK(hi <= 105 + 1e-3);
    CHECK(mean_out == doctest::Approx(mean_in).epsilon(0.05));
    nifti_image* nim = nifti_image_read((dir / "out.nii.gz").c_str(), 0);
    REQUIRE(nim != nullptr);
    CHECK(std::string(nim->descrip).find("ganbench translated identity-degraded2liver-s0") == 0);
    nifti_image_free(nim);
  }

  TEST_CASE("translate: at the cell's own size the identity round trip is exact (NIfTI, PNG, .npy)") {
    test::TempDir dir;
    test::NiftiSpec spec;
    spec.nx = 32, spec.ny = 32, spec.nz = 2;
    std::vector<int16_t> hu(32 * 32 * 2);
    for (size_t i = 0; i < hu.size(); ++i) hu[i] = static_cast<int16_t>(-45 + static_cast<int>((i * 13) % 150));
    test::write_nifti(dir / "a.nii", spec, hu);
    translate_files(options("identity-degraded2liver-s0", dir / "a.nii", dir / "b.nii"));
    const Volume b = read_nifti(dir / "b.nii");
    for (size_t i = 0; i < hu.size(); ++i) CHECK(b.data[i] == doctest::Approx(hu[i]).epsilon(1e-5));
    // To MR: the same pixels through the CT window, in [0, 1].
    translate_files(options("identity-liver2liver_mr-s0", dir / "a.nii", dir / "c.nii"));
    const Volume c = read_nifti(dir / "c.nii");
    for (size_t i = 0; i < hu.size(); i += 97) CHECK(c.data[i] == doctest::Approx(ct_window(hu[i], 30, 150)).epsilon(1e-5));
    // A folder of a PNG and an .npy.
    std::filesystem::create_directories(dir / "in");
    cv::Mat png(32, 32, CV_8U);
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x) png.at<uint8_t>(y, x) = static_cast<uint8_t>((x * 8 + y * 3) % 256);
    cv::imwrite((dir / "in/p.png").string(), png);
    std::vector<float> arr(32 * 32);
    for (size_t i = 0; i < arr.size(); ++i) arr[i] = static_cast<float>(i % 32) / 31.0f;
    write_npy(dir / "in/q.npy", NpyArray::from_floats(arr, {32, 32}));
    const auto w = translate_files(options("identity-liver2liver_mr-s0", dir / "in", dir / "out"));
    CHECK(w.size() == 2);
    const cv::Mat back = cv::imread((dir / "out/p.png").string(), cv::IMREAD_UNCHANGED);
    REQUIRE(back.type() == CV_8U);
    CHECK(cv::countNonZero(back != png) == 0);
    const NpyArray q = read_npy(dir / "out/q.npy");
    CHECK(q.shape == std::vector<int64_t>{32, 32});
    CHECK(q.to_floats() == arr);
  }

  TEST_CASE("translate: a trained pix2pix cell changes the image; bad input is a clear error") {
    test::TempDir dir;
    test::NiftiSpec spec;
    const auto hu = ct_volume(spec);
    test::write_nifti(dir / "ct.nii.gz", spec, hu);
    translate_files(options("pix2pix-liver2liver_mr-s0", dir / "ct.nii.gz", dir / "mr.nii.gz"));
    const Volume mr = read_nifti(dir / "mr.nii.gz");
    CHECK(mr.nx == 40);
    bool in_unit = true;
    for (float v : mr.data) in_unit &= std::isfinite(v) && v >= 0 && v <= 1;
    CHECK(in_unit);
    CHECK_THROWS_WITH_AS(translate_files(options("pix2pix-cardiac-s0", dir / "ct.nii.gz", dir / "x.nii.gz")),
                         doctest::Contains("no cell 'pix2pix-cardiac-s0'"), std::runtime_error);
    CHECK_THROWS_WITH_AS(translate_files(options("pix2pix-liver2liver_mr-s0", dir / "none.nii", dir / "x.nii")),
                         doctest::Contains("no such file"), std::runtime_error);
    write_npy(dir / "rgb.npy", NpyArray::from_floats(std::vector<float>(3 * 8 * 8, 0.5f), {3, 8, 8}));
    CHECK_THROWS_WITH_AS(translate_files(options("pix2pix-liver2liver_mr-s0", dir / "rgb.npy", dir / "x.npy")),
                         doctest::Contains("expected [H, W]"), std::runtime_error);
    CHECK(!std::filesystem::exists(dir / "x.npy"));
    CHECK_THROWS_WITH_AS(translate_files(options("pix2pix-liver2liver_mr-s0", dir / "ct.nii.gz", dir / "ct.nii.gz")),
                         doctest::Contains("overwrite its input"), std::runtime_error);
  }
}
