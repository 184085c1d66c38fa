#include "datasets/retina_phantom.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "datasets/phantom_geometry.h"

namespace ganbench {
namespace {

constexpr double kStep = 0.018;      // vessel walker step, [-1,1] units
constexpr double kMinWidth = 0.008;  // vessels thinner than this end
constexpr double kWidthKeep = 0.93;  // parent width kept after giving off a branch
constexpr int kMaxSegments = 260;  // cap per arcade tree, so no arcade starves the others
constexpr double kFoveaFree = 0.07;  // radius of the avascular zone around the fovea

struct Segment {
  double x0, y0, x1, y1, width;
  bool artery;
};

struct Walker {
  double x, y, dir, width, target;  // target: preferred direction (rad), NaN = free
  bool artery;
  int depth;
};

struct FundusScene {
  double fov_cx, fov_cy, fov_r;
  double disc_x, disc_y, disc_r, mac_x, mac_y, mac_r;
  double bg[3], disc_col[3], vignette, tex_amp[3], tex_fx[3], tex_fy[3], tex_ph[3];
  std::vector<Segment> vessels;
};

double angle_diff(double a, double b) { return std::remainder(a - b, 2 * M_PI); }

void grow_tree(FundusScene& s, PhantomRng& rng, const Walker& trunk) {
  std::vector<Walker> stack = {trunk};
  const size_t cap = s.vessels.size() + kMaxSegments;
  while (!stack.empty() && s.vessels.size() < cap) {
    Walker w = stack.back();
    stack.pop_back();
    double until_branch = rng.uniform(0.08, 0.2);
    while (w.width >= kMinWidth && s.vessels.size() < cap) {
      double turn = rng.normal() * 0.12;
      if (!std::isnan(w.target)) turn -= 0.08 * angle_diff(w.dir, w.target);
      w.dir += turn;
      const double nx = w.x + kStep * std::cos(w.dir), ny = w.y + kStep * std::sin(w.dir);
      if (std::hypot(nx - s.fov_cx, ny - s.fov_cy) > s.fov_r + 0.02) break;
      if (std::hypot(nx - s.mac_x, ny - s.mac_y) < kFoveaFree) break;
      s.vessels.push_back({w.x, w.y, nx, ny, w.width, w.artery});
      w.x = nx, w.y = ny;
      until_branch -= kStep;
      if (until_branch <= 0) {
        until_branch = rng.uniform(0.08, 0.22) * (0.5 + w.width / 0.04);
        const double side = rng.bernoulli(0.5) ? 1.0 : -1.0;
        Walker child = w;
        child.width = w.width * rng.uniform(0.5, 0.75);
        child.dir = w.dir + side * rng.uniform(0.45, 1.0);
        child.target = std::nan("");
        child.depth = w.depth + 1;
        stack.push_back(child);
        w.width *= kWidthKeep;
        w.dir -= side * 0.15;  // the parent bends away from its branch
      }
    }
  }
}

FundusScene random_scene(PhantomRng& rng) {
  FundusScene s;
  s.fov_cx = rng.uniform(-0.02, 0.02), s.fov_cy = rng.uniform(-0.02, 0.02);
  s.fov_r = rng.uniform(0.92, 0.98);
  const double eye = rng.bernoulli(0.5) ? 1.0 : -1.0;  // optic disc on the right (+1) or left (-1)
  s.disc_x = s.fov_cx + eye * rng.uniform(0.5, 0.6), s.disc_y = s.fov_cy + rng.uniform(-0.08, 0.08);
  s.disc_r = rng.uniform(0.09, 0.12);
  s.mac_x = s.disc_x - eye * rng.uniform(0.52, 0.62), s.mac_y = s.disc_y + rng.uniform(0.0, 0.08);
  s.mac_r = rng.uniform(0.14, 0.2);
  s.bg[0] = rng.uniform(0.68, 0.86), s.bg[1] = rng.uniform(0.28, 0.4), s.bg[2] = rng.uniform(0.08, 0.17);
  s.disc_col[0] = 1.0, s.disc_col[1] = rng.uniform(0.78, 0.92), s.disc_col[2] = rng.uniform(0.5, 0.7);
  s.vignette = rng.uniform(0.3, 0.5);
  for (int k = 0; k < 3; ++k) {  // faint choroidal texture, low frequency
    s.tex_amp[k] = rng.uniform(0.01, 0.035);
    s.tex_fx[k] = rng.uniform(2, 7), s.tex_fy[k] = rng.uniform(2, 7), s.tex_ph[k] = rng.uniform(0, 2 * M_PI);
  }
  // Four arcades (superior/inferior x temporal/nasal), each an artery and a vein, leave the disc.
  const double temporal = eye > 0 ? M_PI : 0.0, nasal = eye > 0 ? 0.0 : M_PI;
  std::vector<Walker> trunks;
  for (int up = 0; up < 2; ++up) {
    const double vert = up ? -M_PI / 2 : M_PI / 2;  // y grows downwards
    for (int artery = 0; artery < 2; ++artery) {
      const double w = artery ? rng.uniform(0.028, 0.034) : rng.uniform(0.036, 0.044);
      const double start = vert + (up ? 1 : -1) * eye * rng.uniform(0.15, 0.45);
      trunks.push_back({s.disc_x, s.disc_y, start, w, temporal, artery == 1, 0});
      trunks.push_back({s.disc_x, s.disc_y, vert - (up ? 1 : -1) * eye * rng.uniform(0.2, 0.5), w * 0.75,
                        nasal, artery == 1, 0});
    }
  }
  for (const auto& t : trunks) grow_tree(s, rng, t);
  return s;
}

}  // namespace

PhantomSample retina_phantom(int size, uint64_t seed, const IntensityOptions&) {
  if (size < 8 || size > 4096)
    throw std::invalid_argument(fmt::format("retina phantom: size {} not in [8, 4096]", size));
  PhantomRng rng(seed);
  const FundusScene s = random_scene(rng);
  const double px = 2.0 / size;
  const size_t n = static_cast<size_t>(size) * size;
  // Vessel coverage per pixel (analytic anti-aliasing) and the colour loss it causes.
  std::vector<float> cover(n, 0.0f), artery(n, 0.0f);
  PhantomSample out;
  out.labels.assign(n, kRetinaBackground);
  out.fov.assign(n, 0);
  for (const auto& v : s.vessels) {
    const double r = v.width / 2;
    const int j0 = std::max(0, static_cast<int>((std::min(v.x0, v.x1) - r + 1) / px) - 1);
    const int j1 = std::min(size - 1, static_cast<int>((std::max(v.x0, v.x1) + r + 1) / px) + 1);
    const int i0 = std::max(0, static_cast<int>((std::min(v.y0, v.y1) - r + 1) / px) - 1);
    const int i1 = std::min(size - 1, static_cast<int>((std::max(v.y0, v.y1) + r + 1) / px) + 1);
    for (int i = i0; i <= i1; ++i)
      for (int j = j0; j <= j1; ++j) {
        const double x = pixel_coord(j, 0, 1, size), y = pixel_coord(i, 0, 1, size);
        const double d = segment_distance(x, y, v.x0, v.y0, v.x1, v.y1);
        // Fraction of the pixel's width covered by the vessel, capped by the vessel's own width.
        const double c = std::clamp((r - d) / px + 0.5, 0.0, std::min(1.0, v.width / px));
        const size_t p = static_cast<size_t>(i) * size + j;
        if (c > cover[p]) cover[p] = static_cast<float>(c), artery[p] = v.artery ? 1.0f : 0.0f;
        // Majority rule, as an area-downsampled DRIVE mask thresholded at 0.5: vessels narrower than
        // half a pixel darken the image but are not labelled, so labels stay connected at any size.
        if (c >= 0.5) out.labels[p] = kRetinaVessel;
      }
  }
  const double noise = rng.uniform(0.008, 0.02);
  out.image.resize(3 * n);
  for (int i = 0; i < size; ++i)
    for (int j = 0; j < size; ++j) {
      const size_t p = static_cast<size_t>(i) * size + j;
      const double x = pixel_coord(j, 0, 1, size), y = pixel_coord(i, 0, 1, size);
      const double rf = std::hypot(x - s.fov_cx, y - s.fov_cy);
      const double fov = std::clamp((s.fov_r - rf) / px + 0.5, 0.0, 1.0);
      out.fov[p] = rf < s.fov_r;
      if (!out.fov[p]) out.labels[p] = kRetinaBackground;
      const double vig = 1.0 - s.vignette * std::pow(rf / s.fov_r, 2.5);
      const double dd = std::hypot(x - s.disc_x, y - s.disc_y);
      const double disc = std::clamp((s.disc_r - dd) / 0.02 + 0.5, 0.0, 1.0);  // soft disc edge
      const double cup = std::exp(-std::pow(dd / (0.45 * s.disc_r), 2));
      const double dm = std::hypot(x - s.mac_x, y - s.mac_y);
      const double macula =
          1.0 - 0.3 * std::exp(-std::pow(dm / s.mac_r, 2)) - 0.2 * std::exp(-std::pow(dm / 0.03, 2));
      for (int ch = 0; ch < 3; ++ch) {
        const double tex =
            s.tex_amp[ch] * std::sin(s.tex_fx[ch] * x + s.tex_ph[ch]) * std::sin(s.tex_fy[ch] * y);
        double v = (s.bg[ch] + tex) * macula;
        v = v * (1 - 0.9 * disc) + (s.disc_col[ch] + 0.1 * cup) * 0.9 * disc;
        // Veins darken more than arteries; the green channel carries the most vessel contrast.
        static constexpr double kVein[3] = {0.3, 0.6, 0.5}, kArtery[3] = {0.15, 0.45, 0.35};
        v *= 1.0 - cover[p] * (artery[p] > 0 ? kArtery[ch] : kVein[ch]);
        v = v * vig * fov + (fov > 0 ? noise * rng.normal() : 0.0);
        out.image[ch * n + p] = static_cast<float>(std::clamp(v, 0.0, 1.0));
      }
    }
  return out;
}

ModalityEntry retina_modality() {
  ModalityEntry e;
  e.spec.name = "retina";
  e.spec.description = "colour fundus photograph with vessel labels (DRIVE-like)";
  e.spec.channels = 3;
  e.spec.labels = {"background", "vessel"};
  e.phantom = retina_phantom;
  e.sources = {"phantom", "folder"};
  e.phantom_description =
      "RGB fundus: vignetted orange-red disc, optic disc and cup, macula and fovea, branching artery/vein "
      "tree from the disc; field-of-view mask";
  return e;
}

}  // namespace ganbench
