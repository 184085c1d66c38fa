#include "common/runtime.h"

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

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

Precision parse_precision(const std::string& spec) {
  if (spec == "fp32") return Precision::fp32;
  if (spec == "bf16") return Precision::bf16;
  throw std::invalid_argument(fmt::format("precision must be fp32 or bf16, got '{}'", spec));
}

const char* precision_name(Precision p) { return p == Precision::bf16 ? "bf16" : "fp32"; }

namespace {
// LibTorch 2.4 replaced the per-device autocast functions (deprecated since) with ones taking the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(c10::DeviceType t) { return at::autocast::is_autocast_enabled(t); }
void set_autocast(c10::DeviceType t, bool on) { at::autocast::set_autocast_enabled(t, on); }
c10::ScalarType autocast_dtype(c10::DeviceType t) { return at::autocast::get_autocast_dtype(t); }
void set_autocast_dtype(c10::DeviceType t, c10::ScalarType d) { at::autocast::set_autocast_dtype(t, d); }
#else
bool autocast_enabled(c10::DeviceType t) {
  return t == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void set_autocast(c10::DeviceType t, bool on) {
  if (t == c10::DeviceType::CUDA)
    at::autocast::set_enabled(on);
  else
    at::autocast::set_cpu_enabled(on);
}
c10::ScalarType autocast_dtype(c10::DeviceType t) {
  return t == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void set_autocast_dtype(c10::DeviceType t, c10::ScalarType d) {
  if (t == c10::DeviceType::CUDA)
    at::autocast::set_autocast_gpu_dtype(d);
  else
    at::autocast::set_autocast_cpu_dtype(d);
}
#endif
}  // namespace

AutocastGuard::AutocastGuard(const c10::Device& device, Precision p) : type_(device.type()) {
  if (p == Precision::fp32) return;
  if (type_ != c10::DeviceType::CPU && type_ != c10::DeviceType::CUDA)
    throw std::invalid_argument(fmt::format("precision bf16: no autocast for device {}", device.str()));
  active_ = true;
  was_enabled_ = autocast_enabled(type_);
  old_dtype_ = autocast_dtype(type_);
  was_caching_ = at::autocast::is_autocast_cache_enabled();
  set_autocast(type_, true);
  set_autocast_dtype(type_, c10::kBFloat16);
  at::autocast::set_autocast_cache_enabled(false);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_autocast_cache_enabled(was_caching_);
  set_autocast_dtype(type_, old_dtype_);
  set_autocast(type_, was_enabled_);
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
