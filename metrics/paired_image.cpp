#include "metrics/paired_image.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace ganbench {
namespace {

constexpr int kWin = 7;                // scikit-image's default window (uniform filter)
constexpr int kCrop = (kWin - 1) / 2;  // the border scikit-image and SynthRAD crop before averaging
constexpr double kK1 = 0.01, kK2 = 0.03;
constexpr int kMsSsimSide = 97;  // SynthRAD2025 edge-pads every axis to this before five levels
constexpr std::array<double, 5> kMsSsimWeights{0.0448, 0.2856, 0.3001, 0.2363, 0.1333};  // Wang et al. 2003

// A dense array on a 3-D grid; a 2-D image is [1, H, W] with no window along axis 0.
struct Grid {
  std::array<int64_t, 3> n{1, 1, 1};
  int dims = 2;
  int64_t size() const { return n[0] * n[1] * n[2]; }
  int64_t at(int64_t i, int64_t j, int64_t k) const { return (i * n[1] + j) * n[2] + k; }
  int win(int axis) const { return axis == 0 && dims == 2 ? 1 : kWin; }
};

struct Field {
  Grid g;
  std::vector<double> v;
};

Grid grid_of(const ImagePair& p) {
  if (p.shape.size() != 2 && p.shape.size() != 3)
    throw std::invalid_argument(fmt::format("paired metrics take 2-D or 3-D images, got {} dimensions", p.shape.size()));
  Grid g;
  g.dims = static_cast<int>(p.shape.size());
  for (size_t a = 0; a < p.shape.size(); ++a) {
    if (p.shape[a] < 1) throw std::invalid_argument("paired metrics: an empty image");
    g.n[3 - p.shape.size() + a] = p.shape[a];
  }
  if (!p.gt || !p.pred) throw std::invalid_argument("paired metrics: no image data");
  for (int64_t i = 0; i < g.size(); ++i)
    if (!std::isfinite(p.gt[i]) || !std::isfinite(p.pred[i]))
      throw std::invalid_argument(fmt::format("paired metrics: a non-finite value at voxel {}", i));
  return g;
}

bool inside(const ImagePair& p, int64_t i) { return !p.mask || p.mask[i] > 0; }

int64_t mask_count(const ImagePair& p, const Grid& g) {
  int64_t m = 0;
  for (int64_t i = 0; i < g.size(); ++i) m += inside(p, i);
  if (m == 0) throw std::invalid_argument("paired metrics: the mask is empty (no voxel > 0)");
  return m;
}

// SynthRAD's preparation for SSIM: clip to the range, outside the mask the range's low end, then shift by -lo.
Field prepare(const ImagePair& p, const Grid& g, const double* img, IntensityRange r) {
  Field f{g, std::vector<double>(g.size())};
  for (int64_t i = 0; i < g.size(); ++i) f.v[i] = (inside(p, i) ? std::clamp(img[i], r.lo, r.hi) : r.lo) - r.lo;
  return f;
}

// Means over every kWin-wide window that fits (scipy's uniform_filter, cropped by kCrop: the crop removes every
// value that the filter's boundary mode would touch). Separable, one axis at a time.
Field box_mean(const Field& in) {
  Field cur = in;
  for (int axis = 2; axis >= 0; --axis) {
    const int w = cur.g.win(axis);
    if (w == 1) continue;
    Grid og = cur.g;
    og.n[axis] = cur.g.n[axis] - w + 1;
    Field out{og, std::vector<double>(og.size())};
    for (int64_t i = 0; i < og.n[0]; ++i)
      for (int64_t j = 0; j < og.n[1]; ++j)
        for (int64_t k = 0; k < og.n[2]; ++k) {
          double s = 0;
          for (int t = 0; t < w; ++t)
            s += cur.v[cur.g.at(i + (axis == 0) * t, j + (axis == 1) * t, k + (axis == 2) * t)];
          out.v[og.at(i, j, k)] = s / w;
        }
    cur = std::move(out);
  }
  return cur;
}

Field product(const Field& a, const Field& b) {
  Field p{a.g, std::vector<double>(a.v.size())};
  for (size_t i = 0; i < a.v.size(); ++i) p.v[i] = a.v[i] * b.v[i];
  return p;
}

// The SSIM terms on the cropped grid: means, (sample) variances and covariance.
struct Moments {
  Field ux, uy, vx, vy, vxy;
};

Moments moments(const Field& x, const Field& y) {
  for (int a = 0; a < 3; ++a)
    if (x.g.n[a] < x.g.win(a))
      throw std::invalid_argument(
          fmt::format("paired SSIM: every side must be at least {} voxels (scikit-image's window)", kWin));
  Moments m{box_mean(x), box_mean(y), box_mean(product(x, x)), box_mean(product(y, y)), box_mean(product(x, y))};
  const double np = x.g.dims == 3 ? kWin * kWin * kWin : kWin * kWin;
  const double cov_norm = np / (np - 1);  // use_sample_covariance = True
  for (size_t i = 0; i < m.ux.v.size(); ++i) {
    const double ux = m.ux.v[i], uy = m.uy.v[i];
    m.vx.v[i] = cov_norm * (m.vx.v[i] - ux * ux);
    m.vy.v[i] = cov_norm * (m.vy.v[i] - uy * uy);
    m.vxy.v[i] = cov_norm * (m.vxy.v[i] - ux * uy);
  }
  return m;
}

// Mean of `map` (on the cropped grid of `full`) over the voxels whose mask value, cropped the same way, is > 0.
double masked_mean(const Field& map, const Grid& full, const std::vector<double>& mask) {
  const int o0 = full.win(0) / 2, o = kCrop;
  double s = 0;
  int64_t n = 0;
  for (int64_t i = 0; i < map.g.n[0]; ++i)
    for (int64_t j = 0; j < map.g.n[1]; ++j)
      for (int64_t k = 0; k < map.g.n[2]; ++k)
        if (mask.empty() || mask[full.at(i + o0, j + o, k + o)] > 0) {
          s += map.v[map.g.at(i, j, k)];
          ++n;
        }
  if (n == 0)
    throw std::invalid_argument(
        fmt::format("paired SSIM: no masked voxel lies inside the {}-voxel border that SSIM crops", kCrop));
  return s / static_cast<double>(n);
}

std::vector<double> binary_mask(const ImagePair& p, const Grid& g) {
  if (!p.mask) return {};
  std::vector<double> m(g.size());
  for (int64_t i = 0; i < g.size(); ++i) m[i] = p.mask[i] > 0 ? 1.0 : 0.0;
  return m;
}

// numpy.pad(mode='edge') of every real axis shorter than `side` to `side`, split as SynthRAD2025 splits it.
Field pad_edge(const Field& in, int64_t side) {
  std::array<int64_t, 3> before{0, 0, 0};
  Grid og = in.g;
  for (int a = 3 - in.g.dims; a < 3; ++a)
    if (in.g.n[a] < side) before[a] = (side - in.g.n[a]) / 2, og.n[a] = side;
  Field out{og, std::vector<double>(og.size())};
  for (int64_t i = 0; i < og.n[0]; ++i)
    for (int64_t j = 0; j < og.n[1]; ++j)
      for (int64_t k = 0; k < og.n[2]; ++k) {
        auto src = [&](int a, int64_t x) { return std::clamp<int64_t>(x - before[a], 0, in.g.n[a] - 1); };
        out.v[og.at(i, j, k)] = in.v[in.g.at(src(0, i), src(1, j), src(2, k))];
      }
  return out;
}

// scipy.signal.fftconvolve(x, ones(2,..)/2^d, mode='same'), then every other voxel: out[i] is the mean of
// x[i - a] over a in {0, 1}^d, with zeros before the first voxel.
Field downsample(const Field& in) {
  Grid og = in.g;
  for (int a = 3 - in.g.dims; a < 3; ++a) og.n[a] = (in.g.n[a] + 1) / 2;
  Field out{og, std::vector<double>(og.size())};
  const int d0 = in.g.dims == 3 ? 2 : 1;
  const double norm = in.g.dims == 3 ? 8 : 4;
  for (int64_t i = 0; i < og.n[0]; ++i)
    for (int64_t j = 0; j < og.n[1]; ++j)
      for (int64_t k = 0; k < og.n[2]; ++k) {
        const int64_t si = in.g.dims == 3 ? 2 * i : i, sj = 2 * j, sk = 2 * k;
        double s = 0;
        for (int a = 0; a < d0; ++a)
          for (int b = 0; b < 2; ++b)
            for (int c = 0; c < 2; ++c)
              if (si - a >= 0 && sj - b >= 0 && sk - c >= 0) s += in.v[in.g.at(si - a, sj - b, sk - c)];
        out.v[og.at(i, j, k)] = s / norm;
      }
  return out;
}

Field subsample(const Field& in) {
  Grid og = in.g;
  for (int a = 3 - in.g.dims; a < 3; ++a) og.n[a] = (in.g.n[a] + 1) / 2;
  Field out{og, std::vector<double>(og.size())};
  for (int64_t i = 0; i < og.n[0]; ++i)
    for (int64_t j = 0; j < og.n[1]; ++j)
      for (int64_t k = 0; k < og.n[2]; ++k)
        out.v[og.at(i, j, k)] = in.v[in.g.at(in.g.dims == 3 ? 2 * i : i, 2 * j, 2 * k)];
  return out;
}

void check_range(IntensityRange r) {
  if (!(r.hi > r.lo) || !std::isfinite(r.lo) || !std::isfinite(r.hi))
    throw std::invalid_argument(fmt::format("paired metrics: the range [{}, {}] is empty", r.lo, r.hi));
}

}  // namespace

