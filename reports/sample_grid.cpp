#include "reports/sample_grid.h"

#include <stdexcept>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace ganbench {
namespace {
constexpr double kOverlayAlpha = 0.45;  // label colour weight in the overlay
constexpr int kGap = 2;                 // px between tiles, at output scale
}  // namespace

std::vector<std::array<uint8_t, 3>> label_palette() {
  return {{0, 0, 0},      {240, 230, 30}, {60, 200, 60}, {40, 110, 240},
          {220, 60, 220}, {60, 60, 230},  {40, 220, 230}};
}

namespace {
// Image i of float [N, C, H, W] data in [0, 1] (C = 1 or 3, RGB) as 8-bit BGR.
cv::Mat to_bgr(const float* img, int64_t i, int64_t c, int64_t h, int64_t w) {
  cv::Mat out(static_cast<int>(h), static_cast<int>(w), CV_8UC3);
  const int64_t hw = h * w;
  for (int64_t p = 0; p < hw; ++p) {
    auto& px = out.at<cv::Vec3b>(static_cast<int>(p / w), static_cast<int>(p % w));
    for (int ch = 0; ch < 3; ++ch) {
      const int64_t src = c == 1 ? 0 : 2 - ch;  // RGB data -> BGR pixels
      px[ch] = cv::saturate_cast<uint8_t>(img[(i * c + src) * hw + p] * 255.0f + 0.5f);
    }
  }
  return out;
}
}  // namespace

std::string encode_image_png(const NpyArray& images, int64_t index) {
  const auto& s = images.shape;
  if (s.size() != 4 || (s[1] != 1 && s[1] != 3) || index < 0 || index >= s[0])
    throw std::invalid_argument("encode_image_png: need images [N, 1 or 3, H, W] and an index below N");
  const auto img = images.to_floats();
  cv::Mat bgr = to_bgr(img.data(), index, s[1], s[2], s[3]);
  if (s[1] == 1) cv::cvtColor(bgr, bgr, cv::COLOR_BGR2GRAY);
  std::vector<uchar> buf;
  if (!cv::imencode(".png", bgr, buf)) throw std::runtime_error("PNG encoding failed");
  return std::string(buf.begin(), buf.end());
}

GridRow volume_mid_slices(const GridRow& v) {
  const auto& s = v.images.shape;
  const auto& l = v.labels.shape;
  if (s.size() != 5 || l.size() != 4 || s[2] != s[3] || s[3] != s[4] || l[0] != s[0] || l[1] != s[2] ||
      l[2] != s[3] || l[3] != s[4])
    throw std::invalid_argument("volume mid-slices: need volumes [N, C, S, S, S] and labels [N, S, S, S]");
  const int64_t n = s[0], c = s[1], side = s[2], m = side / 2, plane = side * side;
  const auto img = v.images.to_floats();
  const auto lab = v.labels.to_doubles();
  std::vector<float> out_img(static_cast<size_t>(3 * n * c * plane));
  std::vector<uint8_t> out_lab(static_cast<size_t>(3 * n * plane));
  auto at = [side](int64_t z, int64_t y, int64_t x) { return (z * side + y) * side + x; };
  for (int64_t i = 0; i < n; ++i)
    for (int64_t p = 0; p < 3; ++p)
      for (int64_t a = 0; a < side; ++a)
        for (int64_t b = 0; b < side; ++b) {
          // axial: (y, x) at z = m; coronal: (z, x) at y = m; sagittal: (z, y) at x = m.
          const int64_t src = p == 0 ? at(m, a, b) : p == 1 ? at(a, m, b) : at(a, b, m);
          const int64_t tile = 3 * i + p, dst = a * side + b;
          for (int64_t ch = 0; ch < c; ++ch)
            out_img[static_cast<size_t>((tile * c + ch) * plane + dst)] =
                img[static_cast<size_t>((i * c + ch) * plane * side + src)];
          out_lab[static_cast<size_t>(tile * plane + dst)] =
              static_cast<uint8_t>(lab[static_cast<size_t>(i * plane * side + src)]);
        }
  return {NpyArray::from_floats(out_img, {3 * n, c, side, side}),
          NpyArray::from_bytes(out_lab, {3 * n, side, side})};
}

