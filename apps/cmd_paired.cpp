// ganbench paired: MAE, PSNR, SSIM and MS-SSIM between two folders of images matched by name, as the SynthRAD
// evaluation computes them (metrics/paired_image.h), one line per metric.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include "apps/cli.h"
#include "common/npy.h"
#include "datasets/nifti.h"
#include "metrics/paired_image.h"

namespace ganbench::cli {
namespace {
namespace fs = std::filesystem;

struct Image {
  std::vector<int64_t> shape;  // [H, W] or [D, H, W]
  std::vector<double> values;
  bool integer8 = false, integer16 = false;  // PNG/TIFF bit depth (for the default range)
};

// "case.nii.gz" -> "case"; "case.npy" -> "case".
std::string case_name(const fs::path& p) {
  std::string n = p.filename().string();
  for (const char* ext : {".nii.gz", ".nii", ".npy", ".png", ".tif", ".tiff"})
    if (n.size() > std::strlen(ext) && n.compare(n.size() - std::strlen(ext), std::string::npos, ext) == 0)
      return n.substr(0, n.size() - std::strlen(ext));
  return "";
}

Image read_image(const fs::path& p) {
  Image im;
  if (has_nifti_suffix(p)) {
    const Volume v = read_nifti(p);
    im.values.assign(v.data.begin(), v.data.end());  // x fastest: [z, y, x] row-major
    im.shape = v.nz > 1 ? std::vector<int64_t>{v.nz, v.ny, v.nx} : std::vector<int64_t>{v.ny, v.nx};
  } else if (p.extension() == ".npy") {
    const NpyArray a = read_npy(p);
    if (a.shape.size() != 2 && a.shape.size() != 3)
      throw std::runtime_error(fmt::format("{}: a 2-D or 3-D array expected, got {} axes", p.string(), a.shape.size()));
    im.shape = a.shape;
    im.values = a.to_doubles();
  } else {
    const cv::Mat m = cv::imread(p.string(), cv::IMREAD_ANYDEPTH | cv::IMREAD_GRAYSCALE);
    if (m.empty()) throw std::runtime_error(fmt::format("{}: not a readable image", p.string()));
    im.integer8 = m.depth() == CV_8U;
    im.integer16 = m.depth() == CV_16U;
    cv::Mat d;
    m.convertTo(d, CV_64F);
    im.shape = {d.rows, d.cols};
    im.values.assign(d.begin<double>(), d.end<double>());
  }
  return im;
}

std::map<std::string, fs::path> cases_in(const fs::path& dir, const char* what) {
  if (!fs::is_directory(dir)) throw std::runtime_error(fmt::format("paired: {} folder '{}' does not exist", what, dir.string()));
  std::map<std::string, fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string c = e.is_regular_file() ? case_name(e.path()) : "";
    if (c.empty()) continue;
    if (!out.emplace(c, e.path()).second)
      throw std::runtime_error(fmt::format("paired: {} folder holds case '{}' twice", what, c));
  }
  if (out.empty())
    throw std::runtime_error(fmt::format("paired: no .nii, .nii.gz, .npy, .png or .tif files in '{}'", dir.string()));
  return out;
}

std::optional<IntensityRange> parse_range(const std::string& flag, const std::string& v) {
  const auto comma = v.find(',');
  try {
    if (flag == "--data-range") {
      const double r = std::stod(v);
      if (!(r > 0)) throw std::invalid_argument("");
      return IntensityRange{0, r};
    }
    if (comma == std::string::npos) throw std::invalid_argument("");
    const IntensityRange r{std::stod(v.substr(0, comma)), std::stod(v.substr(comma + 1))};
    if (!(r.hi > r.lo)) throw std::invalid_argument("");
    return r;
  } catch (const std::exception&) {
    throw UsageError(flag == "--data-range" ? fmt::format("--data-range must be a number > 0, got '{}'", v)
                                            : fmt::format("--range must be LO,HI with HI > LO, got '{}'", v));
  }
}

int run(const Args& args) {
  std::string pred_dir, true_dir, mask_dir;
  std::optional<IntensityRange> range;
  bool per_case = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--mask")
      mask_dir = take_value(args, i);
    else if (a == "--data-range" || a == "--range")
      range = parse_range(a, take_value(args, i));
    else if (a == "--per-case")
      per_case = true;
    else
      take_positional("paired", a, {&pred_dir, &true_dir});
  }
  if (true_dir.empty()) throw UsageError("paired needs two folders: PRED TRUE");
  const auto preds = cases_in(pred_dir, "prediction"), truths = cases_in(true_dir, "ground-truth");
  std::map<std::string, fs::path> masks;
  if (!mask_dir.empty()) masks = cases_in(mask_dir, "mask");
  for (const auto& [c, p] : truths)
    if (!preds.count(c)) throw std::runtime_error(fmt::format("paired: case '{}' has no prediction in {}", c, pred_dir));
  for (const auto& [c, p] : preds)
    if (!truths.count(c)) throw std::runtime_error(fmt::format("paired: prediction '{}' has no ground truth in {}", c, true_dir));

