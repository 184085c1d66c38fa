#include "experiments/sample_export.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "architectures/registry.h"
#include "common/atomic_file.h"
#include "common/crash_point.h"
#include "common/hash.h"
#include "common/npy.h"
#include "common/version.h"
#include "datasets/modality.h"
#include "datasets/nifti.h"
#include "experiments/config.h"
#include "experiments/data_cache.h"
#include "experiments/trainer.h"
#include "metrics/metric_catalogue.h"
#include "results/results_store.h"

namespace ganbench {
namespace fs = std::filesystem;
namespace {

constexpr const char* kKeyFile = ".ganbench-export";  // the command an export folder belongs to
constexpr const char* kCasePrefix = "synth";          // case ids: synth_00000, synth_00001, ...

[[noreturn]] void fail(const std::string& why) { throw std::runtime_error("sample: " + why); }

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\')
      o += '\\', o += ch;
    else if (c == '\n')
      o += "\\n";
    else if (c == '\t')
      o += "\\t";
    else if (c < 0x20)
      o += fmt::format("\\u{:04x}", c);
    else
      o += ch;
  }
  return o + "\"";
}

std::string json_number(double v) {
  if (std::isnan(v)) return "null";
  if (std::isinf(v)) return v > 0 ? "\"inf\"" : "\"-inf\"";
  return fmt::format("{}", v);
}

// What the export writes, fixed before the first case.
struct Layout {
  std::string format;
  const ModalityEntry* modality = nullptr;
  ModalitySpec spec;
  bool ct = false;
  int width = 5;  // digits of the case number
  fs::path image_dir, label_dir;
  std::string ending;  // .nii.gz, .png or .npy
  double spacing = 1;
  std::string spacing_source;
  double ct_level = 0, ct_width = 1;  // the sweep's CT window: [0, 1] -> HU through ct_unwindow
  std::string descrip;
  int bits = 16;
};

std::string case_id(const Layout& l, int64_t i) { return fmt::format("{}_{:0{}}", kCasePrefix, i, l.width); }

// The files of case i, labels last (a case is complete when they all exist).
std::vector<fs::path> case_files(const Layout& l, int64_t i) {
  const std::string id = case_id(l, i);
  std::vector<fs::path> f;
  if (l.format == "nnunet")
    for (int c = 0; c < l.spec.channels; ++c) f.push_back(l.image_dir / fmt::format("{}_{:04d}{}", id, c, l.ending));
  else
    f.push_back(l.image_dir / (id + l.ending));
  f.push_back(l.label_dir / (id + l.ending));
  return f;
}

bool case_complete(const Layout& l, int64_t i) {
  for (const auto& p : case_files(l, i))
    if (!fs::is_regular_file(p)) return false;
  return true;
}

// A 2-D slice into a one-slice volume oriented as the NIfTI loaders orient it (datasets/nifti slice_view).
std::vector<float> oriented_slice(const Layout& l, const float* v) {
  const int64_t s = l.spec.size;
  Volume vol;
  vol.nx = vol.ny = s;
  vol.nz = 1;
  vol.data.assign(static_cast<size_t>(s * s), 0.0f);
  vol.affine = {l.spacing, 0, 0, 0, 0, l.spacing, 0, 0, 0, 0, l.spacing, 0, 0, 0, 0, 1};
  put_slice(vol, 0, SliceView{s, s, std::vector<float>(v, v + s * s)});
  return vol.data;
}

