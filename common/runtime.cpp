#include "common/runtime.h"

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <torch/torch.h>

namespace ganbench {

int parse_threads(const std::string& spec) {
  if (spec == "auto") {  // inside a Slurm allocation, the cores it granted; else every core
    if (const char* slurm = std::getenv("SLURM_CPUS_PER_TASK")) {
      const int n = std::atoi(slurm);
      if (n >= 1 && n <= 1024) return n;
    }
    return std::max(1u, std::thread::hardware_concurrency());
  }
  try {
    size_t used = 0;
    const int n = std::stoi(spec, &used);
    if (used == spec.size() && n >= 1 && n <= 1024) return n;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(
      fmt::format("threads must be 'auto' or an integer in [1, 1024], got '{}'", spec));
}

void apply_threads(int n) {
  torch::set_num_threads(n);
  set_compute_threads(n);
  // LibTorch parallelises convolutions itself and calls BLAS from each thread; a multi-threaded OpenBLAS
  // underneath oversubscribes the cores (DCGAN 32 px on 2 cores: 4.8 -> 9.1 steps/s with this line).
  set_blas_threads(1);
}

c10::Device parse_device(const std::string& spec) {
  if (spec == "cpu") return c10::Device(c10::kCPU);
  if (spec == "cuda" || spec == "auto") {
    if (torch::cuda::is_available()) return c10::Device(c10::kCUDA, 0);
    if (spec == "auto") return c10::Device(c10::kCPU);
    throw std::invalid_argument(
        "device: cuda was requested but this LibTorch build has no usable CUDA device");
  }
  throw std::invalid_argument(fmt::format("device must be auto, cpu or cuda, got '{}'", spec));
}

void use_device(const c10::Device& device) {
  if (device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
}

NoTF32Guard::NoTF32Guard()
    : cublas_(at::globalContext().allowTF32CuBLAS()), cudnn_(at::globalContext().allowTF32CuDNN()) {
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
}

NoTF32Guard::~NoTF32Guard() {
  at::globalContext().setAllowTF32CuBLAS(cublas_);
  at::globalContext().setAllowTF32CuDNN(cudnn_);
}

std::filesystem::path user_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::filesystem::path(x) / "ganbench";
  if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".cache" / "ganbench";
  return {};
}

}  // namespace ganbench
