#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/npy.h"
#include "metrics/paired_image.h"
#include "tests/test_util.h"

using namespace ganbench;

namespace {

struct Case {
  std::vector<int64_t> shape;
  std::vector<double> gt, pred, mask;
  ImagePair pair() const { return {shape, gt.data(), pred.data(), mask.empty() ? nullptr : mask.data()}; }
};

Case load_case(const std::string& name) {
  const auto dir = test::fixtures() / "synthrad";
  Case c;
  const NpyArray g = read_npy(dir / (name + "_gt.npy"));
  c.shape = g.shape;
  c.gt = g.to_doubles();
  c.pred = read_npy(dir / (name + "_pred.npy")).to_doubles();
  c.mask = read_npy(dir / (name + "_mask.npy")).to_doubles();
  return c;
}

// tests/fixtures/synthrad/metrics.tsv: case, mae, psnr, ssim, ms_ssim from the SynthRAD code's calls.
std::vector<double> expected(const std::string& name) {
  std::ifstream f(test::fixtures() / "synthrad" / "metrics.tsv");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream s(line);
    std::string c;
    s >> c;
    if (c != name) continue;
    std::vector<double> v(4);
    for (auto& x : v) s >> x;
    return v;
  }
  FAIL("no row for ", name);
  return {};
}

Case constant(std::vector<int64_t> shape, double gt, double pred) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  return {shape, std::vector<double>(n, gt), std::vector<double>(n, pred), {}};
}

}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("paired metrics: hand-computed values") {
    // gt 0, pred 10 everywhere but one voxel masked out where pred is 1000: MAE 10 inside the mask.
    Case c = constant({8, 8}, 0, 10);
    c.mask.assign(64, 1);
    c.mask[0] = 0, c.pred[0] = 1000;
    CHECK(paired_mae(c.pair()) == doctest::Approx(10).epsilon(1e-15));
    // PSNR = 10 log10(4024^2 / 100) = 20 log10(402.4)
    CHECK(paired_psnr(c.pair()) == doctest::Approx(20 * std::log10(402.4)).epsilon(1e-14));
    // [0, 1] range (MR): an error of 0.1 everywhere is 20 dB.
    Case mr = constant({8, 8}, 0.5, 0.6);
    CHECK(paired_psnr(mr.pair(), kUnitRange) == doctest::Approx(20).epsilon(1e-12));
    // Constant images without a mask (no variance): SSIM is the luminance term alone,
    // (2 x y + C1) / (x^2 + y^2 + C1) after the +1024 shift, with C1 = (0.01 x 4024)^2.
    const Case u = constant({8, 8}, 0, 10);
    const double x = 1024, y = 1034, c1 = 40.24 * 40.24;
    CHECK(paired_ssim(u.pair()) == doctest::Approx((2 * x * y + c1) / (x * x + y * y + c1)).epsilon(1e-12));
  }

  TEST_CASE("paired metrics: identical images give MAE 0, PSNR +inf, SSIM and MS-SSIM 1") {
    const Case c = load_case("ct2d");
    const ImagePair same{c.shape, c.gt.data(), c.gt.data(), c.mask.data()};
    CHECK(paired_mae(same) == 0.0);
    CHECK(std::isinf(paired_psnr(same)));
    CHECK(paired_psnr(same) > 0);
    CHECK(paired_ssim(same) == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(paired_ms_ssim(same) == doctest::Approx(1.0).epsilon(1e-12));
  }

  TEST_CASE("paired metrics equal SynthRAD's evaluation code on frozen pairs (2-D, 3-D, clipped)") {
    for (const char* name : {"ct2d", "ct3d", "clipped2d"}) {
      CAPTURE(name);
      const Case c = load_case(name);
      const auto want = expected(name);
      CHECK(paired_mae(c.pair()) == doctest::Approx(want[0]).epsilon(1e-12));
      CHECK(paired_psnr(c.pair()) == doctest::Approx(want[1]).epsilon(1e-12));
      CHECK(paired_ssim(c.pair()) == doctest::Approx(want[2]).epsilon(1e-10));
      CHECK(paired_ms_ssim(c.pair()) == doctest::Approx(want[3]).epsilon(1e-9));
    }
  }

  TEST_CASE("paired metrics: a worse prediction scores worse on every metric") {
    const Case c = load_case("ct2d");
    Case worse = c;
    for (size_t i = 0; i < worse.pred.size(); ++i) worse.pred[i] = c.gt[i] + 3 * (c.pred[i] - c.gt[i]);
    CHECK(paired_mae(worse.pair()) > paired_mae(c.pair()));
    CHECK(paired_psnr(worse.pair()) < paired_psnr(c.pair()));
    CHECK(paired_ssim(worse.pair()) < paired_ssim(c.pair()));
    CHECK(paired_ms_ssim(worse.pair()) < paired_ms_ssim(c.pair()));
  }

  TEST_CASE("paired metrics: bad input is a clear error") {
    Case c = constant({8, 8}, 0, 1);
    c.mask.assign(64, 0);  // empty mask
    CHECK_THROWS_WITH_AS(paired_mae(c.pair()), doctest::Contains("mask is empty"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(paired_ssim(c.pair()), doctest::Contains("mask is empty"), std::invalid_argument);
    c.mask.assign(64, 0);
    c.mask[0] = 1;  // only in the border SSIM crops
    CHECK(paired_mae(c.pair()) == 1.0);
    CHECK_THROWS_WITH_AS(paired_ssim(c.pair()), doctest::Contains("border"), std::invalid_argument);
    Case small = constant({5, 40}, 0, 1);
    CHECK_THROWS_WITH_AS(paired_ssim(small.pair()), doctest::Contains("at least 7"), std::invalid_argument);
    Case nan = constant({8, 8}, 0, 1);
    nan.pred[3] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(paired_psnr(nan.pair()), doctest::Contains("non-finite"), std::invalid_argument);
    Case flat = constant({8}, 0, 1);
    CHECK_THROWS_WITH_AS(paired_mae(flat.pair()), doctest::Contains("2-D or 3-D"), std::invalid_argument);
    CHECK_THROWS_AS(paired_psnr(c.pair(), IntensityRange{1, 1}), std::invalid_argument);
  }
}
