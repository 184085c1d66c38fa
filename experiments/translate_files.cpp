#include "experiments/translate_files.h"

#include <algorithm>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/image_read.h"
#include "common/npy.h"
#include "datasets/data_source.h"
#include "datasets/modality.h"
#include "datasets/nifti.h"
#include "experiments/config.h"
#include "experiments/trainer.h"
#include "experiments/translation_data.h"

namespace ganbench {
namespace fs = std::filesystem;
namespace {

bool is_nifti(const fs::path& p) { return has_nifti_suffix(p); }
bool is_image(const fs::path& p) {
  const auto e = p.extension().string();
  return e == ".png" || e == ".tif" || e == ".tiff";
}
bool supported(const fs::path& p) { return is_nifti(p) || is_image(p) || p.extension() == ".npy"; }

struct Direction {
  SweepConfig cfg;
  const ModalityEntry* source = nullptr;  // whose intensity mapping the input gets
  const ModalityEntry* target = nullptr;
  int source_channels = 1, target_channels = 1, size = 0;
  std::string cell;
};

// One translated [C, S, S] image back to `rows` x `cols`: the inverse of square_resize_image (resize the
// square to its padded side, then crop the centred image), clipped to [0, 1]; CHW.
std::vector<float> unsquare(const torch::Tensor& img, int rows, int cols) {
  const int c = static_cast<int>(img.size(0)), s = static_cast<int>(img.size(1));
  const int side = std::max(rows, cols), top = (side - rows) / 2, left = (side - cols) / 2;
  std::vector<float> out(static_cast<size_t>(c) * rows * cols);
  const auto src = img.contiguous();
  for (int k = 0; k < c; ++k) {
    cv::Mat m(s, s, CV_32F, const_cast<float*>(src[k].data_ptr<float>())), sq;
    cv::resize(m, sq, cv::Size(side, side), 0, 0, side == s ? cv::INTER_NEAREST : cv::INTER_CUBIC);
    cv::Mat dst(rows, cols, CV_32F, out.data() + static_cast<size_t>(k) * rows * cols);
    sq(cv::Rect(left, top, cols, rows)).copyTo(dst);
  }
  for (auto& v : out) v = std::clamp(v, 0.0f, 1.0f);
  return out;
}

double target_value(const Direction& d, float v) {  // [0, 1] -> the target's units
  if (!d.target->ct_hu) return v;
  const auto& in = d.cfg.data.intensity;
  return ct_unwindow(v, in.ct_window_level, in.ct_window_width);
}

void translate_nifti(const Direction& d, GanModel& model, const fs::path& in, const fs::path& out) {
  if (d.source_channels != 1 || d.target_channels != 1)
    throw std::runtime_error(fmt::format("{}: NIfTI holds one channel; this cell translates {} to {} channels", in.string(),
                                         d.source_channels, d.target_channels));
  const Volume v = read_nifti(in);
  Volume norm = v;
  const auto& it = d.cfg.data.intensity;
  if (d.source->ct_hu)
    for (auto& x : norm.data) x = ct_window(x, it.ct_window_level, it.ct_window_width);
  else
    normalise_percentiles(norm.data, it.mri_percentile_lo, it.mri_percentile_hi);
  std::vector<torch::Tensor> slices;
  int rows = 0, cols = 0;
  for (int64_t z = 0; z < v.nz; ++z) {
    const SliceView sv = slice_view(norm, z);
    rows = static_cast<int>(sv.rows);
    cols = static_cast<int>(sv.cols);
    slices.push_back(torch::tensor(square_resize_image(sv.values, rows, cols, 1, d.size)).view({1, 1, d.size, d.size}));
  }
  const torch::Tensor pred = translate_in_batches(model, torch::cat(slices));
  Volume res = v;
  for (int64_t z = 0; z < v.nz; ++z) {
    SliceView sv{rows, cols, unsquare(pred[z], rows, cols)};
    for (auto& x : sv.values) x = static_cast<float>(target_value(d, x));
    put_slice(res, z, sv);
  }
  write_nifti_like(in, out, res.data, fmt::format("ganbench translated {}", d.cell).substr(0, 79));
}

void translate_image(const Direction& d, GanModel& model, const fs::path& in, const fs::path& out) {
  const cv::Mat im = read_image_file(in, (d.source_channels == 3 ? cv::IMREAD_COLOR : cv::IMREAD_GRAYSCALE) | cv::IMREAD_ANYDEPTH);
  if (im.depth() != CV_8U && im.depth() != CV_16U)
    throw std::runtime_error(fmt::format("{}: 8- or 16-bit images only", in.string()));
  const double full = im.depth() == CV_16U ? 65535.0 : 255.0;
  cv::Mat f;
  im.convertTo(f, CV_32F, 1.0 / full);
  if (d.source_channels == 3) cv::cvtColor(f, f, cv::COLOR_BGR2RGB);
  const int rows = f.rows, cols = f.cols, c = d.source_channels;
  std::vector<float> chw(static_cast<size_t>(c) * rows * cols);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      for (int k = 0; k < c; ++k) chw[(static_cast<size_t>(k) * rows + y) * cols + x] = c == 3 ? f.at<cv::Vec3f>(y, x)[k] : f.at<float>(y, x);
  const auto src = torch::tensor(square_resize_image(chw, rows, cols, c, d.size)).view({1, c, d.size, d.size});
  const std::vector<float> back = unsquare(translate_in_batches(model, src)[0], rows, cols);
  const int ct = d.target_channels;
  cv::Mat o(rows, cols, ct == 3 ? CV_32FC3 : CV_32F);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      for (int k = 0; k < ct; ++k) {
        const float v = back[(static_cast<size_t>(k) * rows + y) * cols + x];
        if (ct == 3)
          o.at<cv::Vec3f>(y, x)[k] = v;
        else
          o.at<float>(y, x) = v;
      }
  if (ct == 3) cv::cvtColor(o, o, cv::COLOR_RGB2BGR);
  cv::Mat q;
  o.convertTo(q, im.depth() == CV_16U ? CV_16U : CV_8U, full);  // rounds to nearest
  std::vector<uchar> buf;
  if (!cv::imencode(out.extension().string(), q, buf)) throw std::runtime_error(fmt::format("{}: cannot encode", out.string()));
  write_file_atomic(out, std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
}

void translate_npy(const Direction& d, GanModel& model, const fs::path& in, const fs::path& out) {
  const NpyArray a = read_npy(in);
  const bool chw = a.shape.size() == 3;
  const bool ok = (a.shape.size() == 2 && d.source_channels == 1) || (chw && a.shape[0] == d.source_channels);
  if (!ok)
    throw std::runtime_error(fmt::format("{}: expected [H, W] or [{}, H, W] in [0, 1]", in.string(), d.source_channels));
  const int rows = static_cast<int>(a.shape[chw ? 1 : 0]), cols = static_cast<int>(a.shape[chw ? 2 : 1]);
  std::vector<float> v = a.to_floats();
  for (auto& x : v) x = std::clamp(x, 0.0f, 1.0f);
  const auto src = torch::tensor(square_resize_image(v, rows, cols, d.source_channels, d.size))
                       .view({1, d.source_channels, d.size, d.size});
  const std::vector<float> back = unsquare(translate_in_batches(model, src)[0], rows, cols);
  std::vector<int64_t> shape = {rows, cols};
  if (d.target_channels > 1 || chw) shape.insert(shape.begin(), d.target_channels);
  write_npy(out, NpyArray::from_floats(back, shape));
}

}  // namespace

std::vector<fs::path> translate_files(const TranslateFilesOptions& o) {
  const fs::path cell_dir = o.run_dir / "cells" / o.cell;
  if (!fs::is_regular_file(cell_dir / "config.yaml"))
    throw std::runtime_error(fmt::format("translate: no cell '{}' in {} (no {})", o.cell, o.run_dir.string(),
                                         (cell_dir / "config.yaml").string()));
  Direction d;
  d.cfg = load_sweep_config(cell_dir / "config.yaml");
  d.cell = o.cell;
  if (d.cfg.task != "translation")
    throw std::runtime_error(fmt::format("translate: cell '{}' is a synthesis cell; translate takes a translation cell", o.cell));
  const auto ckpt = latest_checkpoint(cell_dir / "checkpoints");
  if (!ckpt || ckpt->first != d.cfg.train.steps)
    throw std::runtime_error(fmt::format("translate: cell '{}' has no final checkpoint (step {}) in {}: is it finished?", o.cell,
                                         d.cfg.train.steps, (cell_dir / "checkpoints").string()));
  const std::string &from = d.cfg.translation.from.at(0), &to = d.cfg.translation.to.at(0);
  d.target = &find_modality(to);
  d.source = &find_modality(from == TranslationConfig::kDegraded ? to : from);
  d.source_channels = d.source->spec.channels;
  d.target_channels = d.target->spec.channels;
  d.size = static_cast<int>(d.cfg.image_size);
  auto model = create_translator(d.cfg, d.cfg.architectures.at(0), o.device, d.cfg.seeds.at(0));
  model->load(ckpt->second);

  std::vector<std::pair<fs::path, fs::path>> jobs;
  if (fs::is_directory(o.input)) {
    fs::create_directories(o.output);
    for (const auto& e : fs::directory_iterator(o.input))
      if (e.is_regular_file() && supported(e.path()) && e.path().filename().string()[0] != '.')
        jobs.emplace_back(e.path(), o.output / e.path().filename());
    std::sort(jobs.begin(), jobs.end());
    if (jobs.empty())
      throw std::runtime_error(fmt::format("translate: no .nii, .nii.gz, .png, .tif or .npy files in {}", o.input.string()));
  } else {
    if (!fs::is_regular_file(o.input)) throw std::runtime_error(fmt::format("translate: {}: no such file", o.input.string()));
    if (!supported(o.input))
      throw std::runtime_error(fmt::format("translate: {}: not .nii, .nii.gz, .png, .tif or .npy", o.input.string()));
    if (fs::is_directory(o.output)) throw std::runtime_error("translate: a file's output must be a file, not a folder");
    jobs.emplace_back(o.input, o.output);
  }
  std::vector<fs::path> written;
  for (const auto& [in, out] : jobs) {
    if (fs::exists(out) && fs::equivalent(in, out))
      throw std::runtime_error(fmt::format("translate: {} would overwrite its input", out.string()));
    if (is_nifti(in))
      translate_nifti(d, *model, in, out);
    else if (is_image(in))
      translate_image(d, *model, in, out);
    else
      translate_npy(d, *model, in, out);
    written.push_back(out);
  }
  return written;
}

}  // namespace ganbench
