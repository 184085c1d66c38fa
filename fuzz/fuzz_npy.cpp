// libFuzzer target: .npy headers and payloads, and .npz archives (zip central directory, deflate, CRC).
// The first byte picks the reader.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "common/npy.h"
#include "common/zip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] & 1) {
      for (const auto& m : ganbench::read_zip(in, "fuzz"))
        ganbench::parse_npy(m.data, "fuzz:" + m.name).to_doubles();
    } else {
      ganbench::parse_npy(in, "fuzz").to_doubles();
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