std::string render_sample_grid(const std::vector<GridRow>& given, int scale) {
  if (given.empty()) throw std::invalid_argument("sample grid: no rows");
  std::vector<GridRow> rows;
  for (const auto& r : given) rows.push_back(r.images.shape.size() == 5 ? volume_mid_slices(r) : r);
  if (scale < 1 || scale > 16) throw std::invalid_argument("sample grid: scale must be in [1, 16]");
  int64_t cols = 0, side = 0;
  for (const auto& r : rows) {
    if (r.images.shape.size() != 4 || r.labels.shape.size() != 3 || r.images.shape[0] != r.labels.shape[0] ||
        r.images.shape[2] != r.labels.shape[1] || r.images.shape[3] != r.labels.shape[2] ||
        r.images.shape[2] != r.images.shape[3])
      throw std::invalid_argument("sample grid: need images [N, C, H, H] and labels [N, H, H]");
    if (r.images.shape[1] != 1 && r.images.shape[1] != 3)
      throw std::invalid_argument("sample grid: images must have 1 or 3 channels");
    if (side && r.images.shape[2] != side)
      throw std::invalid_argument("sample grid: rows differ in image size");
    side = r.images.shape[2];
    cols = std::max(cols, r.images.shape[0]);
  }
  const int tile = static_cast<int>(side) * scale;
  const int width = static_cast<int>(cols) * (tile + kGap) + kGap;
  const int height = static_cast<int>(rows.size()) * 2 * (tile + kGap) + kGap;
  cv::Mat canvas(height, width, CV_8UC3, cv::Scalar(40, 40, 40));
  const auto palette = label_palette();
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto img = rows[r].images.to_floats();
    const auto lab = rows[r].labels.to_doubles();
    const int64_t n = rows[r].images.shape[0], c = rows[r].images.shape[1];
    const int64_t hw = side * side;
    for (int64_t i = 0; i < n; ++i) {
      cv::Mat plain = to_bgr(img.data(), i, c, side, side), over;
      plain.copyTo(over);
      for (int64_t p = 0; p < hw; ++p) {
        const auto l = static_cast<size_t>(lab[i * hw + p]);
        if (l == 0) continue;
        const auto& col = palette[l % palette.size()];
        auto& px = over.at<cv::Vec3b>(static_cast<int>(p / side), static_cast<int>(p % side));
        for (int ch = 0; ch < 3; ++ch)
          px[ch] = cv::saturate_cast<uint8_t>((1 - kOverlayAlpha) * px[ch] + kOverlayAlpha * col[ch]);
      }
      const int x = kGap + static_cast<int>(i) * (tile + kGap);
      const int y0 = kGap + static_cast<int>(2 * r) * (tile + kGap);
      cv::Mat top = canvas(cv::Rect(x, y0, tile, tile)),
              bottom = canvas(cv::Rect(x, y0 + tile + kGap, tile, tile));
      cv::resize(plain, top, cv::Size(tile, tile), 0, 0, cv::INTER_NEAREST);
      cv::resize(over, bottom, cv::Size(tile, tile), 0, 0, cv::INTER_NEAREST);
    }
  }
  std::vector<uchar> buf;
  if (!cv::imencode(".png", canvas, buf, {cv::IMWRITE_PNG_COMPRESSION, 9}))
    throw std::runtime_error("sample grid: PNG encoding failed");
  return std::string(buf.begin(), buf.end());
}

std::string base64_encode(const std::string& bytes) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], tbl[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint8_t(bytes[i]) << 16;
    out += {tbl[v >> 18], tbl[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], '='};
  }
  return out;
}

}  // namespace ganbench
