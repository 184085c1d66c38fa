#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "datasets/dataset.h"
#include "datasets/liver_phantom.h"
#include "datasets/retina_phantom.h"

using namespace ganbench;

namespace {
template <typename T>
double mean_where(const std::vector<T>& v, const std::vector<uint8_t>& lab, int label, size_t offset = 0) {
  double s = 0, n = 0;
  for (size_t i = 0; i < lab.size(); ++i)
    if (lab[i] == label) s += v[offset + i], n += 1;
  return n > 0 ? s / n : -1e9;
}
}  // namespace

TEST_SUITE("datasets") {
  TEST_CASE("liver phantom: deterministic per seed, different across seeds") {
    const auto a = liver_phantom(32, 3), b = liver_phantom(32, 3), c = liver_phantom(32, 4);
    CHECK(a.image == b.image);
    CHECK(a.labels == b.labels);
    CHECK(a.image != c.image);
    CHECK(a.labels != c.labels);
    CHECK(a.image.size() == 32u * 32u);
    CHECK(a.fov.empty());
  }

  TEST_CASE("liver phantom: Hounsfield units by tissue, LiTS labels, window mapping") {
    int with_tumour = 0;
    for (uint64_t seed = 0; seed < 20; ++seed) {
      std::vector<uint8_t> lab;
      const auto hu = liver_phantom_hu(64, seed, &lab);
      CHECK(hu[0] == doctest::Approx(-1000.0));  // corner: air outside the body
      const std::set<int> present(lab.begin(), lab.end());
      CHECK(present.count(kLiverLiver));
      CHECK(*present.rbegin() <= kLiverTumour);
      const double liver = mean_where(hu, lab, kLiverLiver);
      CHECK(liver > 45);  // parenchyma ~60 HU, raised a little by contrast vessels
      CHECK(liver < 100);
      const double background = mean_where(hu, lab, kLiverBackground);
      CHECK(background < liver);
      CHECK(*std::max_element(hu.begin(), hu.end()) > 400);  // bone
      if (present.count(kLiverTumour)) {
        ++with_tumour;
        CHECK(mean_where(hu, lab, kLiverTumour) < liver - 15);  // hypodense
      }
      const auto p = liver_phantom(64, seed);
      for (size_t i = 0; i < hu.size(); ++i) CHECK(p.image[i] == ct_window(hu[i], 30, 150));
    }
    CHECK(with_tumour >= 5);  // about half the slices have tumours
    CHECK(with_tumour <= 16);
    // Window maths: L - W/2 -> 0, L -> 0.5, L + W/2 -> 1, clipped outside.
    CHECK(ct_window(-45, 30, 150) == doctest::Approx(0.0));
    CHECK(ct_window(30, 30, 150) == doctest::Approx(0.5));
    CHECK(ct_window(105, 30, 150) == doctest::Approx(1.0));
    CHECK(ct_window(-1000, 30, 150) == 0.0f);
    CHECK(ct_window(1000, 30, 150) == 1.0f);
    IntensityOptions wide;
    wide.ct_window_width = 2000;  // a bone-ish window keeps fat above 0
    const auto w = liver_phantom(32, 1, wide);
    CHECK(*std::max_element(w.image.begin(), w.image.end()) > 0.6f);
    CHECK_THROWS_AS(liver_phantom(4, 0), std::invalid_argument);
  }

  TEST_CASE("retina phantom: RGB fundus, vessels darker in green, FOV mask") {
    const auto a = retina_phantom(64, 9), b = retina_phantom(64, 9), c = retina_phantom(64, 10);
    CHECK(a.image == b.image);
    CHECK(a.labels == b.labels);
    CHECK(a.image != c.image);
    for (uint64_t seed = 0; seed < 12; ++seed) {
      const auto p = retina_phantom(64, seed);
      const size_t n = 64 * 64;
      REQUIRE(p.image.size() == 3 * n);
      REQUIRE(p.fov.size() == n);
      CHECK(*std::min_element(p.image.begin(), p.image.end()) >= 0.0f);
      CHECK(*std::max_element(p.image.begin(), p.image.end()) <= 1.0f);
      const std::set<int> present(p.labels.begin(), p.labels.end());
      CHECK(present == std::set<int>{0, 1});
      // Outside the field of view: black, no vessels. Corners are outside the circular FOV.
      CHECK(p.fov[0] == 0);
      CHECK(p.fov[32 * 64 + 32] == 1);
      size_t in_fov = 0, vessel = 0;
      for (size_t i = 0; i < n; ++i) {
        if (!p.fov[i]) CHECK(p.labels[i] == 0);
        in_fov += p.fov[i];
        vessel += p.labels[i];
      }
      CHECK(p.image[0] == 0.0f);
      // DRIVE: vessels cover about 8-15% of the field of view; thin ones vanish at 64 px.
      const double frac = static_cast<double>(vessel) / in_fov;
      CHECK(frac > 0.03);
      CHECK(frac < 0.3);
      // Fundus colour: red > green > blue over the retina.
      std::vector<uint8_t> fov_lab(p.fov.begin(), p.fov.end());
      const double r = mean_where(p.image, fov_lab, 1, 0), g = mean_where(p.image, fov_lab, 1, n),
                   bl = mean_where(p.image, fov_lab, 1, 2 * n);
      CHECK(r > g);
      CHECK(g > bl);
      // Vessels absorb: darker than the background retina in green.
      std::vector<uint8_t> bg(n);
      for (size_t i = 0; i < n; ++i) bg[i] = p.fov[i] && !p.labels[i];
      CHECK(mean_where(p.image, p.labels, 1, n) < mean_where(p.image, bg, 1, n) - 0.02);
    }
    CHECK_THROWS_AS(retina_phantom(2, 0), std::invalid_argument);
  }

  TEST_CASE("the built-in modalities are registered with their sources") {
    register_builtin_modalities();
    CHECK(modality_names() == std::vector<std::string>{"cardiac", "liver", "liver_mr", "retina", "synthrad_cbct",
                                                        "synthrad_ct", "synthrad_mr"});
    CHECK(find_modality("liver").spec.labels == std::vector<std::string>{"background", "liver", "tumour"});
    CHECK(find_modality("retina").spec.channels == 3);
    CHECK(find_modality("retina").spec.labels == std::vector<std::string>{"background", "vessel"});
    const auto& ls = find_modality("liver").sources;
    CHECK(std::find(ls.begin(), ls.end(), "lits") != ls.end());
    CHECK(std::find(ls.begin(), ls.end(), "msd") != ls.end());
    const auto& cs = find_modality("cardiac").sources;
    CHECK(std::find(cs.begin(), cs.end(), "acdc") != cs.end());
  }

  TEST_CASE("liver phantom as MR: the CT slice's anatomy, per-tissue T1/T2 contrast, bias field, Rician noise") {
    const int n = 96;
    for (uint64_t seed : {3u, 11u, 20u}) {
      CAPTURE(seed);
      std::vector<uint8_t> ct_labels, t1_labels, t2_labels;
      liver_phantom_hu(n, seed, &ct_labels);
      const auto t1 = liver_phantom_mr(n, seed, MrWeighting::t1, &t1_labels);
      const auto t2 = liver_phantom_mr(n, seed, MrWeighting::t2, &t2_labels);
      CHECK(t1_labels == ct_labels);  // one label map serves both modalities
      CHECK(t2_labels == ct_labels);
      CHECK(liver_phantom_mr(n, seed, MrWeighting::t1) == t1);  // deterministic per seed
      CHECK(liver_phantom_mr(n, seed + 1, MrWeighting::t1) != t1);
      auto mean_of = [&](const std::vector<float>& img, uint8_t label) {
        double s = 0;
        int k = 0;
        for (size_t i = 0; i < img.size(); ++i)
          if (ct_labels[i] == label) s += img[i], ++k;
        return k ? s / k : NAN;
      };
      const double liver_t1 = mean_of(t1, kLiverLiver), liver_t2 = mean_of(t2, kLiverLiver);
      // T1: liver brighter than T2's liver relative to fat-free tissue; tumours darker than liver on T1 and
      // brighter on T2 (when the slice has one).
      CHECK(liver_t1 > liver_t2);
      const double tumour_t1 = mean_of(t1, kLiverTumour), tumour_t2 = mean_of(t2, kLiverTumour);
      if (std::isfinite(tumour_t1)) {
        CHECK(tumour_t1 < liver_t1);
        CHECK(tumour_t2 > liver_t2);
      }
      // Rician background: outside the body the magnitude of pure noise is positive (Rayleigh, mean
      // sigma sqrt(pi/2) with sigma in [0.015, 0.035]), never negative.
      std::vector<float> hu = liver_phantom_hu(n, seed);
      double air = 0;
      int k = 0;
      for (size_t i = 0; i < hu.size(); ++i)
        if (hu[i] < -900) air += t1[i], ++k;
      REQUIRE(k > 100);
      CHECK(air / k > 0.015 * 1.2533 * 0.8);
      CHECK(air / k < 0.035 * 1.2533 * 1.3);
      CHECK(*std::min_element(t1.begin(), t1.end()) >= 0.0f);
      // Normalised as real MRI: percentiles 1 and 99 to [0, 1].
      const PhantomSample s = liver_phantom_mr_sample(n, seed, MrWeighting::t2);
      CHECK(s.labels == ct_labels);
      CHECK(*std::min_element(s.image.begin(), s.image.end()) == 0.0f);
      CHECK(*std::max_element(s.image.begin(), s.image.end()) == 1.0f);
    }
  }

  TEST_CASE("liver and liver_mr phantom sets are pairs: same labels image by image, CT and MR contrast") {
    register_builtin_modalities();
    const ImageSet ct = make_phantom_set(find_modality("liver"), 32, 6, 7);
    const ImageSet mr = make_phantom_set(find_modality("liver_mr"), 32, 6, 7);
    REQUIRE(ct.size() == 6);
    REQUIRE(mr.size() == 6);
    CHECK(torch::equal(ct.labels, mr.labels));  // one label map serves both modalities
    CHECK(!torch::allclose(ct.images, mr.images));
    CHECK(mr.images.min().item<float>() >= 0.0f);
    CHECK(mr.images.max().item<float>() <= 1.0f);
    const ImageSet other = make_phantom_set(find_modality("liver_mr"), 32, 6, 8);
    CHECK(!torch::equal(other.labels, ct.labels));  // another data seed: other anatomy
  }
}