void write_nifti_case(const Layout& l, const std::vector<fs::path>& files, const torch::Tensor& image,
                      const torch::Tensor& labels) {
  const int64_t s = l.spec.size;
  const bool vol = l.spec.volumetric();
  NiftiWrite w;
  w.nx = w.ny = s;
  w.nz = vol ? s : 1;
  w.spacing = {l.spacing, l.spacing, l.spacing};
  w.descrip = l.descrip;
  const int64_t per = w.nx * w.ny * w.nz;
  for (int c = 0; c < l.spec.channels; ++c) {
    const torch::Tensor ch = image[c].contiguous();
    std::vector<float> v = vol ? std::vector<float>(ch.data_ptr<float>(), ch.data_ptr<float>() + per)
                               : oriented_slice(l, ch.data_ptr<float>());
    if (l.ct)
      for (auto& x : v) x = static_cast<float>(ct_unwindow(x, l.ct_level, l.ct_width));
    w.values = std::move(v);
    write_nifti(files[c], w);
  }
  const torch::Tensor lab = labels.to(torch::kFloat32).contiguous();
  const std::vector<float> lf = vol ? std::vector<float>(lab.data_ptr<float>(), lab.data_ptr<float>() + per)
                                    : oriented_slice(l, lab.data_ptr<float>());
  w.values.clear();
  w.labels.assign(lf.size(), 0);
  for (size_t i = 0; i < lf.size(); ++i) w.labels[i] = static_cast<uint8_t>(std::lround(lf[i]));
  write_nifti(files.back(), w);
}

