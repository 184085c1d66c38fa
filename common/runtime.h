// Thread count and device selection from config strings.
#pragma once

#include <string>

#include <c10/core/Device.h>

namespace ganbench {

// "auto" means every core; otherwise a positive integer. Throws std::invalid_argument.
int parse_threads(const std::string& spec);
// Sets LibTorch's intra-op threads and keeps OpenBLAS single-threaded beneath them.
void apply_threads(int n);

// "auto" picks CUDA when LibTorch has it, else CPU; "cuda" without CUDA is an error.
c10::Device parse_device(const std::string& spec);

// e.g. "openblas (pthread)"; benchmarks print it.
std::string blas_name();

}  // namespace ganbench
