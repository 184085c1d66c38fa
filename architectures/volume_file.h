// A float32 volume [J, n, n, n] kept in a file and read or accumulated one box at a time, so that a level of
// the multi-scale generator costs the memory of one box whatever its size (Uzunova et al. 2019 keep each
// level's output outside the GPU in the same way).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>

#include <torch/types.h>

namespace ganbench {

using Box3 = std::array<int64_t, 3>;  // (z, y, x)

class VolumeFile {
 public:
  // Creates `path` zero-filled (sparse), channel-major and C order; removed when the object goes. Throws
  // std::runtime_error naming the path on an I/O error (a full disk included).
  VolumeFile(std::filesystem::path path, int64_t channels, int64_t side);
  ~VolumeFile();
  VolumeFile(const VolumeFile&) = delete;
  VolumeFile& operator=(const VolumeFile&) = delete;

  int64_t channels() const { return channels_; }
  int64_t side() const { return side_; }
  // The box [lo, hi) along (z, y, x) as [1, J, dz, dy, dx] float32 on the CPU.
  torch::Tensor read(const Box3& lo, const Box3& hi) const;
  // Adds `box` ([J, dz, dy, dx] or [1, J, dz, dy, dx], any device) to the volume at `lo`.
  void add(const Box3& lo, const torch::Tensor& box);
  // Overwrites the whole volume with `v` [1, J, n, n, n].
  void assign(const torch::Tensor& v);

 private:
  void rows(const Box3& lo, const Box3& hi, float* data, bool write) const;
  std::filesystem::path path_;
  int64_t channels_, side_;
  int fd_ = -1;
};

}  // namespace ganbench
