#include "datasets/liver_phantom.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "datasets/data_source.h"
#include "datasets/liver_phantom3d.h"
#include "datasets/phantom_geometry.h"

namespace ganbench {
namespace {

constexpr int kSuper = 3;                // supersampling per axis, for partial-volume edges
constexpr double kAirHU = -1000.0;       // air
constexpr double kFatHU = -100.0;        // subcutaneous and visceral fat
constexpr double kMuscleHU = 50.0;       // abdominal wall and paraspinal muscle
constexpr double kCorticalHU = 900.0;    // cortical bone
constexpr double kCancellousHU = 250.0;  // vertebral body marrow
constexpr int kHarmonics = 4;            // Fourier terms of the lobular liver outline

// A star-shaped blob: radius r0 * (1 + sum_k amp_k cos(k theta + phase_k)), scaled and rotated.
struct Lobular {
  Ellipse frame;  // centre, x/y scale, rotation
  double amp[kHarmonics], phase[kHarmonics];
  bool inside(double x, double y, double shrink = 1.0) const {
    const double c = std::cos(frame.angle), s = std::sin(frame.angle);
    const double dx = x - frame.cx, dy = y - frame.cy;
    const double u = (c * dx + s * dy) / frame.a, v = (-s * dx + c * dy) / frame.b;
    const double theta = std::atan2(v, u);
    double r = 1.0;
    for (int k = 0; k < kHarmonics; ++k) r += amp[k] * std::cos((k + 2) * theta + phase[k]);
    return std::sqrt(u * u + v * v) < r * shrink;
  }
};

struct Tube {
  double x0, y0, x1, y1, radius;
};

// What a point of the scene is made of; MR contrast is drawn per tissue (liver_phantom_mr).
enum class Tissue : uint8_t {
  air, fat, muscle, cortical, marrow, csf, kidney, renal_sinus, blood, liver, vessel, tumour, spleen, fluid, bowel
};

struct ScenePoint {
  double hu;
  uint8_t label;
  Tissue tissue;
};

struct AbdomenScene {
  Ellipse body, spleen, stomach, aorta, ivc, vert, canal, posterior, kidney[2], sinus[2], paraspinal[2];
  Ellipse ribs[6], bowel[4], tumour[3];
  Lobular liver, left_lobe;
  Tube vessels[6];
  int n_ribs = 0, n_bowel = 0, n_tumours = 0, n_vessels = 0;
  double fat_rim, muscle_rim, stomach_air_y;
  double hu_liver, hu_vessel, hu_tumour[3], hu_spleen, hu_kidney, hu_aorta, hu_ivc, hu_bowel, hu_visceral_fat;

  bool in_liver(double x, double y) const { return liver.inside(x, y) || left_lobe.inside(x, y); }

