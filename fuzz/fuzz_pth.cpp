// libFuzzer target: PyTorch checkpoints (common/pth.h), both the zip and the legacy pickle formats.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "common/pth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ganbench::parse_pth(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const std::runtime_error&) {
  }
  return 0;
}