  double sum[4] = {0, 0, 0, 0};
  int64_t n = 0;
  std::string range_text;
  if (per_case) fmt::print("case\tmae\tpsnr\tssim\tms_ssim\n");
  for (const auto& [c, tp] : truths) {
    const Image gt = read_image(tp), pr = read_image(preds.at(c));
    if (gt.shape != pr.shape)
      throw std::runtime_error(fmt::format("paired: case '{}': prediction [{}] and ground truth [{}] differ in shape", c,
                                           fmt::join(pr.shape, ", "), fmt::join(gt.shape, ", ")));
    std::optional<Image> mk;
    if (!mask_dir.empty()) {
      if (!masks.count(c)) throw std::runtime_error(fmt::format("paired: case '{}' has no mask in {}", c, mask_dir));
      mk = read_image(masks.at(c));
      if (mk->shape != gt.shape)
        throw std::runtime_error(fmt::format("paired: case '{}': the mask's shape differs from the images'", c));
    }
    // Default ranges: SynthRAD's CT ranges for NIfTI and arrays, the bit depth for 8/16-bit images.
    IntensityRange r23 = kSynthRad2023CtRange, r25 = kSynthRad2025CtRange;
    if (range) {
      r23 = r25 = *range;
    } else if (gt.integer8 || gt.integer16) {
      r23 = r25 = IntensityRange{0, gt.integer8 ? 255.0 : 65535.0};
    }
    range_text = range ? fmt::format("[{:g}, {:g}]", r23.lo, r23.hi)
                       : (gt.integer8 || gt.integer16) ? fmt::format("[0, {:g}] (bit depth)", r23.hi)
                                                       : "SynthRAD2023 [-1024, 3000] HU (MS-SSIM: SynthRAD2025 [-1024, 3071])";
    const ImagePair p{gt.shape, gt.values.data(), pr.values.data(), mk ? mk->values.data() : nullptr};
    double v[4];
    try {
      v[0] = paired_mae(p);
      v[1] = paired_psnr(p, r23);
      v[2] = paired_ssim(p, r23);
      v[3] = paired_ms_ssim(p, r25);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(fmt::format("paired: case '{}': {}", c, e.what()));
    }
    if (per_case) fmt::print("{}\t{:.17g}\t{:.17g}\t{:.17g}\t{:.17g}\n", c, v[0], v[1], v[2], v[3]);
    for (int k = 0; k < 4; ++k) sum[k] += v[k];
    ++n;
  }
  auto show = [](double x) { return std::isinf(x) ? std::string(x > 0 ? "inf" : "-inf") : fmt::format("{:.10g}", x); };
  fmt::print(stderr, "ganbench paired: {} cases, range {}{}\n", n, range_text, mask_dir.empty() ? ", no mask" : ", masked");
  fmt::print("MAE:      {}\nPSNR:     {}\nSSIM:     {}\nMS-SSIM:  {}\n", show(sum[0] / n), show(sum[1] / n),
             show(sum[2] / n), show(sum[3] / n));
  return 0;
}

}  // namespace

extern const Command kPairedCommand = {"paired", R"(  ganbench paired PRED TRUE [--mask MASKS] [--data-range R | --range LO,HI] [--per-case]
      MAE, PSNR, SSIM and MS-SSIM of each prediction against its ground truth (folders of .nii/.nii.gz,
      .npy, .png or .tif, matched by name), inside the mask (> 0) when given, as SynthRAD computes them;
      prints the means over cases, one line per metric (--per-case: a tab-separated line per case first).
      Range: CT's [-1024, 3000] HU by default (MS-SSIM [-1024, 3071]), the bit depth for PNG/TIFF;
      --data-range R = [0, R] (e.g. 1 for MR normalised to [0, 1]). PSNR of equal images prints inf.
)",
                                       run};

}  // namespace ganbench::cli
