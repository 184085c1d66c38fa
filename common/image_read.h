// Reading an image file with OpenCV without its exceptions escaping: a file it cannot decode, or whose header
// claims a size beyond OpenCV's limits (it throws cv::Exception for those), is a std::runtime_error naming the
// file. Header-only: each user links OpenCV itself. OpenCV allocates what a header claims up to
// $OPENCV_IO_MAX_IMAGE_PIXELS (default 2^30) before finding the data short; it reads that variable when its
// library loads, so only the environment can lower it (scripts/fuzz.sh does, for fuzz_folder).
#pragma once

#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

namespace ganbench {

inline cv::Mat read_image_file(const std::filesystem::path& path, int flags) {
  cv::Mat m;
  try {
    m = cv::imread(path.string(), flags);
  } catch (const cv::Exception& e) {  // e.g. a JPEG header claiming 65,000 rows (fuzz_folder's find)
    throw std::runtime_error(fmt::format("{}: cannot decode image: {}", path.string(), e.err));
  }
  if (m.empty())
    throw std::runtime_error(
        fmt::format("{}: cannot decode image (unreadable, truncated or unsupported)", path.string()));
  return m;
}

}  // namespace ganbench
