#include "datasets/data_source.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <functional>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <torch/torch.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/image_read.h"
#include "common/percentile.h"
#include "common/registry.h"
#include "datasets/nifti.h"

namespace fs = std::filesystem;

namespace ganbench {
namespace {

// One 2-D slice before it becomes a tensor.
struct Slice {
  std::vector<float> image;  // channels x size x size
  std::vector<uint8_t> labels;
  std::string subject;
};

[[noreturn]] void data_error(const fs::path& p, const std::string& why) {
  throw std::runtime_error(fmt::format("{}: {}", p.string(), why));
}

void require_dir(const fs::path& p, const std::string& what) {
  std::error_code ec;
  if (!fs::is_directory(p, ec)) data_error(p, fmt::format("{} folder not found", what));
}

bool has_suffix(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// File name without .nii / .nii.gz.
std::string nifti_stem(const fs::path& p) {
  std::string n = p.filename().string();
  for (const char* suf : {".nii.gz", ".nii"})
    if (has_suffix(n, suf)) return n.substr(0, n.size() - std::string(suf).size());
  return n;
}

bool is_nifti(const fs::path& p) {
  const std::string n = p.filename().string();
  // "._name" files are macOS resource forks shipped inside the MSD tarballs, not volumes.
  return n.rfind("._", 0) != 0 && has_nifti_suffix(p);
}

uint8_t to_label(float v, int num_labels, const fs::path& p) {
  if (!std::isfinite(v)) data_error(p, fmt::format("label value {} is not finite", v));
  const float r = std::round(v);
  if (std::fabs(v - r) > 1e-3f) data_error(p, fmt::format("label value {} is not an integer", v));
  if (r < 0 || r >= num_labels)
    data_error(p, fmt::format("label value {} out of range [0, {}) for this modality", r, num_labels));
  return static_cast<uint8_t>(r);
}

struct PairedVolume {
  fs::path image, label;
  std::string subject;
};

// Slices along the third voxel axis (through-plane for ACDC short-axis stacks and axial CT).
void slice_volumes(const std::vector<PairedVolume>& pairs, const ModalityEntry& m, const DataConfig& data,
                   const SourceConfig& src, bool ct, int size, std::vector<Slice>& out) {
  for (const auto& pv : pairs) {
    const Volume im = read_nifti(pv.image), lb = read_nifti(pv.label);
    check_same_geometry(im, lb);
    std::vector<float> vox = im.data;
    if (!ct && !src.unit_range)
      normalise_percentiles(vox, data.intensity.mri_percentile_lo, data.intensity.mri_percentile_hi);
    Volume norm = im;
    norm.data = std::move(vox);
    for (int64_t z = 0; z < im.nz; ++z) {
      const SliceView sv = slice_view(norm, z), sl = slice_view(lb, z);
      std::vector<uint8_t> labels(sl.values.size());
      bool fg = false;
      for (size_t i = 0; i < labels.size(); ++i) {
        labels[i] = to_label(sl.values[i], m.spec.num_labels(), pv.label);
        fg |= labels[i] != 0;
      }
      if (src.skip_empty && !fg) continue;
      std::vector<float> img = sv.values;
      if (ct)
        for (auto& x : img) x = ct_window(x, data.intensity.ct_window_level, data.intensity.ct_window_width);
      const int r = static_cast<int>(sv.rows), c = static_cast<int>(sv.cols);
      out.push_back(
          {square_resize_image(img, r, c, 1, size), square_resize_labels(labels, r, c, size), pv.subject});
    }
  }
}

// One subject's volume before it joins the set: size^3 image and label values, (z, y, x) order.
struct VolumeSample {
  std::vector<float> image;
  std::vector<uint8_t> labels;
  std::string subject;
};

// The voxel grid resampled to isotropic `target` mm (trilinear for images, nearest neighbour for labels), then
// centred in a size^3 cube: cropped where longer, zero-padded where shorter. [d, h, w] float32 in, out.
torch::Tensor to_cube(const torch::Tensor& v, const std::array<double, 3>& spacing_xyz, double target, int size,
                      bool labels) {
  namespace F = torch::nn::functional;
  std::vector<int64_t> grid;  // (z, y, x)
  for (int a = 0; a < 3; ++a)
    grid.push_back(std::max<int64_t>(1, std::llround(v.size(a) * spacing_xyz[2 - a] / target)));
  auto opts = F::InterpolateFuncOptions().size(grid);
  if (labels)
    opts.mode(torch::kNearest);
  else
    opts.mode(torch::kTrilinear).align_corners(false);
  const auto r = F::interpolate(v.unsqueeze(0).unsqueeze(0), opts).squeeze(0).squeeze(0);
  auto cube = torch::zeros({size, size, size}, torch::kFloat32);
  auto src = r, dst = cube;
  for (int a = 0; a < 3; ++a) {
    const int64_t n = grid[a];
    if (n > size)
      src = src.narrow(a, (n - size) / 2, size);
    else
      dst = dst.narrow(a, (size - n) / 2, n);
  }
  dst.copy_(src);
  return cube;
}

// Each image/label pair as one volume at `size`^3 voxels of data.spacing_mm (0: the spacing that fits the
// volume's longest physical side into the cube), intensities mapped as for slices.
std::vector<VolumeSample> load_volumes(const std::vector<PairedVolume>& pairs, const ModalityEntry& m,
                                       const DataConfig& data, const SourceConfig& src, bool ct, int size,
                                       double* spacing_out) {
  std::vector<VolumeSample> out;
  double used = data.spacing_mm;
  for (const auto& pv : pairs) {
    const Volume im = read_nifti(pv.image), lb = read_nifti(pv.label);
    check_same_geometry(im, lb);
    std::vector<float> vox = im.data;
    if (!ct && !src.unit_range)
      normalise_percentiles(vox, data.intensity.mri_percentile_lo, data.intensity.mri_percentile_hi);
    std::vector<float> lab(lb.data.size());
    for (size_t i = 0; i < lab.size(); ++i) lab[i] = to_label(lb.data[i], m.spec.num_labels(), pv.label);
    double target = data.spacing_mm;
    if (target <= 0) {  // fit the longest side
      const double ext = std::max({im.nx * im.spacing[0], im.ny * im.spacing[1], im.nz * im.spacing[2]});
      target = ext / size;
      used = std::max(used, target);
    }
    auto image = to_cube(torch::from_blob(vox.data(), {im.nz, im.ny, im.nx}, torch::kFloat32), im.spacing,
                         target, size, false);
    if (ct) image = ((image - (data.intensity.ct_window_level - data.intensity.ct_window_width / 2)) /
                     data.intensity.ct_window_width);
    // Outside the scanned field: 0 after the mapping (air below the CT window, the MRI 0 percentile).
    auto labels = to_cube(torch::from_blob(lab.data(), {lb.nz, lb.ny, lb.nx}, torch::kFloat32), lb.spacing,
                          target, size, true);
    image = image.clamp(0, 1).contiguous();
    labels = labels.round().to(torch::kUInt8).contiguous();
    out.push_back({{image.data_ptr<float>(), image.data_ptr<float>() + image.numel()},
                   {labels.data_ptr<uint8_t>(), labels.data_ptr<uint8_t>() + labels.numel()},
                   pv.subject});
  }
  if (spacing_out) *spacing_out = used;
  return out;
}

std::vector<PairedVolume> find_acdc(const fs::path& root) {
  require_dir(root, "ACDC");
  static const std::regex frame(R"((patient\d+)_frame\d+)");
  std::vector<PairedVolume> out;
  for (const auto& d : fs::directory_iterator(root)) {
    if (!d.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(d.path())) {
      if (!is_nifti(f.path())) continue;
      std::smatch mt;
      const std::string stem = nifti_stem(f.path());
      if (!std::regex_match(stem, mt, frame)) continue;
      const std::string ext = has_suffix(f.path().string(), ".gz") ? ".nii.gz" : ".nii";
      fs::path gt = f.path().parent_path() / (stem + "_gt" + ext);
      if (fs::exists(gt)) out.push_back({f.path(), gt, mt[1].str()});
    }
  }
  if (out.empty())
    data_error(root, "no ACDC image/label pairs (patientNNN/patientNNN_frameNN.nii.gz with _gt) found");
  return out;
}

std::vector<PairedVolume> find_lits(const fs::path& root) {
  require_dir(root, "LiTS");
  static const std::regex vol(R"(volume-(\d+))"), seg(R"(segmentation-(\d+))");
  std::map<std::string, fs::path> vols, segs;
  for (const auto& f : fs::recursive_directory_iterator(root)) {
    if (!f.is_regular_file() || !is_nifti(f.path())) continue;
    std::smatch mt;
    const std::string stem = nifti_stem(f.path());
    if (std::regex_match(stem, mt, vol)) vols[mt[1].str()] = f.path();
    if (std::regex_match(stem, mt, seg)) segs[mt[1].str()] = f.path();
  }
  std::vector<PairedVolume> out;
  for (const auto& [id, p] : vols)
    if (segs.count(id)) out.push_back({p, segs[id], "volume-" + id});
  if (out.empty()) data_error(root, "no LiTS pairs (volume-N.nii + segmentation-N.nii) found");
  return out;
}

std::vector<PairedVolume> find_msd(const fs::path& root) {
  require_dir(root / "imagesTr", "MSD imagesTr");
  require_dir(root / "labelsTr", "MSD labelsTr");
  std::vector<PairedVolume> out;
  for (const auto& f : fs::directory_iterator(root / "imagesTr")) {
    if (!is_nifti(f.path())) continue;
    const fs::path lab = root / "labelsTr" / f.path().filename();
    if (!fs::exists(lab)) data_error(f.path(), fmt::format("no label volume {}", lab.string()));
    out.push_back({f.path(), lab, nifti_stem(f.path())});
  }
  if (out.empty()) data_error(root / "imagesTr", "no .nii/.nii.gz volumes found");
  return out;
}

// nnU-Net v2 (documentation/dataset_format.md): imagesTr/<case>_0000.<ending> with labelsTr/<case>.<ending>, the
// ending from dataset.json's file_ending (NIfTI only here). One input channel: a case with _0001 is refused.
std::vector<PairedVolume> find_nnunet(const fs::path& root) {
  require_dir(root / "imagesTr", "nnU-Net imagesTr");
  require_dir(root / "labelsTr", "nnU-Net labelsTr");
  std::vector<PairedVolume> out;
  for (const auto& f : fs::directory_iterator(root / "imagesTr")) {
    if (!is_nifti(f.path())) continue;
    const std::string stem = nifti_stem(f.path()), ending = f.path().filename().string().substr(stem.size());
    if (stem.size() < 5 || stem[stem.size() - 5] != '_' ||
        !std::all_of(stem.end() - 4, stem.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      data_error(f.path(), "not an nnU-Net image name <case>_XXXX" + ending);
    const std::string channel = stem.substr(stem.size() - 4), case_id = stem.substr(0, stem.size() - 5);
    if (channel != "0000")
      data_error(f.path(), "a second input channel; this reader takes one-channel nnU-Net datasets (_0000 only)");
    const fs::path lab = root / "labelsTr" / (case_id + ending);
    if (!fs::exists(lab)) data_error(f.path(), fmt::format("no label volume {}", lab.string()));
    out.push_back({f.path(), lab, case_id});
  }
  if (out.empty()) data_error(root / "imagesTr", "no <case>_0000.nii.gz volumes found");
  return out;
}

// SynthRAD2023 (Thummerer et al. 2023, Med Phys): <root>/<patient>/{mr,cbct,ct}.nii.gz with mask.nii.gz, where
// root is one region (Task1/pelvis) or a task (Task1: its regions' patients, each named by its id). `file` is
// the modality's volume: the same patients and masks for ct and mr (or cbct), so the two load as pairs.
std::vector<PairedVolume> find_synthrad(const fs::path& root, const std::string& file) {
  require_dir(root, "SynthRAD");
  std::vector<fs::path> patients;
  auto holds = [&](const fs::path& d) { return fs::exists(d / "mask.nii.gz") || fs::exists(d / "mask.nii"); };
  for (const auto& d : fs::directory_iterator(root)) {
    if (!d.is_directory()) continue;
    if (holds(d.path())) {
      patients.push_back(d.path());
      continue;
    }
    for (const auto& p : fs::directory_iterator(d.path()))  // a task folder: its regions
      if (p.is_directory() && holds(p.path())) patients.push_back(p.path());
  }
  std::vector<PairedVolume> out;
  for (const auto& p : patients) {
    const fs::path mask = fs::exists(p / "mask.nii.gz") ? p / "mask.nii.gz" : p / "mask.nii";
    const fs::path image = fs::exists(p / (file + ".nii.gz")) ? p / (file + ".nii.gz") : p / (file + ".nii");
    if (!fs::exists(image)) data_error(p, fmt::format("SynthRAD patient without {}.nii.gz beside its mask", file));
    out.push_back({image, mask, p.filename().string()});
  }
  if (out.empty())
    data_error(root, fmt::format("no SynthRAD patients (<patient>/{}.nii.gz with mask.nii.gz) found", file));
  return out;
}

bool is_image_file(const fs::path& p, const fs::path& folder) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  if (ext == ".gif")
    data_error(p, fmt::format("GIF is not readable here (OpenCV 4.6); convert the masks in {} to PNG first, "
                              "e.g. `mogrify -format png *.gif` (DRIVE ships 1st_manual/ and mask/ as GIF)",
                              folder.string()));
  return ext == ".png" || ext == ".tif" || ext == ".tiff" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

std::vector<fs::path> image_files(const fs::path& dir) {
  require_dir(dir, "image");
  std::vector<fs::path> out;
  for (const auto& f : fs::directory_iterator(dir))
    if (f.is_regular_file() && f.path().filename().string()[0] != '.' && is_image_file(f.path(), dir))
      out.push_back(f.path());
  std::sort(out.begin(), out.end());
  if (out.empty()) data_error(dir, "no PNG/TIFF/JPEG/BMP images found");
  return out;
}

// Match key: the whole stem, and the part before the first '_' (DRIVE: 21_training.tif <-> 21_manual1.png).
std::string prefix_key(const fs::path& p) {
  const std::string stem = p.stem().string();
  return stem.substr(0, stem.find('_'));
}

cv::Mat read_image(const fs::path& p, int flags) { return read_image_file(p, flags); }

void load_folder(const ModalityEntry& m, const SourceConfig& src, int size, int64_t max_subjects,
                 std::vector<Slice>& out) {
  require_dir(src.path, "dataset");
  const auto images = image_files(src.path / src.images);
  const auto masks = image_files(src.path / src.masks);
  std::map<std::string, fs::path> by_stem, by_prefix;
  std::map<std::string, int> prefix_count;
  for (const auto& k : masks) {
    by_stem[k.stem().string()] = k;
    by_prefix[prefix_key(k)] = k;
    ++prefix_count[prefix_key(k)];
  }
  const int channels = m.spec.channels;
  const std::regex subject_re = folder_subject_regex(src.subject);
  std::set<std::string> subjects;
  for (const auto& ip : images) {
    // The subject: the pattern's capture group on the file stem, or each file its own subject.
    std::string subject = ip.stem().string();
    if (!src.subject.empty()) {
      std::smatch sm;
      if (!std::regex_search(subject, sm, subject_re))
        data_error(ip, fmt::format("file name does not match the subject pattern '{}'", src.subject));
      subject = sm[1].str();
    }
    if (max_subjects > 0 && !subjects.count(subject) && static_cast<int64_t>(subjects.size()) >= max_subjects)
      continue;
    subjects.insert(subject);
    fs::path mp;
    if (auto it = by_stem.find(ip.stem().string()); it != by_stem.end())
      mp = it->second;
    else if (prefix_count[prefix_key(ip)] == 1)
      mp = by_prefix[prefix_key(ip)];
    else
      data_error(ip, fmt::format("no mask with the same name (or the same prefix before '_') in {}",
                                 (src.path / src.masks).string()));
    cv::Mat im =
        read_image(ip, (channels == 3 ? cv::IMREAD_COLOR : cv::IMREAD_GRAYSCALE) | cv::IMREAD_ANYDEPTH);
    cv::Mat mk = read_image(mp, cv::IMREAD_GRAYSCALE | cv::IMREAD_ANYDEPTH);
    if (im.rows != mk.rows || im.cols != mk.cols)
      data_error(ip, fmt::format("image is {}x{} but its mask {} is {}x{}", im.cols, im.rows, mp.string(),
                                 mk.cols, mk.rows));
    const double scale = im.depth() == CV_16U ? 1.0 / 65535 : (im.depth() == CV_8U ? 1.0 / 255 : 1.0);
    if (im.depth() != CV_8U && im.depth() != CV_16U && im.depth() != CV_32F)
      data_error(ip, "unsupported pixel depth (use 8- or 16-bit integer or 32-bit float images)");
    cv::Mat f;
    im.convertTo(f, CV_32F, scale);
    if (channels == 3) cv::cvtColor(f, f, cv::COLOR_BGR2RGB);
    std::vector<float> chw(static_cast<size_t>(channels) * f.rows * f.cols);
    for (int y = 0; y < f.rows; ++y)
      for (int x = 0; x < f.cols; ++x)
        for (int c = 0; c < channels; ++c) {
          const float v = channels == 3 ? f.at<cv::Vec3f>(y, x)[c] : f.at<float>(y, x);
          chw[(static_cast<size_t>(c) * f.rows + y) * f.cols + x] = std::clamp(v, 0.0f, 1.0f);
        }
    cv::Mat mk32;
    mk.convertTo(mk32, CV_32F);
    double mmax = 0;
    cv::minMaxLoc(mk32, nullptr, &mmax);
    // Binary masks stored as 0/255 (DRIVE) mean vessel / no vessel; other masks hold label values.
    const bool binary_255 = m.spec.num_labels() == 2 && mmax > 1;
    std::vector<uint8_t> labels(static_cast<size_t>(mk.rows) * mk.cols);
    for (int y = 0; y < mk.rows; ++y)
      for (int x = 0; x < mk.cols; ++x) {
        const float v = mk32.at<float>(y, x);
        labels[static_cast<size_t>(y) * mk.cols + x] =
            binary_255 ? (v > 127) : to_label(v, m.spec.num_labels(), mp);
      }
    out.push_back({square_resize_image(chw, f.rows, f.cols, channels, size),
                   square_resize_labels(labels, mk.rows, mk.cols, size), subject});
  }
}

ImageSet to_image_set(std::vector<Slice>& slices, int channels, int size) {
  ImageSet set;
  const auto n = static_cast<int64_t>(slices.size());
  set.images = torch::empty({n, channels, size, size}, torch::kFloat32);
  auto lab = torch::empty({n, size, size}, torch::kUInt8);
  for (int64_t i = 0; i < n; ++i) {
    std::copy(slices[i].image.begin(), slices[i].image.end(), set.images[i].data_ptr<float>());
    std::copy(slices[i].labels.begin(), slices[i].labels.end(), lab[i].data_ptr<uint8_t>());
    set.subjects.push_back(std::move(slices[i].subject));
  }
  set.labels = lab;
  return set;
}

}  // namespace

const SourceConfig& DataConfig::source_for(const std::string& modality) const {
  static const SourceConfig phantom;
  auto it = sources.find(modality);
  return it == sources.end() ? phantom : it->second;
}

namespace {
// A real-data format: reads a source's subjects into slices at `size` px, at most `cap` subjects (0 = all).
struct DataSourceEntry {
  std::string description;
  std::function<void(const ModalityEntry&, const DataConfig&, const SourceConfig&, int size, int64_t cap,
                     std::vector<Slice>&)>
      load;
  // Whole volumes (data.dims: 3); null for formats without them. Sets the voxel spacing used, mm.
  std::function<std::vector<VolumeSample>(const ModalityEntry&, const DataConfig&, const SourceConfig&, int size,
                                          int64_t cap, double* spacing)>
      load_volumes;
};

Registry<DataSourceEntry>& data_source_registry() {
  static Registry<DataSourceEntry> registry("data source format");
  return registry;
}

// A NIfTI dataset whose image/label pairs `find` lists; `radiological` turns slices to display orientation.
// (`ct`, when not given, is the modality's own ct_hu.) `find` may use the modality, e.g. for its file name.
using FindPairs = std::function<std::vector<PairedVolume>(const fs::path&, const ModalityEntry&)>;
DataSourceEntry nifti_source(std::string description, FindPairs find, std::optional<bool> ct) {
  // The pairs `find` lists, sorted, keeping every volume of the first `cap` subjects (0 = all).
  auto pairs_of = [find](const ModalityEntry& m, const SourceConfig& src, int64_t cap) {
    std::vector<PairedVolume> pairs = find(src.path, m);
    std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.image < b.image; });
    if (cap > 0) {
      std::set<std::string> keep;
      std::vector<PairedVolume> kept;
      for (const auto& p : pairs)
        if (keep.count(p.subject) || static_cast<int64_t>(keep.size()) < cap) keep.insert(p.subject), kept.push_back(p);
      pairs = std::move(kept);
    }
    return pairs;
  };
  return {std::move(description),
          [pairs_of, ct](const ModalityEntry& m, const DataConfig& data, const SourceConfig& src, int size,
                         int64_t cap, std::vector<Slice>& slices) {
            slice_volumes(pairs_of(m, src, cap), m, data, src, ct.value_or(m.ct_hu), size, slices);
          },
          [pairs_of, ct](const ModalityEntry& m, const DataConfig& data, const SourceConfig& src, int size,
                         int64_t cap, double* spacing) {
            return load_volumes(pairs_of(m, src, cap), m, data, src, ct.value_or(m.ct_hu), size, spacing);
          }};
}

void register_builtin_data_sources() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& r = data_source_registry();
    auto by_root = [](std::vector<PairedVolume> (*f)(const fs::path&)) {
      return [f](const fs::path& root, const ModalityEntry&) { return f(root); };
    };
    r.add("acdc", nifti_source("ACDC: patientNNN/patientNNN_frameNN.nii.gz with _gt labels", by_root(find_acdc), false));
    r.add("lits", nifti_source("LiTS: volume-N.nii with segmentation-N.nii", by_root(find_lits), true));
    r.add("msd", nifti_source("Medical Segmentation Decathlon: imagesTr/<case>.nii.gz with labelsTr/<case>.nii.gz",
                              by_root(find_msd), std::nullopt));
    r.add("nnunet", nifti_source("nnU-Net v2: imagesTr/<case>_0000.nii.gz with labelsTr/<case>.nii.gz (one channel)",
                                 by_root(find_nnunet), std::nullopt));
    r.add("synthrad",
          nifti_source("SynthRAD2023: <patient>/mr.nii.gz | cbct.nii.gz | ct.nii.gz with mask.nii.gz (label 1: body)",
                       [](const fs::path& root, const ModalityEntry& m) { return find_synthrad(root, m.synthrad_file); },
                       std::nullopt));
    r.add("folder",
          {"PNG/TIFF/JPEG/BMP images with masks matched by name",
           [](const ModalityEntry& m, const DataConfig&, const SourceConfig& src, int size, int64_t cap,
              std::vector<Slice>& slices) { load_folder(m, src, size, cap, slices); },
           nullptr});
  });
}
}  // namespace

