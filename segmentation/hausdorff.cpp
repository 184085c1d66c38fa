#include "segmentation/hausdorff.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/percentile.h"

namespace ganbench {
namespace {

struct Point {
  int z, y, x;  // z = 0 for images
};

// Foreground pixels (voxels) with a 4-neighbour (6-neighbour) outside the mask or on the border.
std::vector<Point> surface(const torch::Tensor& mask) {
  auto m = (mask.dim() == 2 ? mask.unsqueeze(0) : mask).to(torch::kBool).contiguous();
  const bool vol = mask.dim() == 3;
  const int d = static_cast<int>(m.size(0)), h = static_cast<int>(m.size(1)), w = static_cast<int>(m.size(2));
  const bool* p = m.data_ptr<bool>();
  auto at = [&](int z, int y, int x) { return p[(static_cast<size_t>(z) * h + y) * w + x]; };
  std::vector<Point> out;
  for (int z = 0; z < d; ++z)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        if (!at(z, y, x)) continue;
        bool edge = y == 0 || x == 0 || y == h - 1 || x == w - 1 || !at(z, y - 1, x) || !at(z, y + 1, x) ||
                    !at(z, y, x - 1) || !at(z, y, x + 1);
        if (vol) edge = edge || z == 0 || z == d - 1 || !at(z - 1, y, x) || !at(z + 1, y, x);
        if (edge) out.push_back({z, y, x});
      }
  return out;
}

double directed95(const std::vector<Point>& from, const std::vector<Point>& to) {
  std::vector<double> d(from.size());
  for (size_t i = 0; i < from.size(); ++i) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& t : to) {
      const double dz = from[i].z - t.z, dy = from[i].y - t.y, dx = from[i].x - t.x;
      best = std::min(best, dz * dz + dy * dy + dx * dx);
    }
    d[i] = std::sqrt(best);
  }
  return percentile_linear(std::move(d), 95.0);
}

}  // namespace

double hd95(const torch::Tensor& pred, const torch::Tensor& target, double spacing) {
  if ((pred.dim() != 2 && pred.dim() != 3) || pred.sizes() != target.sizes())
    throw std::invalid_argument("hd95: need two [H, W] (or [D, H, W]) masks of the same size");
  if (!(spacing > 0)) throw std::invalid_argument("hd95: spacing must be > 0");
  const auto sp = surface(pred), st = surface(target);
  if (sp.empty() && st.empty()) return NAN;
  if (sp.empty() || st.empty()) return std::numeric_limits<double>::infinity();
  return spacing * std::max(directed95(sp, st), directed95(st, sp));
}

std::vector<std::vector<double>> hd95_matrix(const torch::Tensor& pred, const torch::Tensor& target,
                                             int64_t num_labels, bool include_background, double spacing) {
  if ((pred.dim() != 3 && pred.dim() != 4) || pred.sizes() != target.sizes())
    throw std::invalid_argument(
        fmt::format("hd95: need pred and target [N, H, W] (or [N, D, H, W]) of the same shape"));
  std::vector<std::vector<double>> out(static_cast<size_t>(pred.size(0)),
                                       std::vector<double>(static_cast<size_t>(num_labels), NAN));
  for (int64_t i = 0; i < pred.size(0); ++i)
    for (int64_t k = include_background ? 0 : 1; k < num_labels; ++k)
      out[i][k] = hd95(pred[i] == k, target[i] == k, spacing);
  return out;
}

Hd95Summary summarize_hd95(const std::vector<std::vector<double>>& matrix, int64_t only_class,
                           bool include_background) {
  Hd95Summary s;
  double sum = 0;
  int64_t finite = 0, inf = 0;
  for (const auto& row : matrix)
    for (size_t k = include_background ? 0 : 1; k < row.size(); ++k) {
      if (only_class >= 0 && static_cast<int64_t>(k) != only_class) continue;
      const double v = row[k];
      if (std::isnan(v)) continue;
      ++s.defined;
      if (std::isinf(v))
        ++inf;
      else
        sum += v, ++finite;
    }
  if (finite > 0) s.mean_finite = sum / static_cast<double>(finite);
  if (s.defined > 0) s.inf_fraction = static_cast<double>(inf) / static_cast<double>(s.defined);
  return s;
}

}  // namespace ganbench
