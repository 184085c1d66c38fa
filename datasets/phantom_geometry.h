// Shapes shared by the procedural phantoms, in [-1, 1] image coordinates (x right, y down).
#pragma once

#include <algorithm>
#include <cmath>

namespace ganbench {

struct Ellipse {
  double cx, cy, a, b, angle;  // centre, semi-axes, rotation (rad)
  // < 1 inside, 1 on the boundary.
  double r2(double x, double y) const {
    const double c = std::cos(angle), s = std::sin(angle);
    const double dx = x - cx, dy = y - cy;
    const double u = (c * dx + s * dy) / a, v = (-s * dx + c * dy) / b;
    return u * u + v * v;
  }
  bool inside(double x, double y) const { return r2(x, y) < 1.0; }
};

// Centre of pixel (i, j) sub-sample (si, sj) of an n x n supersampling, in [-1, 1] coordinates.
inline double pixel_coord(int i, int si, int n_sub, int size) {
  return -1.0 + (i + (si + 0.5) / n_sub) * (2.0 / size);
}

// Distance from (x, y) to the segment (x0, y0)-(x1, y1).
inline double segment_distance(double x, double y, double x0, double y0, double x1, double y1) {
  const double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  const double t = len2 > 0 ? std::clamp(((x - x0) * dx + (y - y0) * dy) / len2, 0.0, 1.0) : 0.0;
  const double px = x0 + t * dx - x, py = y0 + t * dy - y;
  return std::sqrt(px * px + py * py);
}

}  // namespace ganbench
