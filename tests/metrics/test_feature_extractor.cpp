#include <doctest/doctest.h>

#include <torch/torch.h>

#include "metrics/feature_extractor.h"
#include "metrics/frechet.h"

using namespace ganbench;

TEST_SUITE("metrics") {
  TEST_CASE("handcrafted extractor: dimensions, ranges, bad input") {
    HandcraftedExtractor ex;
    for (int64_t c : {1, 3}) {
      auto f = ex.extract(torch::rand({6, c, 16, 16}));
      CHECK((f.sizes() == torch::IntArrayRef({6, ex.dims(c)})));
    }
    // The intensity histogram is a distribution: its 16 bins sum to 1 for each image.
    auto f = ex.extract(torch::rand({4, 1, 16, 16}));
    CHECK(f.slice(1, 64, 80).sum(1).sub(1).abs().max().item<float>() < 1e-5f);
    // A constant image: layout = the value, one histogram bin full, no gradient.
    auto k = ex.extract(torch::full({1, 1, 16, 16}, 0.5));
    CHECK(k[0][0].item<float>() == doctest::Approx(0.5));
    CHECK(k[0][64 + 8].item<float>() == doctest::Approx(1.0));
    CHECK(k[0][80].item<float>() == doctest::Approx(1.0));
    CHECK_THROWS_AS(ex.extract(torch::rand({2, 16, 16})), c10::Error);
  }

  TEST_CASE("handcrafted Fréchet distance: ~0 for one distribution, large for a shifted one") {
    torch::manual_seed(0);
    HandcraftedExtractor ex;
    auto base = torch::rand({400, 1, 16, 16}) * 0.5;
    const auto s1 = extract_stats(ex, base.slice(0, 0, 200), 64);
    const auto s2 = extract_stats(ex, base.slice(0, 200, 400), 64);
    const auto s3 = extract_stats(ex, base.slice(0, 200, 400) + 0.4, 64);
    const double same = frechet_distance(s1, s2), shifted = frechet_distance(s1, s3);
    CHECK(same < 0.2 * shifted);
    CHECK(shifted > 0.5);
  }

  TEST_CASE("extractor registry lists and rejects names") {
    register_builtin_feature_extractors();
    CHECK(make_feature_extractor("handcrafted")->name() == "handcrafted");
    CHECK_THROWS_WITH(make_feature_extractor("vgg"), doctest::Contains("valid: handcrafted, inception"));
    ExtractorOptions none;
    none.inception_weights = "/nonexistent/fid.safetensors";
    CHECK_THROWS_AS(make_feature_extractor("inception", none), ExtractorUnavailable);
  }
}