  ScenePoint at(double x, double y) const {
    const double rb = body.r2(x, y);
    if (rb >= 1.0) return {kAirHU, kLiverBackground, Tissue::air};
    const double rr = std::sqrt(rb);
    if (rr > 1.0 - fat_rim) return {kFatHU, kLiverBackground, Tissue::fat};
    for (int k = 0; k < n_ribs; ++k)
      if (ribs[k].inside(x, y)) return {kCorticalHU * 0.7, kLiverBackground, Tissue::cortical};
    if (rr > 1.0 - fat_rim - muscle_rim) return {kMuscleHU, kLiverBackground, Tissue::muscle};
    if (vert.inside(x, y))
      return vert.r2(x, y) > 0.72 ? ScenePoint{kCorticalHU, kLiverBackground, Tissue::cortical}
                                  : ScenePoint{kCancellousHU, kLiverBackground, Tissue::marrow};
    if (canal.inside(x, y)) return {15.0, kLiverBackground, Tissue::csf};
    if (posterior.inside(x, y)) return {kCorticalHU * 0.75, kLiverBackground, Tissue::cortical};
    for (const auto& m : paraspinal)
      if (m.inside(x, y)) return {kMuscleHU, kLiverBackground, Tissue::muscle};
    for (int k = 0; k < 2; ++k)
      if (kidney[k].inside(x, y))
        return sinus[k].inside(x, y) ? ScenePoint{-40.0, kLiverBackground, Tissue::renal_sinus}
                                     : ScenePoint{hu_kidney, kLiverBackground, Tissue::kidney};
    if (aorta.inside(x, y)) return {hu_aorta, kLiverBackground, Tissue::blood};
    if (ivc.inside(x, y)) return {hu_ivc, kLiverBackground, Tissue::blood};
    if (in_liver(x, y)) {
      for (int k = 0; k < n_tumours; ++k)
        if (tumour[k].inside(x, y)) return {hu_tumour[k], kLiverTumour, Tissue::tumour};
      for (int k = 0; k < n_vessels; ++k) {
        const auto& t = vessels[k];
        if (segment_distance(x, y, t.x0, t.y0, t.x1, t.y1) < t.radius) return {hu_vessel, kLiverLiver, Tissue::vessel};
      }
      return {hu_liver, kLiverLiver, Tissue::liver};
    }
    if (spleen.inside(x, y)) return {hu_spleen, kLiverBackground, Tissue::spleen};
    if (stomach.inside(x, y)) {
      if (y < stomach_air_y) return {kAirHU, kLiverBackground, Tissue::air};  // air-fluid level, patient supine
      return stomach.r2(x, y) > 0.8 ? ScenePoint{kMuscleHU, kLiverBackground, Tissue::muscle}
                                    : ScenePoint{10.0, kLiverBackground, Tissue::fluid};
    }
    for (int k = 0; k < n_bowel; ++k)
      if (bowel[k].inside(x, y))
        return bowel[k].r2(x, y) > 0.6 ? ScenePoint{hu_bowel, kLiverBackground, Tissue::bowel}
                                       : ScenePoint{-400.0, kLiverBackground, Tissue::air};
    return {hu_visceral_fat, kLiverBackground, Tissue::fat};
  }
};

AbdomenScene random_scene(PhantomRng& rng) {
  AbdomenScene s;
  const double bx = rng.uniform(-0.04, 0.04), by = rng.uniform(0.0, 0.08);
  const double ba = rng.uniform(0.86, 0.96), bb = rng.uniform(0.6, 0.72);
  s.body = {bx, by, ba, bb, rng.uniform(-0.04, 0.04)};
  s.fat_rim = rng.uniform(0.04, 0.13);
  s.muscle_rim = rng.uniform(0.03, 0.05);
  s.hu_visceral_fat = rng.uniform(-110, -80);

  // Spine at the back (bottom of the image), with paraspinal muscles and posterior elements.
  const double vr = rng.uniform(0.085, 0.11);
  const double vy = by + bb * rng.uniform(0.42, 0.52);
  s.vert = {bx + rng.uniform(-0.02, 0.02), vy, vr * 1.05, vr, 0.0};
  s.canal = {s.vert.cx, vy + vr * 1.45, vr * 0.42, vr * 0.38, 0.0};
  s.posterior = {s.vert.cx, vy + vr * 2.1, vr * 0.9, vr * 0.3, 0.0};
  for (int k = 0; k < 2; ++k) {
    const double side = k == 0 ? -1.0 : 1.0;
    s.paraspinal[k] = {s.vert.cx + side * vr * 1.9, vy + vr * 1.7, vr * 1.2, vr * 1.0, side * 0.3};
    s.kidney[k] = {s.vert.cx + side * rng.uniform(0.3, 0.38), vy - rng.uniform(0.0, 0.06),
                   rng.uniform(0.08, 0.1), rng.uniform(0.11, 0.14), side * rng.uniform(0.3, 0.6)};
    s.sinus[k] = {s.kidney[k].cx - side * 0.02, s.kidney[k].cy, s.kidney[k].a * 0.3, s.kidney[k].b * 0.4,
                  s.kidney[k].angle};
  }
  s.hu_kidney = rng.uniform(140, 190);
  s.aorta = {s.vert.cx + rng.uniform(0.03, 0.08), vy - vr - rng.uniform(0.05, 0.07), 0.045, 0.045, 0.0};
  s.ivc = {s.vert.cx - rng.uniform(0.1, 0.16), vy - vr - rng.uniform(0.04, 0.07), 0.055, 0.04, 0.3};
  s.hu_aorta = rng.uniform(150, 260);
  s.hu_ivc = rng.uniform(110, 160);

  // Ribs: a few cross-sections along the posterolateral wall, inside the muscle layer.
  s.n_ribs = 3 + static_cast<int>(rng.uniform(0, 4));
  for (int k = 0; k < s.n_ribs; ++k) {
    const double t = rng.uniform(0.15, 1.2) * (rng.bernoulli(0.5) ? 1 : -1) + M_PI / 2;
    const double rr = 1.0 - s.fat_rim - s.muscle_rim * 0.5;
    const double c = std::cos(s.body.angle), sn = std::sin(s.body.angle);
    const double u = ba * rr * std::cos(t), v = bb * rr * std::sin(t);
    s.ribs[k] = {bx + c * u - sn * v, by + sn * u + c * v, 0.03, 0.022, t};
  }

  // Liver on the image left (patient right), lobular, with a left lobe crossing the midline anteriorly.
  s.liver.frame = {bx - rng.uniform(0.32, 0.42), by - rng.uniform(0.02, 0.12), rng.uniform(0.42, 0.52),
                   rng.uniform(0.38, 0.5), rng.uniform(-0.5, 0.1)};
  s.left_lobe.frame = {bx + rng.uniform(-0.05, 0.12), by - bb * rng.uniform(0.45, 0.6),
                       rng.uniform(0.18, 0.3), rng.uniform(0.1, 0.16), rng.uniform(-0.3, 0.1)};
  for (int k = 0; k < kHarmonics; ++k) {
    s.liver.amp[k] = rng.uniform(0.0, 0.09 / (k + 1));
    s.liver.phase[k] = rng.uniform(0, 2 * M_PI);
    s.left_lobe.amp[k] = rng.uniform(0.0, 0.06 / (k + 1));
    s.left_lobe.phase[k] = rng.uniform(0, 2 * M_PI);
  }
  s.hu_liver = rng.uniform(50, 75);
  s.hu_vessel = rng.uniform(130, 190);
  // Portal and hepatic vein branches fanning out from the hilum (medial, posterior part of the liver).
  const double hx = s.liver.frame.cx + 0.2, hy = s.liver.frame.cy + 0.12;
  s.n_vessels = 3 + static_cast<int>(rng.uniform(0, 4));
  for (int k = 0; k < s.n_vessels; ++k) {
    const double ang = rng.uniform(M_PI * 0.6, M_PI * 1.6), len = rng.uniform(0.15, 0.35);
    s.vessels[k] = {hx, hy, hx + len * std::cos(ang), hy + len * std::sin(ang), rng.uniform(0.008, 0.022)};
  }
  // Hypodense tumours in about half of the slices.
  s.n_tumours = rng.bernoulli(0.55) ? 1 + static_cast<int>(rng.uniform(0, 3)) : 0;
  for (int k = 0; k < s.n_tumours; ++k) {
    double tx = 0, ty = 0;
    for (int tries = 0; tries < 50; ++tries) {  // a centre well inside the liver
      tx = s.liver.frame.cx + rng.uniform(-0.4, 0.4);
      ty = s.liver.frame.cy + rng.uniform(-0.4, 0.4);
      if (s.liver.inside(tx, ty, 0.6)) break;
      tx = s.liver.frame.cx, ty = s.liver.frame.cy;
    }
    const double r = rng.uniform(0.035, 0.11);
    s.tumour[k] = {tx, ty, r * rng.uniform(0.8, 1.25), r, rng.uniform(0, M_PI)};
    s.hu_tumour[k] = s.hu_liver - rng.uniform(25, 55);
  }
  // Spleen (patient left, posterior), stomach with an air-fluid level, bowel loops anteriorly.
  s.spleen = {bx + rng.uniform(0.52, 0.62), by + rng.uniform(0.05, 0.18), rng.uniform(0.1, 0.16),
              rng.uniform(0.16, 0.24), rng.uniform(-0.8, -0.3)};
  s.hu_spleen = rng.uniform(45, 60);
  s.stomach = {bx + rng.uniform(0.25, 0.4), by - rng.uniform(0.2, 0.32), rng.uniform(0.14, 0.22),
               rng.uniform(0.1, 0.16), rng.uniform(-0.4, 0.4)};
  s.stomach_air_y = s.stomach.cy - s.stomach.b * rng.uniform(0.0, 0.7);
  s.n_bowel = static_cast<int>(rng.uniform(1, 5));
  for (int k = 0; k < s.n_bowel; ++k)
    s.bowel[k] = {bx + rng.uniform(-0.1, 0.5), by + rng.uniform(-0.35, 0.0), rng.uniform(0.04, 0.08),
                  rng.uniform(0.04, 0.07), rng.uniform(0, M_PI)};
  s.hu_bowel = rng.uniform(20, 45);
  return s;
}

}  // namespace

namespace {

void check_size(int size) {
  if (size < 8 || size > 4096)
    throw std::invalid_argument(fmt::format("liver phantom: size {} not in [8, 4096]", size));
}

// `scene` at `size` x `size`: per pixel, the sum of `value(point)` over its kSuper x kSuper sub-pixels, turned
// into the pixel's value by `finish(sum, x, y)` (x, y: the pixel centre; noise is drawn there, row by row); the
// label is the centre's. The CT and MR renderings share it, so both draw one anatomy.
template <typename Value, typename Finish>
std::vector<float> render_scene(const AbdomenScene& scene, int size, Value value, Finish finish,
                                std::vector<uint8_t>* labels) {
  std::vector<float> out(static_cast<size_t>(size) * size);
  if (labels) labels->resize(out.size());
  for (int i = 0; i < size; ++i)
    for (int j = 0; j < size; ++j) {
      double acc = 0.0;
      for (int si = 0; si < kSuper; ++si)
        for (int sj = 0; sj < kSuper; ++sj)
          acc += value(scene.at(pixel_coord(j, sj, kSuper, size), pixel_coord(i, si, kSuper, size)));
      const double x = pixel_coord(j, 0, 1, size), y = pixel_coord(i, 0, 1, size);
      out[i * size + j] = static_cast<float>(finish(acc, x, y));
      if (labels) (*labels)[i * size + j] = scene.at(x, y).label;
    }
  return out;
}

}  // namespace

std::vector<float> liver_phantom_hu(int size, uint64_t seed, std::vector<uint8_t>* labels) {
  check_size(size);
  PhantomRng rng(seed);
  const AbdomenScene scene = random_scene(rng);
  const double noise_hu = rng.uniform(4.0, 11.0);  // CT quantum noise std, HU
  return render_scene(
      scene, size, [](const ScenePoint& p) { return p.hu; },
      [&](double acc, double x, double y) {
        return acc / (kSuper * kSuper) + (scene.body.inside(x, y) ? noise_hu * rng.normal() : 0.0);
      },
      labels);
}

namespace {

// Relative MR signal per tissue at 1.5 T without contrast agent, after the appearance radiologists expect
// (e.g. Semelka, "Abdominal-Pelvic MRI", 4th ed.): T1-weighted: fat bright, liver brighter than spleen and
// muscle, tumours hypointense, fluid, CSF and cortical bone dark, flowing blood a flow void, fatty marrow
// bright; T2-weighted: fluid and CSF bright, spleen and tumours brighter than liver, muscle dark.
double mr_signal(Tissue t, MrWeighting w) {
  const bool t1 = w == MrWeighting::t1;
  switch (t) {
    case Tissue::air: return 0.0;
    case Tissue::fat: return t1 ? 0.95 : 0.70;
    case Tissue::muscle: return t1 ? 0.38 : 0.18;
    case Tissue::cortical: return 0.04;
    case Tissue::marrow: return t1 ? 0.70 : 0.45;
    case Tissue::csf: return t1 ? 0.10 : 0.95;
    case Tissue::kidney: return t1 ? 0.42 : 0.60;
    case Tissue::renal_sinus: return t1 ? 0.85 : 0.60;  // sinus fat
    case Tissue::blood: return 0.06;                     // flow void
    case Tissue::liver: return t1 ? 0.58 : 0.26;
    case Tissue::vessel: return 0.08;
    case Tissue::tumour: return t1 ? 0.30 : 0.55;
    case Tissue::spleen: return t1 ? 0.46 : 0.50;
    case Tissue::fluid: return t1 ? 0.12 : 0.90;
    case Tissue::bowel: return t1 ? 0.40 : 0.35;
  }
  return 0.0;
}

}  // namespace

std::vector<float> liver_phantom_mr(int size, uint64_t seed, MrWeighting weighting, std::vector<uint8_t>* labels) {
  check_size(size);
  PhantomRng rng(seed);
  const AbdomenScene scene = random_scene(rng);  // the anatomy of liver_phantom_hu(size, seed)
  PhantomRng mr(seed ^ 0x6d722d70686e746dULL);   // MR's own draws, so the CT rendering is unchanged
  const double tissue_gain = mr.uniform(0.9, 1.1);              // coil and receiver gain
  const double bx = mr.uniform(-0.25, 0.25), by = mr.uniform(-0.25, 0.25), br = mr.uniform(-0.3, 0.1);
  const double sigma = mr.uniform(0.015, 0.035);                // Rician noise, of the signal scale
  return render_scene(
      scene, size, [&](const ScenePoint& p) { return mr_signal(p.tissue, weighting); },
      [&](double acc, double x, double y) {
        const double bias = std::exp(bx * x + by * y + br * (x * x + y * y));  // smooth receive-coil field
        const double v = tissue_gain * bias * acc / (kSuper * kSuper);
        const double re = v + sigma * mr.normal(), im = sigma * mr.normal();  // magnitude of complex noise
        return std::sqrt(re * re + im * im);
      },
      labels);
}

PhantomSample liver_phantom_mr_sample(int size, uint64_t seed, MrWeighting weighting, const IntensityOptions& opts) {
  PhantomSample out;
  out.image = liver_phantom_mr(size, seed, weighting, &out.labels);
  normalise_percentiles(out.image, opts.mri_percentile_lo, opts.mri_percentile_hi);
  return out;
}

PhantomSample liver_phantom(int size, uint64_t seed, const IntensityOptions& opts) {
  PhantomSample out;
  const auto hu = liver_phantom_hu(size, seed, &out.labels);
  out.image.resize(hu.size());
  for (size_t i = 0; i < hu.size(); ++i)
    out.image[i] = ct_window(hu[i], opts.ct_window_level, opts.ct_window_width);
  return out;
}

ModalityEntry liver_modality() {
  ModalityEntry e;
  e.spec.name = "liver";
  e.spec.description = "axial abdominal CT through a liver window (LiTS / MSD Task03-like)";
  e.spec.channels = 1;
  e.spec.labels = {"background", "liver", "tumour"};
  e.phantom = liver_phantom;
  e.phantom3d = liver_phantom3d;
  e.phantom_fov_mm = 400;  // an abdominal CT field of view: the body spans about 350 mm of it
  e.sources = {"phantom", "lits", "msd", "nnunet", "folder"};
  e.ct_hu = true;
  e.phantom_description =
      "HU slice: lobular liver with contrast vessels and hypodense tumours, kidneys, aorta, IVC, spleen, "
      "stomach, spine, ribs; CT noise; liver window. 3-D: a volume with body, vertebrae and discs, aorta, IVC, "
      "kidneys, spleen, lobular liver with vessel trees and tumours";
  return e;
}

ModalityEntry liver_mr_modality() {
  ModalityEntry e;
  e.spec.name = "liver_mr";
  e.spec.description = "axial abdominal T2-weighted MR, normalised by percentiles (the translation target of liver)";
  e.spec.channels = 1;
  e.spec.labels = {"background", "liver", "tumour"};
  e.phantom = [](int size, uint64_t seed, const IntensityOptions& opts) {
    return liver_phantom_mr_sample(size, seed, MrWeighting::t2, opts);
  };
  e.sources = {"phantom", "msd", "nnunet", "folder"};
  e.phantom_description =
      "the liver phantom's anatomy and labels for the same seed, as a T2-weighted MR slice: per-tissue signal, "
      "bias field, Rician noise, percentiles 1 and 99 to [0, 1]";
  return e;
}

}  // namespace ganbench
