#include <doctest/doctest.h>

#include <torch/torch.h>

#include "architectures/joint.h"
#include "architectures/multiscale.h"
#include "architectures/registry.h"

using namespace ganbench;

TEST_SUITE("architectures") {
  TEST_CASE("tiles cover the side with the requested overlap; the blend window is positive") {
    CHECK(tile_origins(32, 16, 4) == std::vector<int64_t>{0, 12, 16});
    CHECK(tile_origins(16, 16, 4) == std::vector<int64_t>{0});
    CHECK(tile_origins(64, 16, 0) == std::vector<int64_t>{0, 16, 32, 48});
    for (int64_t o : tile_origins(100, 16, 6)) CHECK(o % 2 == 0);
    CHECK(tile_origins(100, 16, 6).back() == 84);
    CHECK_THROWS(tile_origins(8, 16, 4));
    auto w = blend_window(16, 4);
    CHECK(w.min().item<float>() > 0);
    CHECK(w[8][8].item<float>() == doctest::Approx(1.0));
    CHECK(w[0][8].item<float>() == doctest::Approx(0.125));  // (0 + 0.5) / 4
    CHECK(w[15][8].item<float>() == doctest::Approx(0.125));
  }

  TEST_CASE("downsampling keeps labels one-hot by majority; conditions upsample to twice the side") {
    // 1 image channel + 2 labels, 4x4 -> 2x2: top-left block has three pixels of label 1.
    auto labels = torch::zeros({1, 4, 4}, torch::kInt64);
    labels[0][0][0] = 1;
    labels[0][0][1] = 1;
    labels[0][1][0] = 1;
    Batch b{torch::ones({1, 1, 4, 4}) * 0.75, labels};
    auto x = joint_input(b, 2);
    auto d = downsample_joint(x, 1, 2);
    CHECK((d.sizes() == torch::IntArrayRef({1, 3, 2, 2})));
    CHECK(d[0][0][0][0].item<float>() == doctest::Approx(0.5));  // 0.75 * 2 - 1
    CHECK(d[0][2][0][0].item<float>() == 1.0f);                  // label 1 wins 3 to 1
    CHECK(d[0][1][1][1].item<float>() == 1.0f);                  // background elsewhere
    CHECK((upsample_condition(d, 1).sizes() == torch::IntArrayRef({1, 3, 4, 4})));
  }

  TEST_CASE("an untrained patch level is plain upsampling: tiled assembly shows no seams") {
    // The patch generator starts as the identity on its condition, so tile-by-tile refinement of a smooth
    // image must equal the whole-image upsampling, tile edges included (margins and blending are exact).
    torch::manual_seed(0);
    PatchGenerator g(1, 3, 4);
    g->eval();
    auto yy = torch::linspace(-0.8, 0.8, 16).view({1, 1, 16, 1}).expand({1, 1, 16, 16});
    auto lab = torch::zeros({1, 2, 16, 16});
    lab.select(1, 0).fill_(1.0);
    auto prev = torch::cat({yy, lab}, 1);
    torch::NoGradGuard ng;
    auto tiled = refine_level(g, prev, 1, 8, 2, 3, 7);
    auto whole =
        joint_output(g->forward(upsample_condition(prev, 1), torch::zeros({1, 1, 32, 32})), 1, false);
    CHECK((tiled.sizes() == torch::IntArrayRef({1, 3, 32, 32})));
    CHECK((tiled - whole).abs().max().item<float>() < 1e-3f);
  }

  TEST_CASE("multiscale: capabilities and levels") {
    register_builtin_architectures();
    const auto& e = find_architecture("multiscale");
    CHECK(e.capabilities.multi_scale);
    CHECK(e.max_size == 1024);
    CHECK_NOTHROW(e.check(32, resolve_options(e, {{"levels", 3}})));
    CHECK_THROWS_WITH(e.check(32, resolve_options(e, {{"levels", 4}})),
                      doctest::Contains("level 0 would be 4 px"));
  }
}
