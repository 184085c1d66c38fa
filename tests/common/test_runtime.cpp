#include <doctest/doctest.h>

#include <thread>

#include "common/device_copy.h"
#include "common/hash.h"
#include "common/progress.h"
#include "common/runtime.h"

#include <torch/torch.h>

using namespace ganbench;

TEST_SUITE("common") {
  TEST_CASE("threads: auto means every core; bad values are rejected") {
    CHECK(parse_threads("auto") == static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    CHECK(parse_threads("3") == 3);
    CHECK_THROWS_AS(parse_threads("0"), std::invalid_argument);
    CHECK_THROWS_AS(parse_threads("two"), std::invalid_argument);
    CHECK_THROWS_AS(parse_threads("2x"), std::invalid_argument);
  }

  TEST_CASE("device: cpu, auto and unknown names") {
    CHECK(parse_device("cpu").is_cpu());
    CHECK_NOTHROW(parse_device("auto"));
    CHECK_THROWS_AS(parse_device("tpu"), std::invalid_argument);
  }

  TEST_CASE("FNV-1a and splitmix match their published constants") {
    CHECK(fnv1a64("") == 0xcbf29ce484222325ull);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cull);  // FNV-1a 64 test vector
    CHECK(mix_seed(1, 0) != mix_seed(1, 1));
    CHECK(hex64(255) == "00000000000000ff");
  }

  TEST_CASE("durations format for humans") {
    CHECK(format_duration(12.2) == "12s");
    CHECK(format_duration(185) == "3m05s");
    CHECK(format_duration(3720) == "1h02m");
  }
}

TEST_SUITE("common") {
  TEST_CASE("AutocastGuard: bf16 runs convolutions in bfloat16 for its scope and restores the previous state") {
    const auto x = torch::randn({1, 2, 5, 5}), w = torch::randn({3, 2, 3, 3});
    CHECK((torch::conv2d(x, w).scalar_type() == torch::kFloat32));
    {
      AutocastGuard g(torch::kCPU, Precision::bf16);
      CHECK((torch::conv2d(x, w).scalar_type() == torch::kBFloat16));
      CHECK((torch::mm(x.view({10, 5}), x.view({5, 10})).scalar_type() == torch::kBFloat16));
      const auto loss = torch::conv2d(x, w).to(torch::kFloat32).sum();
      CHECK((loss.scalar_type() == torch::kFloat32));
      {
        AutocastGuard same(torch::kCPU, Precision::fp32);  // fp32: no change, even inside another guard
        CHECK((torch::conv2d(x, w).scalar_type() == torch::kBFloat16));
      }
      CHECK((torch::conv2d(x, w).scalar_type() == torch::kBFloat16));
    }
    CHECK((torch::conv2d(x, w).scalar_type() == torch::kFloat32));
    // The weights are cast anew at every use (no cache): an in-place update between two uses is seen.
    // (LibTorch caches the cast of a leaf that requires grad, as a parameter is, when the cache is on.)
    auto p = torch::ones({2, 2}, torch::requires_grad());
    {
      AutocastGuard g(torch::kCPU, Precision::bf16);
      const auto a = torch::mm(p, p);
      {
        torch::NoGradGuard no_grad;
        p.mul_(2);  // an optimiser step
      }
      const auto b = torch::mm(p, p);
      CHECK(b.sum().item<double>() == 4 * a.sum().item<double>());
    }
    CHECK(parse_precision("bf16") == Precision::bf16);
    CHECK(std::string(precision_name(parse_precision("fp32"))) == "fp32");
    CHECK_THROWS_WITH_AS(parse_precision("fp16"), doctest::Contains("fp32 or bf16"), std::invalid_argument);
  }

  TEST_CASE("to_device_async: the tensor itself on its own device; the same values on CUDA") {
    const auto t = torch::randn({3, 4});
    CHECK(to_device_async(t, torch::kCPU).data_ptr() == t.data_ptr());  // no copy on the CPU
    if (torch::cuda::is_available()) {
      auto on_gpu = to_device_async(t, torch::Device(torch::kCUDA));
      CHECK(on_gpu.is_cuda());
      CHECK(torch::equal(on_gpu.cpu(), t));  // .cpu() waits for the copy
    }
  }

  TEST_CASE("NoTF32Guard turns TF32 off for its scope and restores the previous settings") {
    auto& ctx = at::globalContext();
    const bool cublas = ctx.allowTF32CuBLAS(), cudnn = ctx.allowTF32CuDNN();
    ctx.setAllowTF32CuBLAS(true);
    ctx.setAllowTF32CuDNN(true);
    {
      const NoTF32Guard g;
      CHECK(!ctx.allowTF32CuBLAS());
      CHECK(!ctx.allowTF32CuDNN());
    }
    CHECK(ctx.allowTF32CuBLAS());
    CHECK(ctx.allowTF32CuDNN());
    ctx.setAllowTF32CuBLAS(cublas);
    ctx.setAllowTF32CuDNN(cudnn);
  }
}
