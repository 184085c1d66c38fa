#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "datasets/cardiac_phantom.h"

using namespace ganbench;

TEST_SUITE("datasets") {
  TEST_CASE("cardiac phantom is deterministic for a seed and varies across seeds") {
    const auto a = cardiac_phantom(32, 7), b = cardiac_phantom(32, 7), c = cardiac_phantom(32, 8);
    CHECK(a.image == b.image);
    CHECK(a.labels == b.labels);
    CHECK(a.image != c.image);
    CHECK(a.labels != c.labels);
  }

  TEST_CASE("cardiac phantom: values in [0,1], ACDC labels, anatomy in the right order") {
    for (uint64_t seed = 0; seed < 20; ++seed) {
      const auto p = cardiac_phantom(64, seed);
      REQUIRE(p.image.size() == 64u * 64u);
      CHECK(*std::min_element(p.image.begin(), p.image.end()) >= 0.0f);
      CHECK(*std::max_element(p.image.begin(), p.image.end()) <= 1.0f);
      std::set<int> present(p.labels.begin(), p.labels.end());
      CHECK(present == std::set<int>{0, 1, 2, 3});  // every slice shows RV, myocardium and LV
      // Mean intensity per class: blood pools are bright, myocardium dark (bSSFP contrast).
      double sum[4] = {0, 0, 0, 0}, n[4] = {0, 0, 0, 0};
      for (size_t i = 0; i < p.labels.size(); ++i) {
        sum[p.labels[i]] += p.image[i];
        n[p.labels[i]] += 1;
      }
      const double rv = sum[1] / n[1], myo = sum[2] / n[2], lv = sum[3] / n[3];
      CHECK(lv > myo + 0.25);
      CHECK(rv > myo + 0.2);
      // The LV cavity is enclosed by myocardium: LV pixels never touch background or RV directly.
      int touching = 0;
      for (int y = 1; y < 63; ++y)
        for (int x = 1; x < 63; ++x) {
          if (p.labels[y * 64 + x] != kCardiacLV) continue;
          for (int d : {-1, 1, -64, 64}) {
            const int l = p.labels[y * 64 + x + d];
            touching += (l == kCardiacBackground || l == kCardiacRV);
          }
        }
      CHECK(touching == 0);
    }
  }

  TEST_CASE("cardiac phantom rejects impossible sizes") {
    CHECK_THROWS_AS(cardiac_phantom(4, 0), std::invalid_argument);
  }

  TEST_CASE("modality registry: cardiac is built in, unknown names list the valid ones") {
    register_builtin_modalities();
    register_builtin_modalities();  // idempotent
    CHECK(find_modality("cardiac").spec.labels.size() == 4);
    CHECK_THROWS_WITH(find_modality("brain"), doctest::Contains("valid: cardiac"));
    CHECK_THROWS_AS(register_modality(cardiac_modality()), std::logic_error);
  }

  TEST_CASE("phantom rng: uniform in [0,1), normal has unit variance") {
    PhantomRng r(3);
    double s = 0, s2 = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
      const double u = r.uniform();
      CHECK(u >= 0.0);
      CHECK(u < 1.0);
      const double z = r.normal();
      s += z;
      s2 += z * z;
    }
    CHECK(std::abs(s / n) < 0.03);
    CHECK(std::abs(s2 / n - 1.0) < 0.05);
  }
}
