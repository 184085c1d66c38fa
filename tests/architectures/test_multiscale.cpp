#include <doctest/doctest.h>

#include <tuple>

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

namespace {
// A smooth joint-space volume [1, 3, s, s, s]: an intensity ramp along each axis and one-hot background labels.
torch::Tensor smooth_volume(int64_t s) {
  auto r = torch::linspace(-0.7, 0.7, s);
  auto img = (r.view({s, 1, 1}) * 0.5 + r.view({1, s, 1}) * 0.3 + r.view({1, 1, s}) * 0.2).view({1, 1, s, s, s});
  auto lab = torch::zeros({1, 2, s, s, s});
  lab.select(1, 0).fill_(1.0);
  return torch::cat({img, lab}, 1);
}

// Mean |step| between neighbouring voxels, per position along every axis (the mean over the plane between
// slices k and k + 1), over the image channel: the largest such mean at a tile border (where a tile starts or
// ends) and the largest elsewhere.
std::pair<double, double> border_and_interior_steps(const torch::Tensor& v, const std::vector<int64_t>& origins,
                                                    int64_t patch) {
  const int64_t n = v.size(2);
  std::vector<bool> border(static_cast<size_t>(n - 1), false);
  for (auto o : origins) {
    if (o > 0) border[o - 1] = true;      // the step into a tile
    if (o + patch < n) border[o + patch - 1] = true;  // the step out of it
  }
  double b_max = 0, i_max = 0;
  const auto img = v.select(1, 0).squeeze(0);  // [n, n, n]
  for (int64_t axis = 0; axis < 3; ++axis) {
    const auto d = (img.narrow(axis, 1, n - 1) - img.narrow(axis, 0, n - 1)).abs();
    for (int64_t k = 0; k < n - 1; ++k) {
      const double m = d.select(axis, k).mean().item<double>();
      double& worst = border[k] ? b_max : i_max;
      worst = std::max(worst, m);
    }
  }
  return {b_max, i_max};
}
}  // namespace

TEST_SUITE("architectures") {
  TEST_CASE("multiscale3d: tiled 3-D assembly of an identity patch generator equals whole-volume upsampling") {
    // An untrained level is the identity on its (trilinearly upsampled) condition, so cube-by-cube refinement
    // with margins and blending must reproduce the whole-volume result, tile edges included.
    torch::manual_seed(0);
    PatchGenerator g(1, 3, 4, 3);
    g->eval();
    torch::NoGradGuard ng;
    const auto prev = smooth_volume(8);
    const auto tiled = refine_level(g, prev, 1, 8, 2, 5, 7);
    const auto whole = joint_output(g->forward(upsample_condition(prev, 1), torch::zeros({1, 1, 16, 16, 16})), 1, false);
    CHECK((tiled.sizes() == torch::IntArrayRef({1, 3, 16, 16, 16})));
    CHECK(tile_origins(16, 8, 2).size() == 3);  // 27 tiles, several per forward pass
    CHECK((tiled - whole).abs().max().item<float>() < 1e-3f);
  }

  TEST_CASE("multiscale3d: blending a random (non-identity) patch generator leaves no seams at tile borders") {
    // Random output weights make the generator paint its own noise-driven texture on top of the condition (a
    // smooth ramp); each cube draws its own noise and its conv layers see reflect padding at the cube's faces.
    // With overlapping, linearly blended tiles the step between neighbouring voxels at tile borders must stay
    // at the size of the steps elsewhere.
    torch::manual_seed(3);
    PatchGenerator g(1, 3, 8, 3);
    {
      torch::NoGradGuard ng;
      for (auto& p : g->out.ptr()->parameters()) p.normal_(0.0, 0.3);
    }
    g->eval();
    torch::NoGradGuard ng;
    const auto prev = smooth_volume(16);
    const int64_t patch = 8, overlap = 4;
    const auto origins = tile_origins(32, patch, overlap);
    REQUIRE(origins.size() >= 4);
    auto blended = refine_level(g, prev, 1, patch, overlap, 16, 11);
    CHECK(torch::isfinite(blended).all().item<bool>());
    CHECK((blended - refine_level(g, prev, 1, patch, overlap, 16, 12)).abs().max().item<float>() > 1e-3f);
    const auto [border, inside] = border_and_interior_steps(blended, origins, patch);
    MESSAGE("largest mean |step| at a tile border " << border << ", elsewhere " << inside);
    CHECK(border < 1.2 * inside);  // no seam beyond the local variation
    // The measure sees a seam as large as the local variation: a step of that size added where tile 1 starts.
    blended.narrow(4, origins[1], 32 - origins[1]).select(1, 0).add_(inside);
    CHECK(border_and_interior_steps(blended, origins, patch).first > 1.2 * inside);
  }

  TEST_CASE("multiscale3d and dcgan3d: volumetric capability; 2-D data is refused by name") {
    register_builtin_architectures();
    for (const char* a : {"multiscale3d", "dcgan3d"}) {
      CAPTURE(a);
      CHECK(find_architecture(a).capabilities.volumetric);
      ArchContext ctx;
      ctx.modality = {"toy", "", 1, 16, {"bg", "fg"}};  // images
      CHECK_THROWS_WITH_AS(create_architecture(a, ctx), doctest::Contains("generates volumes, but the data are images"),
                           std::invalid_argument);
    }
    ArchContext vol;
    vol.modality = ModalitySpec{"toy", "", 1, 16, {"bg", "fg"}}.at_size(16, 3);
    CHECK_THROWS_WITH_AS(create_architecture("multiscale", vol),
                         doctest::Contains("generates images, but the data are volumes"), std::invalid_argument);
    CHECK(find_architecture("multiscale3d").capabilities.multi_scale);
    CHECK_FALSE(find_architecture("multiscale").capabilities.volumetric);
  }
}

