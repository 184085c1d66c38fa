// Slice-wise ("2.5-D") features of volumes.
#include <doctest/doctest.h>

#include <torch/torch.h>

#include "metrics/feature_extractor.h"
#include "metrics/slice_extractor.h"

using namespace ganbench;

namespace {
// A volume whose voxel (z, y, x) of volume i holds 1000 i + 100 z + 10 y + x: every slice is recognisable.
torch::Tensor coded_volumes(int64_t n, int64_t s) {
  auto i = torch::arange(n).view({n, 1, 1, 1, 1}), z = torch::arange(s).view({1, 1, s, 1, 1}),
       y = torch::arange(s).view({1, 1, 1, s, 1}), x = torch::arange(s).view({1, 1, 1, 1, s});
  return (i * 1000 + z * 100 + y * 10 + x).to(torch::kFloat32);
}
}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("volume slices: axial fixes z, coronal fixes y, sagittal fixes x, volume by volume") {
    const auto v = coded_volumes(2, 4);
    const auto ax = volume_slices(v, "axial"), co = volume_slices(v, "coronal"), sa = volume_slices(v, "sagittal");
    CHECK((ax.sizes() == torch::IntArrayRef({8, 1, 4, 4})));
    // Row 4 + 2: volume 1, z = 2; its pixel (row y = 3, column x = 1).
    CHECK(ax[6][0][3][1].item<float>() == 1000 + 200 + 30 + 1);
    // Coronal row 4 + 2: volume 1, y = 2; pixel (row z = 3, column x = 1).
    CHECK(co[6][0][3][1].item<float>() == 1000 + 300 + 20 + 1);
    // Sagittal row 1: volume 0, x = 1; pixel (row z = 3, column y = 2).
    CHECK(sa[1][0][3][2].item<float>() == 300 + 20 + 1);
    CHECK_THROWS_WITH(volume_slices(v, "oblique"), doctest::Contains("unknown slice plane 'oblique'"));
    CHECK_THROWS_WITH(volume_slices(v[0], "axial"), doctest::Contains("[N, C, D, H, W]"));
  }

  TEST_CASE("slice extractor: one feature row per slice, equal to the 2-D extractor on that slice") {
    register_builtin_feature_extractors();
    auto ex = make_feature_extractor("handcrafted-coronal");
    CHECK(ex->name() == "handcrafted-coronal");
    CHECK(ex->distance_metric() == "fd_handcrafted-coronal");
    CHECK(ex->cache_key() == "handcrafted-coronal");
    torch::manual_seed(1);
    const auto v = torch::rand({3, 1, 16, 16, 16});
    const auto f = ex->extract(v);
    HandcraftedExtractor flat;
    CHECK((f.sizes() == torch::IntArrayRef({48, flat.dims(1)})));
    // Row 16 + 5: volume 1, coronal slice y = 5.
    const auto one = flat.extract(v[1].select(2, 5).unsqueeze(0));
    CHECK(torch::allclose(f[21], one[0]));
    CHECK(scoring_spaces({"handcrafted"}, 2) == std::vector<std::string>{"handcrafted"});
    CHECK(scoring_spaces({"handcrafted", "inception"}, 3) ==
          std::vector<std::string>{"handcrafted-axial", "handcrafted-coronal", "handcrafted-sagittal",
                                   "inception-axial", "inception-coronal", "inception-sagittal"});
    CHECK_THROWS_AS(make_feature_extractor("handcrafted-oblique"), std::invalid_argument);
    CHECK_THROWS_AS(make_feature_extractor("nosuch-axial"), std::invalid_argument);
  }
}
