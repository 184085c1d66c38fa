#include <doctest/doctest.h>

#include <string>

#include <map>

#include <torch/torch.h>

#include "metrics/cell_scorer.h"
#include "metrics/metric_catalogue.h"

using namespace ganbench;

namespace {
// The real side from random images in the handcrafted space.
class StubReference : public RealReference {
 public:
  StubReference(const torch::Tensor& real, const torch::Tensor& test)
      : feats_(ex_.extract(real)), test_feats_(ex_.extract(test)), real_(real), test_(test) {
    stats_ = compute_stats(to_eigen(feats_));
  }
  FeatureExtractor* extractor(const std::string&) override { return &ex_; }
  const FeatureStats& stats(const std::string&) override { return stats_; }
  const torch::Tensor& features(const std::string&) override { return feats_; }
  std::pair<double, int64_t> floor(const std::string&, int64_t n) override { return {0.5, n}; }
  const torch::Tensor& test_features(const std::string&) override { return test_feats_; }
  const torch::Tensor& images(bool test) override { return test ? test_ : real_; }

 private:
  HandcraftedExtractor ex_;
  torch::Tensor feats_, test_feats_, real_, test_;
  FeatureStats stats_;
};
}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("cell scorer: the memorization audit of label maps flags reused training maps, not new ones") {
    // Label maps of two labels: training, test and "generated" sets of random blobs; copies of training maps
    // score 1, fresh maps drawn like the test ones about 0.05, as in the image spaces.
    torch::manual_seed(4);
    auto maps = [](int64_t n) { return (torch::rand({n, 8, 8}) > 0.5).to(torch::kInt64); };
    const auto train_l = maps(200), test_l = maps(100);
    class WithLabels : public StubReference {
     public:
      WithLabels(const torch::Tensor& r, const torch::Tensor& t, torch::Tensor tl, torch::Tensor sl)
          : StubReference(r, t), train_(std::move(tl)), test_(std::move(sl)) {}
      const torch::Tensor& labels(bool test) override { return test ? test_ : train_; }
     private:
      torch::Tensor train_, test_;
    } ref(torch::rand({200, 1, 8, 8}), torch::rand({100, 1, 8, 8}), train_l, test_l);
    CellScorer scorer(ref, {{"handcrafted"}, 2, 20, 1});
    std::map<std::string, double> copy, fresh;
    for (const auto& m : scorer.score(torch::rand({100, 1, 8, 8}), train_l.slice(0, 0, 100), true)) copy[m.name] = m.value;
    for (const auto& m : scorer.score(torch::rand({400, 1, 8, 8}), maps(400), true)) fresh[m.name] = m.value;
    CHECK(copy.at("memorization_near_copy_fraction_labels") == 1.0);
    CHECK(copy.at("memorization_median_ratio_labels") == 0.0);  // every map at distance 0
    CHECK(fresh.at("memorization_near_copy_fraction_labels") == doctest::Approx(0.05).epsilon(0.8));  // 0.01-0.09
    CHECK(fresh.at("memorization_median_ratio_labels") == doctest::Approx(1.0).epsilon(0.1));
    // Without labels from the reference (the default), the audit is left out.
    StubReference plain(torch::rand({50, 1, 8, 8}), torch::rand({20, 1, 8, 8}));
    CellScorer none(plain, {{"handcrafted"}, 2, 10, 1});
    for (const auto& m : none.score(torch::rand({20, 1, 8, 8}), maps(20), true)) CHECK(m.name.find("_labels") == std::string::npos);
  }

  TEST_CASE("cell scorer: final scores carry catalogue names, N, FID infinity and bootstrap intervals") {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
    const auto real = torch::rand({80, 1, 16, 16}, gen);
    const auto fake = (torch::rand({60, 1, 16, 16}, gen) * 0.8).contiguous();
    const auto labels = torch::zeros({60, 16, 16}, torch::kInt64);
    const auto test = torch::rand({40, 1, 16, 16}, gen);
    StubReference ref(real, test);
    ScorerOptions o;
    o.spaces = {"handcrafted"};
    o.kid_subsets = 4;
    o.kid_subset_size = 20;
    CellScorer scorer(ref, o);
    std::map<std::string, double> v;
    for (const auto& m : scorer.score(fake, labels, true)) {
      CAPTURE(m.name);
      CHECK(match_metric(m.name));  // every name is in the catalogue
      v[m.name] = m.value;
    }
    CHECK(v.at("distance_n") == 60);
    CHECK(v.at("real_floor_n_handcrafted") == 60);
    CHECK(v.at("degenerate_label_fraction") == 1.0);  // no foreground anywhere
    CHECK(v.at("bootstrap_b_handcrafted") == 200);
    CHECK(v.at("fd_handcrafted_boot_lo") < v.at("fd_handcrafted_boot_hi"));
    CHECK(v.at("kid_handcrafted_boot_lo") < v.at("kid_handcrafted_boot_hi"));
    CHECK(v.at("fd_handcrafted") > 0);
    CHECK(std::isfinite(v.at("fd_infinity_handcrafted")));
    for (const char* space : {"handcrafted", "pixels"}) {
      const double f = v.at(std::string("memorization_near_copy_fraction_") + space);
      CHECK((f >= 0 && f <= 1));
      CHECK(v.at(std::string("memorization_median_ratio_") + space) > 0);
    }
    CHECK(scorer.nearest_pairs().generated.size() == 8);
    // A "GAN" that returns training images: every one is a near copy, and the gallery pairs match.
    const auto copies = real.slice(0, 10, 70).contiguous();
    std::map<std::string, double> c;
    for (const auto& m : scorer.score(copies, labels, true)) c[m.name] = m.value;
    CHECK(c.at("memorization_near_copy_fraction_pixels") == 1.0);
    CHECK(c.at("memorization_near_copy_fraction_handcrafted") == 1.0);
    const auto& p = scorer.nearest_pairs();
    for (size_t i = 0; i < p.generated.size(); ++i) {
      CHECK(p.train[i] == p.generated[i] + 10);
      CHECK(p.distance[i] < 1e-4);
    }
    // Seeded: the same call gives the same intervals.
    std::map<std::string, double> again;
    for (const auto& m : scorer.score(fake, labels, true)) again[m.name] = m.value;
    CHECK(again.at("fd_handcrafted_boot_lo") == v.at("fd_handcrafted_boot_lo"));
    // Step-0 scoring computes the distance only.
    std::map<std::string, double> early;
    for (const auto& m : scorer.score(fake, labels, false)) early[m.name] = m.value;
    CHECK(early.count("fd_handcrafted"));
    CHECK(!early.count("kid_handcrafted"));
  }
}