double paired_mae(const ImagePair& p) {
  const Grid g = grid_of(p);
  const int64_t m = mask_count(p, g);
  double s = 0;
  for (int64_t i = 0; i < g.size(); ++i)
    if (inside(p, i)) s += std::abs(p.gt[i] - p.pred[i]);
  return s / static_cast<double>(m);
}

double paired_psnr(const ImagePair& p, IntensityRange r) {
  check_range(r);
  const Grid g = grid_of(p);
  const int64_t m = mask_count(p, g);
  double se = 0;
  for (int64_t i = 0; i < g.size(); ++i)
    if (inside(p, i)) {
      const double d = std::clamp(p.gt[i], r.lo, r.hi) - std::clamp(p.pred[i], r.lo, r.hi);
      se += d * d;
    }
  if (se == 0) return std::numeric_limits<double>::infinity();
  return 10 * std::log10(r.width() * r.width() / (se / static_cast<double>(m)));
}

double paired_ssim(const ImagePair& p, IntensityRange r) {
  check_range(r);
  const Grid g = grid_of(p);
  mask_count(p, g);
  const Moments m = moments(prepare(p, g, p.gt, r), prepare(p, g, p.pred, r));
  const double c1 = (kK1 * r.width()) * (kK1 * r.width()), c2 = (kK2 * r.width()) * (kK2 * r.width());
  Field s = m.ux;
  for (size_t i = 0; i < s.v.size(); ++i) {
    const double ux = m.ux.v[i], uy = m.uy.v[i];
    s.v[i] = (2 * ux * uy + c1) * (2 * m.vxy.v[i] + c2) / ((ux * ux + uy * uy + c1) * (m.vx.v[i] + m.vy.v[i] + c2));
  }
  return masked_mean(s, g, binary_mask(p, g));
}

