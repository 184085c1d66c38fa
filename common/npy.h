// NumPy .npy / .npz reading and writing (little-endian, C order), for fixtures, samples and
// pytorch-fid statistics files. Torch-free on purpose.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ganbench {

struct NpyArray {
  std::string dtype;           // NumPy descr, e.g. "<f4", "<f8", "|u1", "<i8"
  std::vector<int64_t> shape;  // C order
  std::vector<char> data;      // raw little-endian bytes

  int64_t numel() const;
  size_t item_size() const;
  std::vector<double> to_doubles() const;  // any supported numeric dtype
  std::vector<float> to_floats() const;

  static NpyArray from_floats(const std::vector<float>& v, std::vector<int64_t> shape);
  static NpyArray from_doubles(const std::vector<double>& v, std::vector<int64_t> shape);
  static NpyArray from_bytes(const std::vector<uint8_t>& v, std::vector<int64_t> shape);
};

// An array's header, with its data bytes viewed in the buffer it was parsed from.
struct NpyView {
  std::string dtype;
  std::vector<int64_t> shape;  // C order
  std::string_view data;

  NpyArray to_array() const;  // an owning copy
};

// `what` names the source in error messages (a path, or "archive.npz:mu.npy").
NpyView parse_npy_view(std::string_view bytes, const std::string& what);
NpyArray parse_npy(std::string_view bytes, const std::string& what);
std::string encode_npy(const NpyArray& a);
// The header (magic, version 1.0, dict, padding) of a C-order array of `dtype` and `shape`, for writers that
// stream the data after it.
std::string npy_header(const std::string& dtype, const std::vector<int64_t>& shape);

NpyArray read_npy(const std::filesystem::path& path);
void write_npy(const std::filesystem::path& path, const NpyArray& a);  // atomic

// Keys are the member names without ".npy" (as numpy.load gives them). Stored and deflated members.
std::map<std::string, NpyArray> read_npz(const std::filesystem::path& path);
// Each member parsed in place, without copying its data; the views live for the call.
void visit_npz(const std::filesystem::path& path,
               const std::function<void(const std::string& key, const NpyView& array)>& visit);
void write_npz(const std::filesystem::path& path,
               const std::map<std::string, NpyArray>& arrays);  // atomic, stored

}  // namespace ganbench
