#include "datasets/liver_phantom3d.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "datasets/liver_phantom.h"
#include "datasets/phantom_geometry.h"

namespace ganbench {
namespace {

constexpr int kSuper = 2;                // supersampling per axis, for partial-volume edges
constexpr double kAirHU = -1000.0;       // air
constexpr double kFatHU = -100.0;        // subcutaneous fat
constexpr double kMuscleHU = 50.0;       // abdominal wall and paraspinal muscle
constexpr double kCorticalHU = 900.0;    // cortical bone
constexpr double kCancellousHU = 250.0;  // vertebral body marrow
constexpr double kDiscHU = 90.0;         // intervertebral disc
constexpr double kCsfHU = 15.0;          // spinal canal
constexpr int kLobes = 5;                // directional bumps of the lobular liver surface
constexpr int kMaxVessels = 8;           // vessel segments of the portal tree
constexpr int kMaxTumours = 3;           // tumours per volume

struct Ellipsoid {
  double cx, cy, cz, a, b, c;  // centre, semi-axes along x, y, z
  double r2(double x, double y, double z) const {
    const double u = (x - cx) / a, v = (y - cy) / b, w = (z - cz) / c;
    return u * u + v * v + w * w;
  }
  bool inside(double x, double y, double z) const { return r2(x, y, z) < 1.0; }
};

// An ellipsoid whose radius is modulated by bumps towards random directions: r = 1 + sum amp_k (d . n_k)^2.
struct LobularBlob {
  Ellipsoid e;
  double dir[kLobes][3], amp[kLobes];
  bool inside(double x, double y, double z, double shrink = 1.0) const {
    const double u = (x - e.cx) / e.a, v = (y - e.cy) / e.b, w = (z - e.cz) / e.c;
    const double r = std::sqrt(u * u + v * v + w * w);
    if (r < 1e-9) return true;
    double rad = 1.0;
    for (int k = 0; k < kLobes; ++k) {
      const double d = (u * dir[k][0] + v * dir[k][1] + w * dir[k][2]) / r;
      rad += amp[k] * (d * d - 0.33);
    }
    return r < rad * shrink;
  }
};

struct Segment3 {
  double p0[3], p1[3], radius;
  double distance(double x, double y, double z) const {
    double d[3] = {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
    const double len2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    double t = len2 > 0 ? ((x - p0[0]) * d[0] + (y - p0[1]) * d[1] + (z - p0[2]) * d[2]) / len2 : 0.0;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    const double px = p0[0] + t * d[0] - x, py = p0[1] + t * d[1] - y, pz = p0[2] + t * d[2] - z;
    return std::sqrt(px * px + py * py + pz * pz);
  }
};

struct Voxel {
  double hu;
  uint8_t label;
};

struct AbdomenVolume {
  double bx, by, ba, bb, taper;  // body: elliptic cylinder, semi-axes shrinking by `taper` towards z = +-1
  double fat_rim, muscle_rim, hu_visceral_fat;
  double spine_x, spine_y, spine_r, disc_period, disc_phase;
  Ellipsoid kidney[2], spleen;
  double aorta_x, aorta_y, aorta_r, ivc_x, ivc_y, ivc_r, hu_aorta, hu_ivc, hu_kidney, hu_spleen;
  LobularBlob liver;
  Segment3 vessels[kMaxVessels];
  Ellipsoid tumour[kMaxTumours];
  int n_vessels = 0, n_tumours = 0;
  double hu_liver, hu_vessel, hu_tumour[kMaxTumours];