std::regex folder_subject_regex(const std::string& pattern) {
  if (pattern.empty()) return std::regex();
  std::regex re;
  try {
    re = std::regex(pattern);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(
        fmt::format("subject pattern '{}' is not a valid regular expression: {}", pattern, e.what()));
  }
  if (re.mark_count() != 1)
    throw std::invalid_argument(
        fmt::format("subject pattern '{}' needs exactly one capture group (the subject id), has {}", pattern,
                    re.mark_count()));
  return re;
}

const std::vector<std::string>& real_formats() {
  register_builtin_data_sources();
  static const std::vector<std::string> f = data_source_registry().names();
  return f;
}

void normalise_percentiles(std::vector<float>& v, double lo, double hi) {
  if (v.empty()) return;
  if (!(lo >= 0 && lo < hi && hi <= 100))
    throw std::invalid_argument("percentiles must satisfy 0 <= lo < hi <= 100");
  const double a = percentile_linear(v, lo), b = percentile_linear(v, hi);
  const double span = b > a ? b - a : 1.0;
  for (auto& x : v) x = static_cast<float>(std::clamp((x - a) / span, 0.0, 1.0));
}

std::vector<float> square_resize_image(const std::vector<float>& v, int rows, int cols, int channels,
                                       int size) {
  const int side = std::max(rows, cols), top = (side - rows) / 2, left = (side - cols) / 2;
  std::vector<float> out(static_cast<size_t>(channels) * size * size);
  for (int c = 0; c < channels; ++c) {
    cv::Mat src(rows, cols, CV_32F, const_cast<float*>(v.data()) + static_cast<size_t>(c) * rows * cols);
    cv::Mat sq(side, side, CV_32F, cv::Scalar(0)),
        dst(size, size, CV_32F, out.data() + static_cast<size_t>(c) * size * size);
    src.copyTo(sq(cv::Rect(left, top, cols, rows)));
    cv::resize(sq, dst, cv::Size(size, size), 0, 0, side > size ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  for (auto& x : out) x = std::clamp(x, 0.0f, 1.0f);
  return out;
}

std::vector<uint8_t> square_resize_labels(const std::vector<uint8_t>& v, int rows, int cols, int size) {
  const int side = std::max(rows, cols), top = (side - rows) / 2, left = (side - cols) / 2;
  cv::Mat src(rows, cols, CV_8U, const_cast<uint8_t*>(v.data())), sq(side, side, CV_8U, cv::Scalar(0));
  src.copyTo(sq(cv::Rect(left, top, cols, rows)));
  std::vector<uint8_t> out(static_cast<size_t>(size) * size);
  cv::Mat dst(size, size, CV_8U, out.data());
  cv::resize(sq, dst, cv::Size(size, size), 0, 0, cv::INTER_NEAREST);
  return out;
}

ImageSet load_modality_data(const ModalityEntry& m, const DataConfig& data, int size, int64_t max_subjects) {
  const SourceConfig& src = data.source_for(m.spec.name);
  if (src.format == "phantom") {
    const int64_t n = max_subjects > 0 ? std::min(max_subjects, data.count) : data.count;
    return make_phantom_set(m, size, n, data.seed, data.intensity, static_cast<int>(data.dims));
  }

  if (std::find(m.sources.begin(), m.sources.end(), src.format) == m.sources.end())
    throw std::invalid_argument(fmt::format("modality '{}' cannot be read from format '{}'; valid: {}",
                                            m.spec.name, src.format, fmt::join(m.sources, ", ")));
  const int64_t cap = max_subjects > 0 ? max_subjects : src.max_subjects;
  register_builtin_data_sources();
  if (data.dims == 3) {
    const auto& entry = data_source_registry().find(src.format);
    if (!entry.load_volumes)
      throw std::invalid_argument(fmt::format("format '{}' holds images, not volumes (data.dims: 3 needs NIfTI)",
                                              src.format));
    double spacing = 0;
    const auto vols = entry.load_volumes(m, data, src, size, cap, &spacing);
    if (vols.empty()) data_error(src.path, "no volumes found");
    const int64_t n = static_cast<int64_t>(vols.size()), v = int64_t{size} * size * size;
    ImageSet set;
    set.images = torch::empty({n, 1, size, size, size}, torch::kFloat32);
    auto labels = torch::empty({n, size, size, size}, torch::kUInt8);
    for (int64_t i = 0; i < n; ++i) {
      std::copy(vols[i].image.begin(), vols[i].image.end(), set.images.data_ptr<float>() + i * v);
      std::copy(vols[i].labels.begin(), vols[i].labels.end(), labels.data_ptr<uint8_t>() + i * v);
      set.subjects.push_back(vols[i].subject);
    }
    set.labels = labels;
    set.spacing_mm = spacing;
    return set;
  }
  std::vector<Slice> slices;
  data_source_registry().find(src.format).load(m, data, src, size, cap, slices);
  if (slices.empty())
    data_error(src.path,
               src.skip_empty ? "no slices with foreground labels (skip_empty is on)" : "no slices found");
  return to_image_set(slices, m.spec.channels, size);
}

}  // namespace ganbench
