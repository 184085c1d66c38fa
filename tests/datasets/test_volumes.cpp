// Volumes (data.dims: 3): the 3-D liver phantom, volume image sets and one-hot label volumes.
#include <doctest/doctest.h>

#include <set>

#include <torch/torch.h>

#include "datasets/dataset.h"
#include "datasets/liver_phantom.h"
#include "datasets/liver_phantom3d.h"
#include "datasets/modality.h"

using namespace ganbench;

TEST_SUITE("datasets") {
  TEST_CASE("3-D liver phantom: deterministic per seed, anatomy in plausible HU, labels where they belong") {
    std::vector<uint8_t> lab_a, lab_b, lab_c;
    const auto a = liver_phantom3d_hu(24, 5, &lab_a);
    const auto b = liver_phantom3d_hu(24, 5, &lab_b);
    const auto c = liver_phantom3d_hu(24, 6, &lab_c);
    REQUIRE(a.size() == size_t(24 * 24 * 24));
    CHECK(a == b);
    CHECK(lab_a == lab_b);
    CHECK(a != c);
    // Corners are air; the liver label covers a real share of the volume, with liver-like HU.
    CHECK(a[0] == doctest::Approx(-1000.0));
    double liver_hu = 0;
    int64_t liver_n = 0;
    for (size_t i = 0; i < a.size(); ++i)
      if (lab_a[i] == kLiverLiver) liver_hu += a[i], ++liver_n;
    const double share = double(liver_n) / a.size();
    CHECK(share > 0.02);
    CHECK(share < 0.3);
    CHECK(liver_hu / liver_n > 40.0);   // parenchyma 50-75 HU, vessels brighter, partial volume at edges
    CHECK(liver_hu / liver_n < 140.0);
    // The liver spans several axial slices (it is a 3-D organ, not a slice repeated).
    std::set<int> slices;
    for (size_t i = 0; i < lab_a.size(); ++i)
      if (lab_a[i] == kLiverLiver) slices.insert(static_cast<int>(i / (24 * 24)));
    CHECK(slices.size() >= 8);
    CHECK(slices.size() < 24);
    // Over 20 seeds, tumours appear in some volumes and not in others.
    int with_tumour = 0;
    for (uint64_t s = 0; s < 20; ++s) {
      std::vector<uint8_t> l;
      liver_phantom3d_hu(16, s, &l);
      with_tumour += std::count(l.begin(), l.end(), uint8_t{kLiverTumour}) > 0;
    }
    CHECK(with_tumour > 3);
    CHECK(with_tumour < 20);
    CHECK_THROWS_AS(liver_phantom3d_hu(4, 0), std::invalid_argument);
  }

  TEST_CASE("volume sets: shapes, windowed range, checks and one-hot label volumes") {
    register_builtin_modalities();
    const auto& liver = find_modality("liver");
    const ImageSet v = make_phantom_set(liver, 16, 5, 9, {}, 3);
    CHECK((v.images.sizes() == torch::IntArrayRef({5, 1, 16, 16, 16})));
    CHECK((v.labels.sizes() == torch::IntArrayRef({5, 16, 16, 16})));
    CHECK(v.subjects.size() == 5);
    CHECK_NOTHROW(check_image_set(v, liver.spec.at_size(16, 3), "vol"));
    CHECK(v.images.min().item<float>() >= 0.0f);
    CHECK(v.images.max().item<float>() <= 1.0f);
    CHECK_THROWS_WITH(check_image_set(v, liver.spec.at_size(16), "vol"), doctest::Contains("[N, 1, H, H]"));
    ImageSet bad = v;
    bad.labels = v.labels.slice(1, 0, 8);
    CHECK_THROWS_WITH(check_image_set(bad, liver.spec.at_size(16, 3), "vol"), doctest::Contains("[N, D, H, W]"));
    const auto oh = one_hot_labels(v.labels, 3);
    CHECK((oh.sizes() == torch::IntArrayRef({5, 3, 16, 16, 16})));
    CHECK(torch::equal(oh.argmax(1), v.labels));
    CHECK(torch::allclose(oh.sum(1), torch::ones({5, 16, 16, 16})));
    // Modalities without a 3-D phantom say so.
    CHECK_THROWS_WITH(make_phantom_set(find_modality("retina"), 16, 2, 0, {}, 3), doctest::Contains("no 3-D phantom"));
  }
}