  Voxel at(double x, double y, double z) const {
    const double s = 1.0 - taper * z * z;
    const double u = (x - bx) / (ba * s), v = (y - by) / (bb * s);
    const double rb = u * u + v * v;
    if (rb >= 1.0) return {kAirHU, kLiverBackground};
    const double rr = std::sqrt(rb);
    if (rr > 1.0 - fat_rim) return {kFatHU, kLiverBackground};
    if (rr > 1.0 - fat_rim - muscle_rim) return {kMuscleHU, kLiverBackground};
    const double sx = x - spine_x, sy = y - spine_y, sr = std::sqrt(sx * sx + sy * sy);
    if (sr < spine_r) {  // vertebral bodies separated by discs
      const double ph = std::fmod(z / disc_period + disc_phase + 8.0, 1.0);
      if (ph < 0.18) return {kDiscHU, kLiverBackground};
      return {sr > 0.82 * spine_r ? kCorticalHU : kCancellousHU, kLiverBackground};
    }
    const double cy = sy - 1.5 * spine_r;
    if (sx * sx + cy * cy < 0.16 * spine_r * spine_r) return {kCsfHU, kLiverBackground};
    if (sx * sx + cy * cy < 0.5 * spine_r * spine_r) return {kCorticalHU * 0.75, kLiverBackground};
    for (const auto& k : kidney)
      if (k.inside(x, y, z)) return {hu_kidney, kLiverBackground};
    const double ax = x - aorta_x, ay = y - aorta_y;
    if (ax * ax + ay * ay < aorta_r * aorta_r) return {hu_aorta, kLiverBackground};
    const double ix = x - ivc_x, iy = y - ivc_y;
    if (ix * ix + iy * iy < ivc_r * ivc_r) return {hu_ivc, kLiverBackground};
    if (liver.inside(x, y, z)) {
      for (int k = 0; k < n_tumours; ++k)
        if (tumour[k].inside(x, y, z)) return {hu_tumour[k], kLiverTumour};
      for (int k = 0; k < n_vessels; ++k)
        if (vessels[k].distance(x, y, z) < vessels[k].radius) return {hu_vessel, kLiverLiver};
      return {hu_liver, kLiverLiver};
    }
    if (spleen.inside(x, y, z)) return {hu_spleen, kLiverBackground};
    return {hu_visceral_fat, kLiverBackground};
  }
};

AbdomenVolume random_volume(PhantomRng& rng) {
  AbdomenVolume s;
  s.bx = rng.uniform(-0.04, 0.04);
  s.by = rng.uniform(0.0, 0.08);
  s.ba = rng.uniform(0.86, 0.96);
  s.bb = rng.uniform(0.6, 0.72);
  s.taper = rng.uniform(0.0, 0.12);
  s.fat_rim = rng.uniform(0.04, 0.13);
  s.muscle_rim = rng.uniform(0.03, 0.06);
  s.hu_visceral_fat = rng.uniform(-110, -80);

  s.spine_r = rng.uniform(0.085, 0.11);
  s.spine_x = s.bx + rng.uniform(-0.02, 0.02);
  s.spine_y = s.by + s.bb * rng.uniform(0.4, 0.5);
  s.disc_period = rng.uniform(0.3, 0.4);  // one vertebra + disc, in [-1, 1] units
  s.disc_phase = rng.uniform(0, 1);
  for (int k = 0; k < 2; ++k) {
    const double side = k == 0 ? -1.0 : 1.0;
    s.kidney[k] = {s.spine_x + side * rng.uniform(0.3, 0.38), s.spine_y - rng.uniform(0.0, 0.06),
                   rng.uniform(0.45, 0.75), rng.uniform(0.08, 0.1), rng.uniform(0.1, 0.13),
                   rng.uniform(0.25, 0.35)};
  }
  s.hu_kidney = rng.uniform(140, 190);
  s.aorta_x = s.spine_x + rng.uniform(0.03, 0.08);
  s.aorta_y = s.spine_y - s.spine_r - rng.uniform(0.05, 0.07);
  s.aorta_r = rng.uniform(0.035, 0.05);
  s.ivc_x = s.spine_x - rng.uniform(0.1, 0.16);
  s.ivc_y = s.spine_y - s.spine_r - rng.uniform(0.04, 0.07);
  s.ivc_r = rng.uniform(0.035, 0.05);
  s.hu_aorta = rng.uniform(150, 260);
  s.hu_ivc = rng.uniform(110, 160);
  s.spleen = {s.bx + rng.uniform(0.52, 0.62), s.by + rng.uniform(0.05, 0.18), rng.uniform(0.2, 0.5),
              rng.uniform(0.1, 0.16), rng.uniform(0.16, 0.24), rng.uniform(0.25, 0.4)};
  s.hu_spleen = rng.uniform(45, 60);

  // Liver on the image left (patient right), upper abdomen, lobular.
  s.liver.e = {s.bx - rng.uniform(0.28, 0.38), s.by - rng.uniform(0.02, 0.12), rng.uniform(-0.35, -0.05),
               rng.uniform(0.42, 0.52),        rng.uniform(0.36, 0.46),        rng.uniform(0.45, 0.6)};
  for (int k = 0; k < kLobes; ++k) {
    double d[3] = {rng.normal(), rng.normal(), rng.normal()};
    const double n = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) + 1e-12;
    for (int a = 0; a < 3; ++a) s.liver.dir[k][a] = d[a] / n;
    s.liver.amp[k] = rng.uniform(0.0, 0.25);
  }
  s.hu_liver = rng.uniform(50, 75);
  s.hu_vessel = rng.uniform(130, 190);
  // Portal branches fanning out from the hilum (medial, posterior part of the liver).
  const double hx = s.liver.e.cx + 0.18, hy = s.liver.e.cy + 0.1, hz = s.liver.e.cz;
  s.n_vessels = 4 + static_cast<int>(rng.uniform(0, kMaxVessels - 4 + 1));
  for (int k = 0; k < s.n_vessels; ++k) {
    const double ang = rng.uniform(M_PI * 0.6, M_PI * 1.6), len = rng.uniform(0.15, 0.35);
    const double dz = rng.uniform(-0.35, 0.35);
    s.vessels[k] = {{hx, hy, hz}, {hx + len * std::cos(ang), hy + len * std::sin(ang), hz + dz},
                    rng.uniform(0.015, 0.03)};
  }
  // Hypodense tumours in about 60% of the volumes.
  s.n_tumours = rng.bernoulli(0.6) ? 1 + static_cast<int>(rng.uniform(0, kMaxTumours)) : 0;
  for (int k = 0; k < s.n_tumours; ++k) {
    double t[3] = {s.liver.e.cx, s.liver.e.cy, s.liver.e.cz};
    for (int tries = 0; tries < 50; ++tries) {  // a centre well inside the liver
      const double c[3] = {s.liver.e.cx + rng.uniform(-0.35, 0.35), s.liver.e.cy + rng.uniform(-0.3, 0.3),
                           s.liver.e.cz + rng.uniform(-0.4, 0.4)};
      if (s.liver.inside(c[0], c[1], c[2], 0.6)) {
        t[0] = c[0], t[1] = c[1], t[2] = c[2];
        break;
      }
    }
    const double r = rng.uniform(0.05, 0.13);
    s.tumour[k] = {t[0], t[1], t[2], r * rng.uniform(0.8, 1.25), r, r * rng.uniform(0.8, 1.25)};
    s.hu_tumour[k] = s.hu_liver - rng.uniform(25, 55);
  }
  return s;
}

}  // namespace

std::vector<float> liver_phantom3d_hu(int size, uint64_t seed, std::vector<uint8_t>* labels) {
  if (size < 8 || size > 1024)
    throw std::invalid_argument(fmt::format("3-D liver phantom: size {} not in [8, 1024]", size));
  PhantomRng rng(seed);
  const AbdomenVolume vol = random_volume(rng);
  const double noise_hu = rng.uniform(4.0, 11.0);  // CT quantum noise std, HU
  const size_t n = static_cast<size_t>(size);
  std::vector<float> hu(n * n * n);
  if (labels) labels->resize(hu.size());
  for (int k = 0; k < size; ++k)
    for (int i = 0; i < size; ++i)
      for (int j = 0; j < size; ++j) {
        double acc = 0.0;
        for (int sk = 0; sk < kSuper; ++sk)
          for (int si = 0; si < kSuper; ++si)
            for (int sj = 0; sj < kSuper; ++sj)
              acc += vol.at(pixel_coord(j, sj, kSuper, size), pixel_coord(i, si, kSuper, size),
                            pixel_coord(k, sk, kSuper, size))
                         .hu;
        const double x = pixel_coord(j, 0, 1, size), y = pixel_coord(i, 0, 1, size),
                     z = pixel_coord(k, 0, 1, size);
        const Voxel centre = vol.at(x, y, z);
        const size_t at = (k * n + i) * n + j;
        hu[at] = static_cast<float>(acc / (kSuper * kSuper * kSuper) +
                                    (centre.hu > kAirHU ? noise_hu * rng.normal() : 0.0));
        if (labels) (*labels)[at] = centre.label;
      }
  return hu;
}

PhantomSample liver_phantom3d(int size, uint64_t seed, const IntensityOptions& opts) {
  PhantomSample out;
  const auto hu = liver_phantom3d_hu(size, seed, &out.labels);
  out.image.resize(hu.size());
  for (size_t i = 0; i < hu.size(); ++i)
    out.image[i] = ct_window(hu[i], opts.ct_window_level, opts.ct_window_width);
  return out;
}

}  // namespace ganbench
