// safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets}}, then the raw little-endian tensor bytes.
// Every offset and size is checked against the file before any byte is read. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ganbench {

struct SafeTensor {
  std::string dtype;           // "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL"
  std::vector<int64_t> shape;  // C order
  std::string bytes;           // raw little-endian data
  int64_t numel() const;
  std::vector<float> to_floats() const;  // float dtypes only; throws otherwise
};

// Size in bytes of one element of `dtype`; throws std::runtime_error for an unknown dtype.
size_t safetensors_dtype_size(const std::string& dtype);

// `what` names the source in error messages. Throws std::runtime_error for a header that is too
// short, too long, not JSON, an unknown dtype, a shape/size mismatch, or offsets outside the data
// or overlapping.
std::map<std::string, SafeTensor> parse_safetensors(std::string_view file, const std::string& what);
std::map<std::string, SafeTensor> read_safetensors(const std::filesystem::path& path);
// Writes F32 tensors (sorted by name), atomically.
void write_safetensors(
    const std::filesystem::path& path,
    const std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>& tensors);

}  // namespace ganbench