void write_png_case(const Layout& l, const std::vector<fs::path>& files, const torch::Tensor& image,
                    const torch::Tensor& labels) {
  const int s = l.spec.size, c = l.spec.channels;
  const double full = l.bits == 16 ? 65535.0 : 255.0;
  const torch::Tensor hwc = image.permute({1, 2, 0}).contiguous();
  cv::Mat f(s, s, c == 3 ? CV_32FC3 : CV_32F, const_cast<float*>(hwc.data_ptr<float>())), q;
  f.convertTo(q, l.bits == 16 ? CV_16U : CV_8U, full);  // rounds to nearest, saturates
  if (c == 3) cv::cvtColor(q, q, cv::COLOR_RGB2BGR);
  auto encode = [](const fs::path& p, const cv::Mat& m) {
    std::vector<uchar> buf;
    if (!cv::imencode(".png", m, buf)) fail(fmt::format("{}: cannot encode", p.string()));
    write_file_atomic(p, std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
  };
  encode(files[0], q);
  const torch::Tensor lab = labels.to(torch::kUInt8).contiguous();
  encode(files[1], cv::Mat(s, s, CV_8U, const_cast<uint8_t*>(lab.data_ptr<uint8_t>())).clone());
}

void write_npy_case(const std::vector<fs::path>& files, const torch::Tensor& image, const torch::Tensor& labels) {
  const torch::Tensor im = image.contiguous();
  write_npy(files[0], NpyArray::from_floats(std::vector<float>(im.data_ptr<float>(), im.data_ptr<float>() + im.numel()),
                                            im.sizes().vec()));
  const torch::Tensor lab = labels.to(torch::kUInt8).contiguous();
  write_npy(files[1], NpyArray::from_bytes(std::vector<uint8_t>(lab.data_ptr<uint8_t>(), lab.data_ptr<uint8_t>() + lab.numel()),
                                           lab.sizes().vec()));
}

// The text of .ganbench-export: everything that fixes the files' bytes. Two commands with the same key
// write the same export, so --resume may complete one with the other.
std::string export_key(const SampleExportOptions& o, const CellRecord& cell, const std::string& ckpt_sha, int64_t step) {
  return fmt::format(
      "ganbench sample export\ncell: {}\nconfig_hash: {}\ncheckpoint_step: {}\ncheckpoint_sha256: {}\nformat: {}\n"
      "n: {}\nseed: {}\nbatch: {}\ntruncation: {}\nbits: {}\ndedupe: {}\n",
      cell.id, cell.config_hash, step, ckpt_sha, o.format, o.n, o.seed, o.batch,
      o.truncation ? fmt::format("{}", *o.truncation) : "none", o.format == "png" ? std::to_string(o.bits) : "-",
      o.dedupe ? fmt::format("{}", *o.dedupe) : "none");
}

// Refuses a folder that holds anything but this command's (partial) export; removes a killed write's
// temporary files when resuming.
void prepare_folder(const SampleExportOptions& o, const std::string& key) {
  const fs::path kf = o.out / kKeyFile;
  if (fs::exists(o.out) && !fs::is_directory(o.out)) fail(fmt::format("{} is a file, not a folder", o.out.string()));
  if (fs::is_regular_file(kf)) {
    const std::string old = read_file(kf);
    if (old != key) {
      std::string cell = "another";
      if (auto p = old.find("cell: "); p != std::string::npos) cell = old.substr(p + 6, old.find('\n', p) - p - 6);
      fail(fmt::format("{} holds another export (of cell {}, or of other options: see its {}); choose a new folder",
                       o.out.string(), cell, kKeyFile));
    }
    if (!o.resume)
      fail(fmt::format("{} already holds {} export of this command; --resume completes or checks it", o.out.string(),
                       fs::exists(o.out / "provenance.json") ? "the finished" : "a partial"));
    for (const auto& e : fs::recursive_directory_iterator(o.out))
      if (e.is_regular_file() && is_temp_file(e.path())) fs::remove(e.path());  // a killed write's leftovers
    return;
  }
  if (fs::exists(o.out) && !fs::is_empty(o.out))
    fail(fmt::format("{} is not empty and holds no ganbench export; choose an empty or new folder", o.out.string()));
  fs::create_directories(o.out);
  write_file_atomic(kf, key);
}

// The cell's stored metrics at `step` that describe its samples (not losses or costs), as JSON objects.
std::string metrics_json(const std::vector<MetricRow>& rows, int64_t step) {
  std::string out;
  for (const auto& r : rows) {
    if (r.step != step) continue;
    const auto m = match_metric(r.name);
    if (!m || m->spec->family == "training" || m->spec->family == "cost") continue;
    out += fmt::format(
        "{}    {{\"name\": {}, \"metric\": {}, \"family\": {}, \"direction\": {}, \"value\": {}, \"description\": {}}}",
        out.empty() ? "" : ",\n", json_string(r.name), json_string(m->spec->id), json_string(m->spec->family),
        json_string(direction_text(*m->spec)), json_number(r.value), json_string(m->spec->description));
  }
  return out;
}

std::string channel_name(const Layout& l, int c) {
  if (l.spec.channels == 3) return std::string(1, "RGB"[c]);
  return l.ct ? "CT" : "MRI";  // nnU-Net: "CT" selects its CT normalisation, anything else z-scoring
}

// MSD's dataset.json with the training list that monai.data.load_decathlon_datalist reads, streamed to a
// temporary file and renamed (its size grows with N; the process's memory does not).
void write_msd_json(const Layout& l, const std::vector<bool>& kept_written, int64_t n, const std::string& name) {
  const fs::path out = l.image_dir.parent_path() / "dataset.json", tmp = l.image_dir.parent_path() / ".partial-dataset.json";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << "{\n  \"name\": " << json_string(name) << ",\n  \"description\": "
      << json_string("synthetic " + l.spec.name + " images and label maps from ganbench sample: every case is synthetic")
      << ",\n  \"reference\": \"ganbench\",\n  \"licence\": \"see provenance.json\",\n  \"release\": "
      << json_string(ganbench_version()) << ",\n  \"tensorImageSize\": \"3D\",\n  \"modality\": {\"0\": "
      << json_string(channel_name(l, 0)) << "},\n  \"labels\": {";
    for (int k = 0; k < l.spec.num_labels(); ++k)
      f << (k ? ", " : "") << json_string(std::to_string(k)) << ": " << json_string(k == 0 ? "background" : l.spec.labels[k]);
    int64_t count = 0;
    for (int64_t i = 0; i < n; ++i) count += kept_written[i];
    f << "},\n  \"numTraining\": " << count << ",\n  \"numTest\": 0,\n  \"training\": [";
    bool first = true;
    for (int64_t i = 0; i < n; ++i) {
      if (!kept_written[i]) continue;
      const std::string id = case_id(l, i);
      f << (first ? "\n" : ",\n") << "    {\"image\": \"./imagesTr/" << id << l.ending << "\", \"label\": \"./labelsTr/" << id
        << l.ending << "\"}";
      first = false;
    }
    f << "\n  ],\n  \"test\": []\n}\n";
    f.flush();
    if (!f) {
      f.close();
      fs::remove(tmp);
      fail(fmt::format("{}: writing failed (disk full?)", out.string()));
    }
  }
  fs::rename(tmp, out);
}

}  // namespace

