#include "datasets/cardiac_phantom.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "datasets/phantom_geometry.h"

namespace ganbench {
namespace {

constexpr int kSuper = 3;                // supersampling per axis, for partial-volume edges
constexpr double kEsCavityScale = 0.72;  // LV radius at end-systole relative to end-diastole
constexpr double kEsWallScale = 1.35;    // myocardial wall thickening at end-systole

struct Tissue {
  double intensity;
  uint8_t label;
};

struct CardiacScene {
  Ellipse body, lung_l, lung_r, liver, spine, lv, myo, rv;
  Ellipse papillary[2];
  int n_papillary;
  double fat_band;  // thickness of the subcutaneous fat rim, in body-radius units
  double i_air, i_fat, i_tissue, i_lung, i_liver, i_spine, i_blood_lv, i_blood_rv, i_myo, i_papillary;

  Tissue at(double x, double y) const {
    if (lv.inside(x, y)) {
      for (int k = 0; k < n_papillary; ++k)
        if (papillary[k].inside(x, y)) return {i_papillary, kCardiacLV};  // ACDC counts them in the cavity
      return {i_blood_lv, kCardiacLV};
    }
    if (myo.inside(x, y)) return {i_myo, kCardiacMyocardium};
    if (rv.inside(x, y)) return {i_blood_rv, kCardiacRV};
    const double rb = body.r2(x, y);
    if (rb >= 1.0) return {i_air, kCardiacBackground};
    if (lung_l.inside(x, y) || lung_r.inside(x, y)) return {i_lung, kCardiacBackground};
    if (spine.inside(x, y)) return {i_spine, kCardiacBackground};
    if (liver.inside(x, y)) return {i_liver, kCardiacBackground};
    if (rb > (1.0 - fat_band) * (1.0 - fat_band)) return {i_fat, kCardiacBackground};
    return {i_tissue, kCardiacBackground};
  }
};

CardiacScene random_scene(PhantomRng& rng) {
  CardiacScene s{};
  const double cx = rng.uniform(-0.12, 0.12), cy = rng.uniform(-0.12, 0.12);
  const bool systole = rng.bernoulli(0.5);
  const double r_lv = rng.uniform(0.24, 0.34) * (systole ? kEsCavityScale : 1.0);
  const double ecc = rng.uniform(0.85, 1.15);
  const double angle = rng.uniform(-0.6, 0.6);
  const double wall = rng.uniform(0.07, 0.12) * (systole ? kEsWallScale : 1.0);
  s.lv = {cx, cy, r_lv * ecc, r_lv / ecc, angle};
  s.myo = {cx, cy, r_lv * ecc + wall, r_lv / ecc + wall, angle};
  // The RV sits to the image left (patient right) and slightly anterior (up), wrapping the septum.
  const double rv_dir = M_PI + rng.uniform(-0.45, 0.1);
  const double rv_off = r_lv + wall * rng.uniform(0.6, 1.0);
  const double rv_a = (r_lv + wall) * rng.uniform(1.05, 1.35), rv_b = (r_lv + wall) * rng.uniform(0.65, 0.9);
  s.rv = {cx + rv_off * std::cos(rv_dir), cy + rv_off * std::sin(rv_dir), rv_a, rv_b,
          rv_dir + M_PI / 2 + rng.uniform(-0.3, 0.3)};
  s.n_papillary = static_cast<int>(rng.uniform(0.0, 3.0));
  for (int k = 0; k < 2; ++k) {
    const double pa = angle + (k == 0 ? 0.6 : 2.2) + rng.uniform(-0.3, 0.3);
    const double pr = r_lv * 0.7;
    const double rad = r_lv * rng.uniform(0.12, 0.2);
    s.papillary[k] = {cx + pr * std::cos(pa), cy + pr * std::sin(pa), rad, rad, 0.0};
  }
  s.body = {rng.uniform(-0.08, 0.08), rng.uniform(0.0, 0.2), rng.uniform(1.25, 1.5), rng.uniform(0.95, 1.15),
            rng.uniform(-0.1, 0.1)};
  s.fat_band = rng.uniform(0.06, 0.12);
  s.lung_l = {cx - rng.uniform(0.85, 1.0), cy - rng.uniform(0.1, 0.3), rng.uniform(0.3, 0.45),
              rng.uniform(0.55, 0.8), rng.uniform(-0.3, 0.3)};
  s.lung_r = {cx + rng.uniform(0.8, 0.95), cy - rng.uniform(0.1, 0.3), rng.uniform(0.3, 0.45),
              rng.uniform(0.55, 0.8), rng.uniform(-0.3, 0.3)};
  s.liver = {cx - rng.uniform(0.5, 0.8), cy + rng.uniform(0.75, 0.95), rng.uniform(0.5, 0.7),
             rng.uniform(0.3, 0.4), rng.uniform(-0.4, 0.0)};
  const double sr = rng.uniform(0.12, 0.16);
  s.spine = {cx + rng.uniform(-0.1, 0.1), cy + rng.uniform(0.95, 1.1), sr, sr * 1.1, 0.0};

  const double gain = rng.uniform(0.85, 1.05);  // global intensity scale (coil and scanner gain)
  auto jitter = [&](double v) { return std::clamp(gain * (v + rng.uniform(-0.04, 0.04)), 0.0, 1.0); };
  s.i_air = 0.0;
  s.i_fat = jitter(0.72);
  s.i_tissue = jitter(0.36);
  s.i_lung = jitter(0.06);
  s.i_liver = jitter(0.42);
  s.i_spine = jitter(0.5);
  s.i_blood_lv = jitter(0.88);
  s.i_blood_rv = jitter(0.8);
  s.i_myo = jitter(0.27);
  s.i_papillary = jitter(0.33);
  return s;
}

}  // namespace

PhantomSample cardiac_phantom(int size, uint64_t seed, const IntensityOptions&) {
  if (size < 8 || size > 4096)
    throw std::invalid_argument(fmt::format("cardiac phantom: size {} not in [8, 4096]", size));
  PhantomRng rng(seed);
  const CardiacScene scene = random_scene(rng);
  // Smooth multiplicative bias field (coil sensitivity), a low-order polynomial.
  const double b1 = rng.uniform(-0.15, 0.15), b2 = rng.uniform(-0.15, 0.15), b3 = rng.uniform(-0.1, 0.1),
               b4 = rng.uniform(-0.1, 0.1);
  const double sigma = rng.uniform(0.015, 0.045);  // Rician noise level, in [0,1] intensity units

  PhantomSample out;
  const size_t n = static_cast<size_t>(size) * size;
  out.image.resize(n);
  out.labels.resize(n);
  const double px = 2.0 / size;
  for (int i = 0; i < size; ++i) {
    for (int j = 0; j < size; ++j) {
      const double y = -1.0 + (i + 0.5) * px, x = -1.0 + (j + 0.5) * px;
      double acc = 0.0;
      for (int si = 0; si < kSuper; ++si)
        for (int sj = 0; sj < kSuper; ++sj) {
          const double yy = -1.0 + (i + (si + 0.5) / kSuper) * px, xx = -1.0 + (j + (sj + 0.5) / kSuper) * px;
          acc += scene.at(xx, yy).intensity;
        }
      const double bias = 1.0 + b1 * x + b2 * y + b3 * x * y + b4 * (x * x - y * y);
      const double clean = bias * acc / (kSuper * kSuper);
      const double re = clean + sigma * rng.normal(), im = sigma * rng.normal();
      out.image[i * size + j] = static_cast<float>(std::clamp(std::sqrt(re * re + im * im), 0.0, 1.0));
      out.labels[i * size + j] = scene.at(x, y).label;
    }
  }
  return out;
}

ModalityEntry cardiac_modality() {
  ModalityEntry e;
  e.spec.name = "cardiac";
  e.spec.description = "short-axis cine-MRI, heart-centred crop (ACDC-like)";
  e.spec.channels = 1;
  e.spec.labels = {"background", "rv", "myocardium", "lv"};
  e.phantom = cardiac_phantom;
  e.sources = {"phantom", "acdc", "msd", "nnunet", "folder"};
  // The heart-centred crop's side, mm: the end-diastolic LV radius is 0.24-0.34 of the half-side, and an adult
  // LV is about 50 mm across at end-diastole (so 25 mm / 0.29 = 86 mm half-side). Exported images carry it.
  e.phantom_fov_mm = 170;
  e.phantom_description =
      "bSSFP-like short-axis slice: LV, myocardium, RV, lungs, liver, spine; ED/ES phase, bias field, Rician "
      "noise";
  return e;
}

}  // namespace ganbench
