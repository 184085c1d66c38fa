// Thread count and device selection from config strings.
#pragma once

#include <filesystem>
#include <string>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include "common/blas.h"  // blas_name, ScopedBlasThreads: torch-free

namespace ganbench {

// "auto" means every core; otherwise a positive integer. Throws std::invalid_argument.
int parse_threads(const std::string& spec);
// Sets LibTorch's intra-op threads (and compute_threads()) and keeps OpenBLAS single-threaded beneath them.
void apply_threads(int n);

// "auto" picks CUDA when LibTorch has it, else CPU; "cuda" without CUDA is an error.
c10::Device parse_device(const std::string& spec);
// Process-wide settings for work on `device`: on CUDA, cuDNN's benchmark mode (it times the convolution
// algorithms once per shape and keeps the fastest; training steps and Inception batches repeat their shapes).
// A no-op on CPU.
void use_device(const c10::Device& device);

// Turns TF32 off for CUDA matmuls and convolutions while it lives, and restores the previous settings.
// Metric features are extracted under it, so CUDA and CPU features agree to float32 rounding (with TF32 an
// H200 gave FIDs 3.8e-4 relative apart); training may keep TF32. A no-op without CUDA.
class NoTF32Guard {
 public:
  NoTF32Guard();
  ~NoTF32Guard();
  NoTF32Guard(const NoTF32Guard&) = delete;
  NoTF32Guard& operator=(const NoTF32Guard&) = delete;

 private:
  bool cublas_, cudnn_;
};
// Training precision (train.precision): "fp32" (default) or "bf16" (automatic mixed precision: convolutions
// and matrix products in bfloat16, reductions and losses in float32, parameters and optimiser state float32).
enum class Precision { fp32, bf16 };
Precision parse_precision(const std::string& spec);  // throws std::invalid_argument listing the valid names
const char* precision_name(Precision p);

// LibTorch's autocast for `device`'s type while it lives, when `p` is bf16 (else a no-op); restores the
// previous state. The cast cache is off inside: a training step updates weights between forward passes, and
// a cached bfloat16 copy would outlive the update.
class AutocastGuard {
 public:
  AutocastGuard(const c10::Device& device, Precision p);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType type_;
  bool was_enabled_ = false, was_caching_ = true;
  c10::ScalarType old_dtype_ = c10::ScalarType::Float;
};

// $XDG_CACHE_HOME/ganbench, else ~/.cache/ganbench; empty when neither variable is set.
std::filesystem::path user_cache_dir();

}  // namespace ganbench