const std::vector<std::string>& sample_formats() {
  static const std::vector<std::string> f = {"nnunet", "msd", "nifti", "png", "npy"};
  return f;
}

SampleExportResult sample_export(const SampleExportOptions& o) {
  if (std::find(sample_formats().begin(), sample_formats().end(), o.format) == sample_formats().end())
    fail(fmt::format("unknown --format '{}' (nnunet, msd, nifti, png, npy)", o.format));
  if (o.n <= 0) fail("--n must be a positive number of cases");
  if (o.batch <= 0) fail("--batch must be positive");
  if (o.bits != 8 && o.bits != 16) fail("--bits must be 8 or 16");
  if (o.dedupe && !(*o.dedupe > 0)) fail("--dedupe-against-train needs a distance > 0");
  if (o.out.empty()) fail("needs --out DIR");

  // The cell: stored, done, a synthesis cell, its checkpoint the one it recorded.
  const fs::path cell_dir = o.run_dir / "cells" / o.cell;
  if (!fs::is_regular_file(o.run_dir / "results.db")) fail(fmt::format("{} holds no results.db: not a run folder", o.run_dir.string()));
  std::optional<CellRecord> rec;
  std::vector<MetricRow> rows;
  std::vector<ArtefactRow> artefacts;
  {  // read once, then closed: nothing below touches the database
    ResultsStore store(o.run_dir / "results.db", false);
    store.read_snapshot([&] {
      rec = store.find_cell(o.cell);
      rows = store.metrics(o.cell);
      artefacts = store.artefacts(o.cell);
    });
  }
  if (!rec) fail(fmt::format("no cell '{}' in {}", o.cell, o.run_dir.string()));
  if (rec->status != "done")
    fail(fmt::format("cell '{}' is {}, not done: its metrics (and the memorization audit) are not in", o.cell, rec->status));
  const SweepConfig cfg = load_sweep_config(cell_dir / "config.yaml");
  if (cfg.task == "translation") fail(fmt::format("cell '{}' is a translation cell; ganbench translate applies it", o.cell));
  const std::string arch = cfg.architectures.at(0), modality = cfg.modalities.at(0);
  const ArchEntry& entry = find_architecture(arch);
  if (o.truncation && !entry.capabilities.style_mapping)
    fail(fmt::format("--truncation needs a style mapping network; {} has none", arch));
  const int64_t final_step = cfg.train.steps, step = o.checkpoint < 0 ? final_step : o.checkpoint;
  const fs::path ckpt = checkpoint_path(cell_dir / "checkpoints", step);
  if (!fs::is_regular_file(ckpt)) fail(fmt::format("cell '{}' has no checkpoint at step {} ({})", o.cell, step, ckpt.string()));
  const std::string sha = sha256_file(ckpt);
  std::string stored_sha;
  for (const auto& a : artefacts)
    if (a.kind == "checkpoint" && fs::path(a.path).filename() == ckpt.filename()) stored_sha = a.sha256;
  if (!stored_sha.empty() && stored_sha != sha)
    fail(fmt::format("{} has SHA-256 {}, but the cell recorded {} when it finished: the weights changed since, so its "
                     "metrics do not describe them",
                     ckpt.string(), sha, stored_sha));
  const bool verified = !stored_sha.empty();

  // The memorization gate: the cell's audit of its final samples, in every feature space it ran.
  // The image spaces (pixels and each feature space) decide; the labels space is recorded beside them. A
  // generator collapsed to empty maps sits near the emptiest training maps there without copying anyone, and a
  // label-conditioned one (SPADE) scores 1 by construction, which the gate states as its own reason.
  std::vector<std::pair<std::string, double>> audit;
  bool label_conditioned = false;
  for (const auto& r : rows) {
    if (r.step == final_step && r.name.rfind("memorization_near_copy_fraction_", 0) == 0) audit.emplace_back(r.name, r.value);
    if (r.name == "label_conditioned" && r.value == 1) label_conditioned = true;
  }
  auto is_labels = [](const std::string& n) { return n.size() > 7 && n.compare(n.size() - 7, 7, "_labels") == 0; };
  std::string gate_reason;
  if (label_conditioned)
    gate_reason = fmt::format("{} is label-conditioned: each case pairs a synthetic image with a real training label "
                              "map, so the label maps are patients'",
                              arch);
  else if (std::none_of(audit.begin(), audit.end(), [&](const auto& a) { return !is_labels(a.first); }))
    gate_reason = "the cell has no memorization audit";
  else if (step != final_step)
    gate_reason = fmt::format("the memorization audit describes the final checkpoint (step {}), not step {}", final_step, step);
  for (const auto& [name, v] : audit)
    if (gate_reason.empty() && !is_labels(name) && !(v <= o.near_copy_limit))
      gate_reason = fmt::format("{} is {:.3f}, above the gate's {:.3f} (2 x the 0.05 of fresh draws): the generator "
                                "reproduces training images",
                                name, v, o.near_copy_limit);
  if (!gate_reason.empty() && !o.allow_near_copies)
    fail(fmt::format("refused: {}. Synthetic data that may copy patients must not leave unnoticed; "
                     "--allow-near-copies overrides this and records the override in provenance.json",
                     gate_reason));

  // The layout.
  Layout l;
  l.format = o.format;
  l.modality = &find_modality(modality);
  l.spec = l.modality->spec.at_size(cfg.image_size, cfg.data.dims);
  l.ct = l.modality->ct_hu;
  l.bits = o.bits;
  l.width = std::max<int>(5, static_cast<int>(std::to_string(o.n - 1).size()));
  const bool nifti = o.format == "nnunet" || o.format == "msd" || o.format == "nifti";
  if (nifti && o.format != "nnunet" && l.spec.channels != 1)
    fail(fmt::format("{} has {} channels; the {} layout holds one per file here (use --format nnunet, one file per "
                     "channel, or png)",
                     modality, l.spec.channels, o.format));
  if (o.format == "png" && l.spec.volumetric()) fail("volumes cannot be PNG; use nnunet, msd, nifti or npy");
  const bool tr = o.format == "nnunet" || o.format == "msd";
  l.image_dir = o.out / (tr ? "imagesTr" : "images");
  l.label_dir = o.out / (tr ? "labelsTr" : (o.format == "png" ? "masks" : "labels"));
  l.ending = nifti ? ".nii.gz" : (o.format == "png" ? ".png" : ".npy");
  const auto& src = cfg.data.source_for(modality);
  if (src.format == "phantom" && l.modality->phantom_fov_mm > 0) {
    l.spacing = l.modality->phantom_fov_mm / static_cast<double>(cfg.image_size);
    l.spacing_source = fmt::format("the phantom's {} mm field of view over {} px", l.modality->phantom_fov_mm, cfg.image_size);
  } else if (cfg.data.dims == 3 && cfg.data.spacing_mm > 0) {
    l.spacing = cfg.data.spacing_mm;
    l.spacing_source = "data.spacing_mm, the training volumes' resampled spacing";
  } else {
    l.spacing = 1;
    l.spacing_source = "unknown (the training data's spacing varies or was never set): 1 mm written";
  }
  l.ct_level = cfg.data.intensity.ct_window_level;
  l.ct_width = cfg.data.intensity.ct_window_width;
  l.descrip = fmt::format("ganbench synthetic {}", o.cell).substr(0, 79);
  if (o.format == "nnunet") {
    const std::string dn = o.out.filename().string();
    const bool ok = dn.size() > 11 && dn.rfind("Dataset", 0) == 0 && std::isdigit(static_cast<unsigned char>(dn[7])) &&
                    std::isdigit(static_cast<unsigned char>(dn[8])) && std::isdigit(static_cast<unsigned char>(dn[9])) &&
                    dn[10] == '_';
    if (!ok)
      fail(fmt::format("nnU-Net finds a dataset by its folder name DatasetXXX_Name (three digits; e.g. "
                       "Dataset501_Synth{}), not '{}': name --out so",
                       modality, dn));
  }

  // The model, as the cell built it, with the stored weights.
  ArchContext ctx;
  ctx.modality = l.spec;
  ctx.device = o.device;
  ctx.seed = static_cast<uint64_t>(rec->seed);
  ctx.batch_size = cfg.train.batch_size;
  ctx.augment = std::make_shared<DInputAugment>(cfg.train.augment, l.spec.channels, l.spec.channels + l.spec.num_labels());
  if (auto it = cfg.arch.find(arch); it != cfg.arch.end()) ctx.options = it->second;
  if (o.truncation) ctx.options["truncation_psi"] = *o.truncation;
  const auto model = create_architecture(arch, ctx);
  model->load(ckpt);

  // Training images for --dedupe-against-train, and the training subjects for the provenance record.
  torch::Tensor train_flat;
  const fs::path split_csv = o.run_dir / "data" / (modality + "_split.csv");
  std::vector<std::string> train_subjects;
  if (fs::is_regular_file(split_csv)) {
    const std::string csv = read_file(split_csv);
    size_t p = csv.find('\n');
    while (p != std::string::npos && p + 1 < csv.size()) {
      const size_t e = csv.find('\n', p + 1);
      const std::string line = csv.substr(p + 1, e - p - 1);
      const size_t c1 = line.find(','), c2 = line.find(',', c1 + 1);
      if (c1 != std::string::npos && line.substr(c1 + 1, c2 - c1 - 1) == "train") train_subjects.push_back(line.substr(0, c1));
      p = e;
    }
  }
  if (o.dedupe) {
    DataCache data(cfg, o.device);
    const ImageSet& train = data.splits(modality).train;
    train_flat = train.images.reshape({train.size(), -1}).to(torch::kFloat32);
    if (train_subjects.empty()) train_subjects = train.subjects;
  }

  if (o.before_write) o.before_write();
  const std::string key = export_key(o, *rec, sha, step);
  prepare_folder(o, key);
  fs::create_directories(l.image_dir);
  fs::create_directories(l.label_dir);

  SampleExportResult res;
  std::vector<bool> kept(static_cast<size_t>(o.n), false);  // one bit per case
  std::vector<int64_t> dropped;
  const int64_t batches = (o.n + o.batch - 1) / o.batch;
  for (int64_t b = 0; b < batches; ++b) {
    const int64_t first = b * o.batch, rows_b = std::min(o.batch, o.n - first);
    bool all = true;
    for (int64_t r = 0; r < rows_b; ++r) {
      const bool done = case_complete(l, first + r);
      kept[first + r] = done;
      all = all && done;
    }
    if (all) {
      res.skipped += rows_b;
      continue;
    }
    const Sample s = model->sample(rows_b, mix_seed(o.seed, static_cast<uint64_t>(b)));
    torch::Tensor too_close;
    if (o.dedupe) {
      // compute mode 2: the direct difference, exact for a copy (the matrix-product form loses ~1e-2 to
      // cancellation at a thousand pixels)
      const torch::Tensor d = torch::cdist(s.images.reshape({rows_b, -1}).to(torch::kFloat32).unsqueeze(0),
                                           train_flat.unsqueeze(0), 2.0, 2)
                                  .squeeze(0)
                                  .amin(1);
      too_close = d < *o.dedupe;
    }
    for (int64_t r = 0; r < rows_b; ++r) {
      const int64_t i = first + r;
      if (kept[i]) {
        ++res.skipped;
        continue;
      }
      if (too_close.defined() && too_close[r].item<bool>()) {
        dropped.push_back(i);
        continue;
      }
      const std::vector<fs::path> files = case_files(l, i);
      try {
        if (nifti)
          write_nifti_case(l, files, s.images[r], s.labels[r]);
        else if (o.format == "png")
          write_png_case(l, files, s.images[r], s.labels[r]);
        else
          write_npy_case(files, s.images[r], s.labels[r]);
      } catch (const std::exception& e) {
        std::error_code ec;
        for (const auto& f : files) fs::remove(f, ec);  // no case half there: --resume writes it whole
        fail(fmt::format("case {}: {}; the cases before it are complete, and --resume goes on from here", case_id(l, i),
                         e.what()));
      }
      kept[i] = true;
      ++res.written;
      crash_point("sample_case");  // the kill test (tests/cli/sample.sh): a case is whole or absent
    }
  }
  res.dropped = static_cast<int64_t>(dropped.size());
  int64_t total = 0;
  for (bool k : kept) total += k;

  // The dataset's own description.
  const std::string name = o.out.filename().string();
  if (o.format == "nnunet") {
    std::string j = "{\n  \"channel_names\": {";
    for (int c = 0; c < l.spec.channels; ++c) j += fmt::format("{}\"{}\": {}", c ? ", " : "", c, json_string(channel_name(l, c)));
    j += "},\n  \"labels\": {";
    for (int k = 0; k < l.spec.num_labels(); ++k)
      j += fmt::format("{}{}: {}", k ? ", " : "", json_string(k == 0 ? "background" : l.spec.labels[k]), k);
    j += fmt::format("}},\n  \"numTraining\": {},\n  \"file_ending\": \".nii.gz\",\n  \"name\": {},\n  \"description\": {},\n"
                     "  \"reference\": \"ganbench sample: see provenance.json\"\n}}\n",
                     total, json_string(name),
                     json_string("synthetic " + modality + " images and label maps: every case is synthetic, made by " + o.cell));
    write_file_atomic(o.out / "dataset.json", j);
  } else if (o.format == "msd") {
    write_msd_json(l, kept, o.n, name);
  }

  // The provenance record and its plain-words companion.
  std::string subj_ids;
  for (const auto& sname : train_subjects) subj_ids += sname + "\n";
  const std::string gate_json =
      fmt::format("{{\"limit\": {}, \"passed\": {}, \"override\": {}, \"reason\": {}, \"audit\": {{{}}}}}", o.near_copy_limit,
                  gate_reason.empty() ? "true" : "false", o.allow_near_copies && !gate_reason.empty() ? "true" : "false",
                  json_string(gate_reason.empty() ? "every near-copy fraction is within the limit" : gate_reason), [&] {
                    std::string a;
                    for (const auto& [n, v] : audit) a += fmt::format("{}{}: {}", a.empty() ? "" : ", ", json_string(n), json_number(v));
                    return a;
                  }());
  std::string dropped_list;
  for (size_t k = 0; k < dropped.size(); ++k) dropped_list += fmt::format("{}{}", k ? ", " : "", json_string(case_id(l, dropped[k])));
  const std::string prov = fmt::format(
      "{{\n  \"synthetic\": true,\n  \"generator\": \"ganbench sample\",\n  \"ganbench\": {{\"version\": {}, \"commit\": {}}},\n"
      "  \"created\": {},\n"
      "  \"cell\": {{\"id\": {}, \"architecture\": {}, \"modality\": {}, \"seed\": {}, \"config_hash\": {}, \"run\": {}, "
      "\"finished\": {}, \"host\": {}}},\n"
      "  \"checkpoint\": {{\"step\": {}, \"final_step\": {}, \"file\": {}, \"sha256\": {}, \"sha256_verified\": {}, \"ema\": {}}},\n"
      "  \"training_data\": {{\"format\": {}, \"path\": {}, \"subjects\": {}, \"subject_ids_sha256\": {}}},\n"
      "  \"sampling\": {{\"n\": {}, \"seed\": {}, \"batch\": {}, \"truncation_psi\": {}, "
      "\"rule\": \"case i comes from generator call b = floor(i / batch), row i mod batch; call b draws its latents from seed "
      "mix_seed(seed, b) (splitmix64, common/hash.cpp)\"}},\n"
      "  \"format\": {{\"layout\": {}, \"image_files\": {}, \"label_files\": {}, \"spacing_mm\": {}, \"spacing_source\": {}, "
      "\"intensity\": {}, \"orientation\": \"identity affine (voxel i, j, k at i dx, j dy, k dz mm); 2-D slices as the "
      "ganbench NIfTI loaders orient them\"}},\n"
      "  \"cases\": {{\"written\": {}, \"first\": {}, \"last\": {}, \"dropped_near_train\": [{}], \"dedupe_distance\": {}}},\n"
      "  \"gate\": {},\n"
      "  \"metrics_step\": {},\n  \"metrics\": [\n{}\n  ],\n"
      "  \"config\": {}\n}}\n",
      json_string(ganbench_version()), json_string(ganbench_commit()), json_string(utc_now_iso()), json_string(rec->id),
      json_string(arch), json_string(modality), rec->seed, json_string(rec->config_hash),
      json_string(fs::absolute(o.run_dir).lexically_normal().string()), json_string(rec->finished), json_string(rec->host), step,
      final_step, json_string(ckpt.filename().string()), json_string(sha), verified ? "true" : "false",
      entry.capabilities.ema_generator ? "true" : "false", json_string(src.format), json_string(src.path.string()),
      train_subjects.size(), train_subjects.empty() ? "null" : json_string(sha256_hex(subj_ids)), o.n, o.seed, o.batch,
      o.truncation ? json_number(*o.truncation) : "null", json_string(o.format),
      json_string((l.image_dir.filename() / (std::string("<case>") + (o.format == "nnunet" ? "_<channel>" : "") + l.ending)).string()),
      json_string((l.label_dir.filename() / ("<case>" + l.ending)).string()), json_number(l.spacing), json_string(l.spacing_source),
      json_string(nifti && l.ct ? fmt::format("CT in HU (the window [{}, {}] HU mapped back)", ct_unwindow(0, l.ct_level, l.ct_width),
                                            ct_unwindow(1, l.ct_level, l.ct_width))
                                : (o.format == "png" ? fmt::format("[0, 1] as {}-bit integers", o.bits) : "[0, 1] float32")),
      total, json_string(case_id(l, 0)), json_string(case_id(l, o.n - 1)), dropped_list,
      o.dedupe ? json_number(*o.dedupe) : "null", gate_json, final_step, metrics_json(rows, final_step), json_string(rec->config_yaml));
  write_file_atomic(o.out / "provenance.json", prov);
  write_file_atomic(
      o.out / "README.txt",
      fmt::format("SYNTHETIC DATA. Every image and label map in this folder was generated by a GAN; none is a patient's.\n\n"
                  "Model: {} ({}) trained on {} by ganbench {} (commit {}), cell {}, checkpoint step {} (SHA-256 {}).\n"
                  "Cases: {} ({} layout), sampled with seed {} in batches of {}{}.\n\n"
                  "Validation: the numbers in provenance.json (\"metrics\") are the ones ganbench measured for this very\n"
                  "checkpoint when the cell finished: distances to the real training data, precision/recall, the\n"
                  "memorization audit, label fidelity and segmentation Dice where the sweep ran them. Memorization gate:\n"
                  "{}.\n\nThe full record, with the cell's resolved config, is provenance.json. Regenerate: ganbench sample "
                  "{} --cell {} --n {} --out {} --format {} --seed {} --batch {}\n",
                  entry.description, arch, modality, ganbench_version(), ganbench_commit(), o.cell, step, sha, total, o.format,
                  o.seed, o.batch, o.truncation ? fmt::format(", truncation psi {}", *o.truncation) : "",
                  gate_reason.empty() ? fmt::format("passed (every near-copy fraction <= {})", o.near_copy_limit)
                                      : "OVERRIDDEN with --allow-near-copies: " + gate_reason,
                  o.run_dir.string(), o.cell, o.n, o.out.string(), o.format, o.seed, o.batch));
  res.provenance = o.out / "provenance.json";
  return res;
}

}  // namespace ganbench
