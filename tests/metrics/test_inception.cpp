#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <torch/torch.h>

#include "common/safetensors.h"
#include "metrics/inception.h"
#include "tests/metrics/formula_weights.h"
#include "tests/test_util.h"

using namespace ganbench;
using ganbench::test::fixtures;
using ganbench::test::formula_weights;
using ganbench::test::TempDir;

namespace {

torch::Tensor npy_tensor(const std::filesystem::path& p) {
  const NpyArray a = read_npy(p);
  auto v = a.to_floats();
  return torch::from_blob(v.data(), a.shape, torch::kFloat32).clone();
}

}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("FID Inception: module names and shapes equal pytorch-fid's state dict (fixture manifest)") {
    FidInceptionV3 model;
    std::map<std::string, std::string> ours;
    for (const auto& p : model->named_parameters())
      ours[p.key()] = fmt::format("{}", fmt::join(p.value().sizes(), "x"));
    for (const auto& b : model->named_buffers())
      if (b.key().find("num_batches_tracked") == std::string::npos)
        ours[b.key()] = fmt::format("{}", fmt::join(b.value().sizes(), "x"));
    std::ifstream f(fixtures() / "fid_inception" / "weights_manifest.tsv");
    std::string line;
    std::getline(f, line);  // header
    size_t rows = 0;
    const auto w = formula_weights();
    while (std::getline(f, line)) {
      std::istringstream ss(line);
      std::string key, shape, first, second, sum;
      std::getline(ss, key, '\t');
      std::getline(ss, shape, '\t');
      std::getline(ss, first, '\t');
      std::getline(ss, second, '\t');
      std::getline(ss, sum, '\t');
      ++rows;
      INFO(key);
      REQUIRE(ours.count(key) == 1);
      CHECK(ours[key] == shape);
      // The C++ formula generator against the manifest written by the Python one.
      const auto& v = w.at(key).second;
      CHECK(v[0] == doctest::Approx(std::stod(first)).epsilon(1e-7));
      CHECK(v[1] == doctest::Approx(std::stod(second)).epsilon(1e-7));
      double s = 0;
      for (float x : v) s += x;
      CHECK(s == doctest::Approx(std::stod(sum)).epsilon(1e-6));
    }
    CHECK(rows == ours.size());
  }

  TEST_CASE("FID Inception equals pytorch-fid on the formula-weights fixture (pool3 and every block)") {
    TempDir tmp;
    FidInceptionV3 model;
    write_safetensors(tmp / "formula.safetensors", formula_weights());
    load_fid_weights(model, tmp / "formula.safetensors");
    torch::NoGradGuard no_grad;
    const auto input = npy_tensor(fixtures() / "fid_inception" / "input.npy");
    std::vector<torch::Tensor> plain;
    // The plain module, then the extractor's set-up (folded batch norms, channels-last activations).
    for (const bool prepared : {false, true}) {
      INFO("prepare_inference: " << prepared);
      if (prepared) model->prepare_inference();
      const auto blocks = model->forward(input, 3);
      REQUIRE(blocks.size() == 4);
      CHECK((blocks[0].sizes() == torch::IntArrayRef({4, 64, 73, 73})));
      CHECK((blocks[1].sizes() == torch::IntArrayRef({4, 192, 35, 35})));
      CHECK((blocks[2].sizes() == torch::IntArrayRef({4, 768, 17, 17})));
      CHECK((blocks[3].sizes() == torch::IntArrayRef({4, 2048, 1, 1})));
      const auto pool3 = npy_tensor(fixtures() / "fid_inception" / "pool3_features.npy");
      const double diff = (blocks[3].flatten(1) - pool3).abs().max().item<double>();
      MESSAGE("pool3 max |difference| = " << diff << std::string(prepared ? " (prepared)" : " (plain)"));
      CHECK(diff <= 1e-4);
      for (int b = 0; b < 4; ++b) {
        const auto ref = npy_tensor(fixtures() / "fid_inception" / fmt::format("block{}_channel_means.npy", b));
        const double d = (blocks[b].mean({2, 3}) - ref).abs().max().item<double>();
        INFO("block " << b);
        CHECK(d <= 1e-4);
      }
      if (!prepared) {
        plain = blocks;
      } else {  // folding changes float32 rounding only
        CHECK(blocks[3].is_contiguous(torch::MemoryFormat::ChannelsLast));
        for (int b = 0; b < 4; ++b) {
          const double rel = ((blocks[b] - plain[b]).abs().max() / plain[b].abs().max()).item<double>();
          INFO("block " << b << ": max |prepared - plain| / max |plain| = " << rel);
          CHECK(rel <= 1e-5);
        }
      }
    }
    CHECK(fid_block_for_dims(768) == 2);
    CHECK_THROWS_AS(fid_block_for_dims(100), std::invalid_argument);
  }

  TEST_CASE("FID Inception weights: missing, unexpected and mis-shaped keys are listed") {
    TempDir tmp;
    FidInceptionV3 model;
    auto w = formula_weights();
    w.erase("Mixed_7c.branch_pool.conv.weight");
    w["Conv2d_1a_3x3.bn.bias"] = {{31}, std::vector<float>(31, 0.f)};
    w["aux.extra"] = {{1}, {0.f}};
    write_safetensors(tmp / "bad.safetensors", w);
    try {
      load_fid_weights(model, tmp / "bad.safetensors");
      FAIL("expected an error");
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      CHECK(msg.find("1 missing keys: Mixed_7c.branch_pool.conv.weight") != std::string::npos);
      CHECK(msg.find("Conv2d_1a_3x3.bn.bias is [31], needs [32]") != std::string::npos);
      CHECK(msg.find("1 unexpected keys: aux.extra") != std::string::npos);
    }
    CHECK_THROWS_WITH(load_fid_weights(model, tmp / "none.safetensors"),
                      doctest::Contains("none.safetensors"));
    CHECK_THROWS_AS(model->forward(torch::rand({1, 1, 32, 32})), std::invalid_argument);
  }
}
