#include "architectures/volume_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>


namespace ganbench {
namespace {
[[noreturn]] void io_error(const std::filesystem::path& p, const char* what, int err) {
  throw std::runtime_error(fmt::format("{}: {} failed: {}", p.string(), what, std::strerror(err)));
}
}  // namespace

VolumeFile::VolumeFile(std::filesystem::path path, int64_t channels, int64_t side)
    : path_(std::move(path)), channels_(channels), side_(side) {
  if (channels < 1 || side < 1) throw std::invalid_argument("volume file: channels and side must be >= 1");
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) io_error(path_, "open", errno);
  const off_t bytes = static_cast<off_t>(channels * side * side * side * int64_t{sizeof(float)});
  if (::ftruncate(fd_, bytes) != 0) {
    const int err = errno;
    ::close(fd_);
    std::filesystem::remove(path_);
    io_error(path_, "ftruncate", err);
  }
}

VolumeFile::~VolumeFile() {
  if (fd_ >= 0) ::close(fd_);
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

void VolumeFile::rows(const Box3& lo, const Box3& hi, float* data, bool write) const {
  for (int a = 0; a < 3; ++a)
    if (lo[a] < 0 || hi[a] > side_ || lo[a] >= hi[a])
      throw std::out_of_range(fmt::format("volume file: box axis {} [{}, {}) outside [0, {})", a, lo[a], hi[a], side_));
  const int64_t dx = hi[2] - lo[2];
  const size_t row_bytes = static_cast<size_t>(dx) * sizeof(float);
  for (int64_t j = 0; j < channels_; ++j)
    for (int64_t z = lo[0]; z < hi[0]; ++z)
      for (int64_t y = lo[1]; y < hi[1]; ++y) {
        const off_t at = static_cast<off_t>((((j * side_ + z) * side_ + y) * side_ + lo[2]) * int64_t{sizeof(float)});
        if (write) {
          size_t done = 0;
          while (done < row_bytes) {
            const ssize_t w = ::pwrite(fd_, reinterpret_cast<const char*>(data) + done, row_bytes - done, at + done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) io_error(path_, "write", w < 0 ? errno : ENOSPC);
            done += static_cast<size_t>(w);
          }
        } else {
          size_t done = 0;
          while (done < row_bytes) {
            const ssize_t r = ::pread(fd_, reinterpret_cast<char*>(data) + done, row_bytes - done, at + done);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) io_error(path_, "read", r < 0 ? errno : EIO);
            done += static_cast<size_t>(r);
          }
        }
        data += dx;
      }
}

torch::Tensor VolumeFile::read(const Box3& lo, const Box3& hi) const {
  auto out = torch::empty({1, channels_, hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}, torch::kFloat32);
  rows(lo, hi, out.data_ptr<float>(), false);
  return out;
}

void VolumeFile::add(const Box3& lo, const torch::Tensor& box) {
  const auto b = box.dim() == 5 ? box.squeeze(0) : box;
  TORCH_CHECK(b.dim() == 4 && b.size(0) == channels_, "volume file: box must be [", channels_,
              ", dz, dy, dx], got ", box.sizes());
  const Box3 hi{lo[0] + b.size(1), lo[1] + b.size(2), lo[2] + b.size(3)};
  auto sum = read(lo, hi).squeeze(0).add_(b.to(torch::kCPU, torch::kFloat32)).contiguous();
  rows(lo, hi, sum.data_ptr<float>(), true);
}

void VolumeFile::assign(const torch::Tensor& v) {
  TORCH_CHECK(v.dim() == 5 && v.size(0) == 1 && v.size(1) == channels_ && v.size(2) == side_ && v.size(3) == side_ &&
                  v.size(4) == side_,
              "volume file: assign needs [1, ", channels_, ", ", side_, ", ", side_, ", ", side_, "], got ", v.sizes());
  auto c = v.to(torch::kCPU, torch::kFloat32).contiguous();
  rows({0, 0, 0}, {side_, side_, side_}, c.data_ptr<float>(), true);
}

}  // namespace ganbench