#include <unistd.h>

#include "architectures/volume_file.h"
#include "common/npy.h"
#include "tests/test_util.h"

TEST_SUITE("architectures") {
  TEST_CASE("volume file: boxes read back what was added, outside boxes are an error") {
    test::TempDir tmp;
    VolumeFile v(tmp / "v.f32", 2, 6);
    CHECK(v.read({0, 0, 0}, {6, 6, 6}).abs().sum().item<float>() == 0.0f);  // starts at zero
    auto box = torch::arange(2 * 2 * 3 * 4, torch::kFloat32).view({2, 2, 3, 4});
    v.add({1, 2, 1}, box);
    v.add({1, 2, 1}, box);
    CHECK(torch::equal(v.read({1, 2, 1}, {3, 5, 5}).squeeze(0), box * 2));
    CHECK(v.read({0, 0, 0}, {6, 6, 6}).sum().item<float>() == doctest::Approx(2 * box.sum().item<float>()));
    CHECK_THROWS_AS(v.read({0, 0, 0}, {7, 6, 6}), std::out_of_range);
    CHECK_THROWS(v.add({0, 0, 0}, torch::zeros({3, 1, 1, 1})));
  }

  TEST_CASE("multiscale3d: a volume streamed through files equals the in-memory sample") {
    register_builtin_architectures();
    for (int levels : {2, 3}) {
      CAPTURE(levels);
      ArchContext ctx;
      ctx.modality = ModalitySpec{"toy", "", 1, 32, {"bg", "a", "b"}}.at_size(32, 3);
      ctx.options = {{"levels", levels}, {"patch", 8}, {"patch_channels", 4}, {"base_channels", 8}, {"z_dim", 8}};
      auto m = create_architecture("multiscale3d", ctx);
      torch::manual_seed(5);  // two training steps move the patch levels off the identity, so the tiles matter
      const Batch batch{torch::rand({2, 1, 32, 32, 32}), torch::randint(3, {2, 32, 32, 32}, torch::kInt64)};
      m->train_step(batch);
      m->train_step(batch);
      test::TempDir tmp;
      m->sample_to_files(9, tmp / "vol");
      const Sample mem = m->sample(1, 9);
      const NpyArray img = read_npy(tmp / "vol_images.npy"), lab = read_npy(tmp / "vol_labels.npy");
      REQUIRE(img.shape == std::vector<int64_t>{1, 1, 32, 32, 32});
      REQUIRE(lab.shape == std::vector<int64_t>{1, 32, 32, 32});
      const auto streamed = torch::tensor(img.to_floats()).view({1, 1, 32, 32, 32});
      CHECK((streamed - mem.images).abs().max().item<float>() < 1e-5f);
      const auto labels = torch::tensor(lab.to_doubles()).to(torch::kInt64).view({1, 32, 32, 32});
      CHECK(labels.ne(mem.labels).to(torch::kFloat32).mean().item<float>() < 1e-3f);  // ties may differ by rounding
      int scratch = 0;
      for (const auto& e : std::filesystem::directory_iterator(tmp.path())) scratch += e.path().extension() == ".f32";
      CHECK(scratch == 0);  // the level files are gone
    }
  }
}

TEST_SUITE("architectures") {
  TEST_CASE("multiscale and multiscale3d: the patch-first training step gives the whole-volume step's losses") {
    register_builtin_architectures();
    for (const auto& [name, dims, size, levels, patch] :
         std::vector<std::tuple<std::string, int, int, int, int>>{{"multiscale", 2, 32, 3, 8}, {"multiscale3d", 3, 16, 2, 8}}) {
      CAPTURE(name);
      auto make = [&](bool first) {
        multiscale_whole_volume_step(!first);
        ArchContext ctx;
        ctx.modality.name = "toy";
        ctx.modality.channels = 1;
        ctx.modality.labels = {"bg", "a", "b"};
        ctx.modality = ctx.modality.at_size(size, dims);
        ctx.seed = 3;
        ctx.batch_size = 2;
        ctx.options = {{"levels", levels}, {"patch", patch}, {"patch_channels", 8}, {"z_dim", 8}, {"base_channels", 8}};
        auto m = create_architecture(name, ctx);
        multiscale_whole_volume_step(false);
        return m;
      };
      auto whole = make(false), first = make(true);
      torch::manual_seed(11);
      std::vector<int64_t> shape{2, 1}, lshape{2};
      for (int a = 0; a < dims; ++a) shape.push_back(size), lshape.push_back(size);
      Batch b;
      b.images = torch::rand(shape);
      // Blobs rather than noise, so that pooled labels have majorities and ties alike.
      b.labels = (torch::rand(lshape) * 3).floor().to(torch::kInt64);
      b.labels.narrow(1, 0, size / 2).fill_(1);
      CHECK(first->discriminator_loss(b, 9) == doctest::Approx(whole->discriminator_loss(b, 9)).epsilon(1e-6));
      for (int step = 0; step < 2; ++step) {  // the second step starts from the weights the first one left
        const StepStats sw = whole->train_step(b), sf = first->train_step(b);
        REQUIRE(sw.values.size() == sf.values.size());
        for (size_t i = 0; i < sw.values.size(); ++i) {
          CAPTURE(sw.values[i].first);
          CHECK(sf.values[i].first == sw.values[i].first);
          CHECK(sf.values[i].second == doctest::Approx(sw.values[i].second).epsilon(1e-6));
        }
      }
    }
  }
}