double paired_ms_ssim(const ImagePair& p, IntensityRange r) {
  check_range(r);
  const Grid g = grid_of(p);
  mask_count(p, g);
  Field x = pad_edge(prepare(p, g, p.gt, r), kMsSsimSide), y = pad_edge(prepare(p, g, p.pred, r), kMsSsimSide);
  std::vector<double> ones(g.size(), 1.0);
  Field mask = pad_edge(Field{g, p.mask ? binary_mask(p, g) : ones}, kMsSsimSide);
  const double c2 = (kK2 * r.width()) * (kK2 * r.width()), c3 = c2 / 2;
  double value = 1;
  for (size_t level = 0; level < kMsSsimWeights.size(); ++level) {
    const double w = kMsSsimWeights[level];
    const Moments m = moments(x, y);
    Field s = m.ux;
    for (size_t i = 0; i < s.v.size(); ++i) {
      const double sx = std::sqrt(std::max(m.vx.v[i], 0.0)), sy = std::sqrt(std::max(m.vy.v[i], 0.0));
      // luminance^0 = 1 (the 2025 code's luminance weights are 0 at these five levels)
      const double contrast = std::max((2 * sx * sy + c2) / (m.vx.v[i] + m.vy.v[i] + c2), 0.0);
      const double structure = std::max((m.vxy.v[i] + c3) / (sx * sy + c3), 0.0);
      s.v[i] = std::pow(contrast, w) * std::pow(structure, w);
    }
    value *= std::clamp(masked_mean(s, x.g, mask.v), 0.0, 1.0);
    if (level + 1 < kMsSsimWeights.size()) x = downsample(x), y = downsample(y), mask = subsample(mask);
  }
  return value;
}

}  // namespace ganbench
