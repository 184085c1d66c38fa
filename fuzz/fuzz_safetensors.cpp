// libFuzzer target: safetensors headers, offsets, dtypes and shapes (common/safetensors.h).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "common/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    for (const auto& [name, t] :
         ganbench::parse_safetensors(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz"))
      if (t.dtype == "F32" || t.dtype == "F16" || t.dtype == "BF16" || t.dtype == "F64") t.to_floats();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
