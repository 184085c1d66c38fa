#include <doctest/doctest.h>

#include <set>

#include <torch/torch.h>
#include <opencv2/imgcodecs.hpp>

#include "datasets/data_source.h"
#include "datasets/nifti.h"
#include "tests/datasets/nifti_writer.h"
#include "tests/test_util.h"

using namespace ganbench;
using ganbench::test::NiftiSpec;
using ganbench::test::TempDir;
using ganbench::test::write_nifti;
namespace fs = std::filesystem;

namespace {

// Image voxels x + 10 y + 100 z (int16); labels: slice 0 empty, later slices a square of `label`.
std::vector<int16_t> ramp(const NiftiSpec& s) {
  std::vector<int16_t> v;
  for (int z = 0; z < s.nz; ++z)
    for (int y = 0; y < s.ny; ++y)
      for (int x = 0; x < s.nx; ++x) v.push_back(static_cast<int16_t>(x + 10 * y + 100 * z));
  return v;
}
std::vector<uint8_t> square_labels(const NiftiSpec& s, uint8_t label) {
  std::vector<uint8_t> v;
  for (int z = 0; z < s.nz; ++z)
    for (int y = 0; y < s.ny; ++y)
      for (int x = 0; x < s.nx; ++x) v.push_back(z > 0 && x >= 2 && x < 6 && y >= 2 && y < 6 ? label : 0);
  return v;
}
NiftiSpec label_spec(NiftiSpec s) {
  s.datatype = NIFTI_TYPE_UINT8;
  s.slope = 0, s.inter = 0;
  return s;
}

void write_pair(const fs::path& image, const fs::path& label, const NiftiSpec& s, uint8_t lab) {
  write_nifti(image, s, ramp(s));
  write_nifti(label, label_spec(s), square_labels(s, lab));
}

void make_acdc(const fs::path& root, int patients) {
  NiftiSpec s;
  for (int p = 1; p <= patients; ++p) {
    const std::string id = fmt::format("patient{:03d}", p);
    for (int frame : {1, 12})
      write_pair(root / id / fmt::format("{}_frame{:02d}.nii.gz", id, frame),
                 root / id / fmt::format("{}_frame{:02d}_gt.nii.gz", id, frame), s, 3);
    write_nifti(root / id / (id + "_4d.nii.gz"), s, ramp(s));  // the cine series is not a training pair
  }
}

DataConfig with_source(const std::string& modality, SourceConfig src) {
  DataConfig d;
  d.sources[modality] = std::move(src);
  return d;
}

SourceConfig source(const std::string& format, const fs::path& path) {
  SourceConfig s;
  s.format = format;
  s.path = path;
  return s;
}

void cv_write(const fs::path& p, const cv::Mat& m) {
  fs::create_directories(p.parent_path());
  REQUIRE(cv::imwrite(p.string(), m));
}

}  // namespace

TEST_SUITE("datasets") {
  TEST_CASE("NIfTI: gzipped file with scl_slope/scl_inter, geometry and datatype") {
    TempDir tmp;
    NiftiSpec s;
    s.slope = 2, s.inter = -1024;
    write_nifti(tmp / "ct.nii.gz", s, ramp(s));
    const Volume v = read_nifti(tmp / "ct.nii.gz");
    CHECK(v.nx == 8);
    CHECK(v.ny == 8);
    CHECK(v.nz == 3);
    CHECK(v.datatype == "INT16");
    CHECK(v.at(3, 2, 1) == doctest::Approx(2.0 * (3 + 20 + 100) - 1024));
    CHECK(v.spacing[2] == doctest::Approx(5.0));
    CHECK(v.affine[0] == doctest::Approx(-1.5));
    CHECK(v.affine[3] == doctest::Approx(10.0));
    // Stored L->R / P->A with negative srow diagonals: already radiological, no flip.
    SliceView sv = slice_view(v, 1);
    CHECK(sv.rows == 8);
    CHECK(sv.values[0 * 8 + 3] == v.at(3, 0, 1));
    // RAS-stored (positive diagonal): columns and rows are flipped for display.
    NiftiSpec ras = s;
    ras.srow[0][0] = 1.5f, ras.srow[1][1] = 1.5f;
    write_nifti(tmp / "ras.nii", ras, ramp(ras));
    const Volume r = read_nifti(tmp / "ras.nii");
    sv = slice_view(r, 2);
    CHECK(sv.values[0] == r.at(7, 7, 2));
    CHECK(sv.values[1] == r.at(6, 7, 2));
    // Same geometry passes; a different grid or affine fails naming both files.
    CHECK_NOTHROW(check_same_geometry(v, v));
    CHECK_THROWS_WITH(check_same_geometry(v, r), doctest::Contains("affines differ"));
  }

  TEST_CASE("NIfTI: bad files give one clear error naming the file") {
    TempDir tmp;
    NiftiSpec s;
    CHECK_THROWS_WITH(read_nifti(tmp / "none.nii.gz"), doctest::Contains("none.nii.gz: no such file"));
    write_nifti(tmp / "ok.nii.gz", s, ramp(s));
    const std::string gz = read_file(tmp / "ok.nii.gz");
    write_file_atomic(tmp / "cut.nii.gz", gz.substr(0, gz.size() / 2));
    CHECK_THROWS_WITH(read_nifti(tmp / "cut.nii.gz"), doctest::Contains("cut.nii.gz: cannot read as NIfTI"));
    write_file_atomic(tmp / "junk.nii", std::string(400, 'x'));
    CHECK_THROWS_WITH(read_nifti(tmp / "junk.nii"), doctest::Contains("junk.nii: cannot read as NIfTI"));
    NiftiSpec cplx = s;
    cplx.datatype = NIFTI_TYPE_COMPLEX64;
    write_nifti(tmp / "c.nii", cplx, std::vector<double>(8 * 8 * 3, 1.0));  // 8 bytes per voxel
    CHECK_THROWS_WITH(read_nifti(tmp / "c.nii"), doctest::Contains("unsupported NIfTI datatype COMPLEX64"));
    // fuzz_nifti's find: a header claiming more voxels than the file holds is refused before any allocation.
    CHECK_THROWS_WITH(read_nifti(ganbench::test::fixtures() / "nifti/huge_claim.nii"),
                      doctest::Contains("more than the file holds"));
    CHECK_THROWS_WITH(read_nifti(ganbench::test::fixtures() / "nifti/negative_offset.nii"),
                      doctest::Contains("more than the file holds"));  // the second find: offset -2^31
    const std::string ok = read_file(tmp / "c.nii");
    write_file_atomic(tmp / "short.nii", ok.substr(0, ok.size() - 1));  // one byte short of its voxels
    CHECK_THROWS_WITH(read_nifti(tmp / "short.nii"), doctest::Contains("more than the file holds"));
  }

  TEST_CASE("ACDC layout: ED/ES frames with _gt, MRI percentiles, empty slices skipped, split by patient") {
    TempDir tmp;
    make_acdc(tmp.path(), 5);
    register_builtin_modalities();
    const auto& m = find_modality("cardiac");
    const ImageSet set = load_modality_data(m, with_source("cardiac", source("acdc", tmp.path())), 16);
    CHECK(set.size() == 5 * 2 * 2);  // 5 patients x 2 frames x 2 non-empty slices
    CHECK((set.images.sizes() == torch::IntArrayRef({20, 1, 16, 16})));
    CHECK(set.images.min().item<float>() >= 0.0f);
    CHECK(set.images.max().item<float>() ==
          doctest::Approx(1.0));  // padded 8x8 -> 16x16 keeps the top voxels
    CHECK(set.labels.max().item<int64_t>() == 3);
    CHECK(std::set<std::string>(set.subjects.begin(), set.subjects.end()).size() == 5);
    CHECK(set.subjects[0] == "patient001");
    const Splits sp = split_by_subject(set, 3, {0.2, 0.2});
    std::set<std::string> tr(sp.train.subjects.begin(), sp.train.subjects.end());
    for (const auto& t : sp.test.subjects) CHECK(tr.count(t) == 0);
    for (const auto& t : sp.val.subjects) CHECK(tr.count(t) == 0);
    CHECK(sp.test.size() == 4);  // all four slices of the one test patient
    // skip_empty off keeps the empty first slice of each volume.
    SourceConfig all = source("acdc", tmp.path());
    all.skip_empty = false;
    CHECK(load_modality_data(m, with_source("cardiac", all), 16).size() == 5 * 2 * 3);
    // max_subjects keeps every frame of the first subjects.
    all.max_subjects = 2;
    CHECK(load_modality_data(m, with_source("cardiac", all), 16).size() == 2 * 2 * 3);
  }

  TEST_CASE("LiTS and MSD layouts: CT window applied to HU, pairs matched, macOS ._ files ignored") {
    TempDir tmp;
    register_builtin_modalities();
    const auto& liver = find_modality("liver");
    NiftiSpec s;
    s.slope = 1, s.inter = 0;  // HU = stored value
    write_pair(tmp / "lits/batch1/volume-0.nii", tmp / "lits/batch1/segmentation-0.nii", s, 1);
    write_pair(tmp / "lits/batch2/volume-1.nii.gz", tmp / "lits/batch2/segmentation-1.nii.gz", s, 2);
    write_pair(tmp / "lits/batch2/volume-2.nii.gz", tmp / "lits/batch2/segmentation-2.nii.gz", s, 1);
    write_nifti(tmp / "lits/test/volume-9.nii", s, ramp(s));  // no segmentation: not used
    const ImageSet set = load_modality_data(liver, with_source("liver", source("lits", tmp / "lits")), 8);
    CHECK(set.size() == 6);
    CHECK(set.subjects.front() == "volume-0");
    // 8 -> 8 px keeps voxels: z = 1 slice, voxel (x=3, y=2) holds 123 HU -> above the window top (105).
    const auto img = set.images[0][0];
    CHECK(img[2][3].item<float>() == doctest::Approx(ct_window(123, 30, 150)));
    CHECK(img[0][0].item<float>() == doctest::Approx(ct_window(100, 30, 150)));
    CHECK(set.labels.max().item<int64_t>() == 2);
    DataConfig narrow = with_source("liver", source("lits", tmp / "lits"));
    narrow.intensity.ct_window_level = 100, narrow.intensity.ct_window_width = 50;
    const ImageSet n2 = load_modality_data(liver, narrow, 8);
    CHECK(n2.images[0][0][0][0].item<float>() == doctest::Approx(0.5));

    write_pair(tmp / "msd/imagesTr/liver_0.nii.gz", tmp / "msd/labelsTr/liver_0.nii.gz", s, 1);
    write_pair(tmp / "msd/imagesTr/liver_1.nii.gz", tmp / "msd/labelsTr/liver_1.nii.gz", s, 2);
    write_file_atomic(tmp / "msd/imagesTr/._liver_0.nii.gz", "AppleDouble");
    const ImageSet msd = load_modality_data(liver, with_source("liver", source("msd", tmp / "msd")), 8);
    CHECK(msd.size() == 4);
    CHECK(msd.subjects.back() == "liver_1");
  }

  TEST_CASE("SynthRAD layout: ct and mr of each patient load as pairs (same subjects, slices and body masks)") {
    TempDir tmp;
    register_builtin_modalities();
    NiftiSpec s;
    s.slope = 1, s.inter = 0;
    NiftiSpec mr_spec = s;
    mr_spec.slope = 2;  // another contrast of the same grid
    for (const char* p : {"Task1/pelvis/1PA001", "Task1/pelvis/1PA004", "Task1/brain/1BA002"}) {
      write_nifti(tmp / p / "ct.nii.gz", s, ramp(s));
      write_nifti(tmp / p / "mr.nii.gz", mr_spec, ramp(s));
      write_nifti(tmp / p / "mask.nii.gz", label_spec(s), square_labels(s, 1));
    }
    const ImageSet ct = load_modality_data(find_modality("synthrad_ct"),
                                           with_source("synthrad_ct", source("synthrad", tmp / "Task1")), 8);
    const ImageSet mr = load_modality_data(find_modality("synthrad_mr"),
                                           with_source("synthrad_mr", source("synthrad", tmp / "Task1")), 8);
    CHECK(ct.size() == 6);  // 3 patients x 2 slices with body (slice 0's mask is empty: skipped)
    CHECK(ct.subjects == mr.subjects);
    CHECK(std::set<std::string>(ct.subjects.begin(), ct.subjects.end()) ==
          std::set<std::string>{"1PA001", "1PA004", "1BA002"});
    CHECK(torch::equal(ct.labels, mr.labels));
    CHECK(!torch::equal(ct.images, mr.images));
    CHECK(ct.images[0][0][2][3].item<float>() == doctest::Approx(ct_window(123, 30, 150)));  // HU through the window
    CHECK(mr.images.max().item<float>() == doctest::Approx(1.0f));  // MRI percentiles to [0, 1]
    CHECK(find_modality("synthrad_ct").ct_hu);
    CHECK(!find_modality("synthrad_mr").ct_hu);
    // One region, and a patient without its MR.
    CHECK(load_modality_data(find_modality("synthrad_ct"),
                             with_source("synthrad_ct", source("synthrad", tmp / "Task1/pelvis")), 8)
              .size() == 4);
    fs::remove(tmp / "Task1/brain/1BA002/mr.nii.gz");
    CHECK_THROWS_WITH_AS(load_modality_data(find_modality("synthrad_mr"),
                                            with_source("synthrad_mr", source("synthrad", tmp / "Task1")), 8),
                         doctest::Contains("1BA002"), std::runtime_error);
    // No phantom: the phantom source is a clear error.
    CHECK_THROWS_AS(load_modality_data(find_modality("synthrad_ct"), DataConfig{}, 8), std::invalid_argument);
  }

  TEST_CASE("NIfTI datasets: bad input is one clear error with the path") {
    TempDir tmp;
    register_builtin_modalities();
    const auto& cardiac = find_modality("cardiac");
    auto load = [&](const fs::path& p) {
      return load_modality_data(cardiac, with_source("cardiac", source("acdc", p)), 16);
    };
    CHECK_THROWS_WITH(load(tmp / "missing"), doctest::Contains("missing: ACDC folder not found"));
    fs::create_directories(tmp / "empty");
    CHECK_THROWS_WITH(load(tmp / "empty"), doctest::Contains("no ACDC image/label pairs"));
    NiftiSpec s;
    // Label 7 does not exist in ACDC.
    write_pair(tmp / "range/patient001/patient001_frame01.nii.gz",
               tmp / "range/patient001/patient001_frame01_gt.nii.gz", s, 7);
    CHECK_THROWS_WITH(load(tmp / "range"),
                      doctest::Contains("patient001_frame01_gt.nii.gz: label value 7 out of range"));
    // Image and label grids differ.
    NiftiSpec small = s;
    small.nx = 6;
    write_nifti(tmp / "geom/patient001/patient001_frame01.nii.gz", s, ramp(s));
    write_nifti(tmp / "geom/patient001/patient001_frame01_gt.nii.gz", label_spec(small),
                square_labels(small, 1));
    CHECK_THROWS_WITH(load(tmp / "geom"), doctest::Contains("grids differ"));
    // A truncated gzip inside a dataset.
    make_acdc(tmp / "cut", 1);
    const fs::path victim = tmp / "cut/patient001/patient001_frame12.nii.gz";
    const std::string gz = read_file(victim);
    write_file_atomic(victim, gz.substr(0, gz.size() - 40));
    CHECK_THROWS_WITH(load(tmp / "cut"),
                      doctest::Contains("patient001_frame12.nii.gz: cannot read as NIfTI"));
    // A format the modality cannot hold.
    CHECK_THROWS_WITH(load_modality_data(cardiac, with_source("cardiac", source("lits", tmp.path())), 16),
                      doctest::Contains("cannot be read from format 'lits'"));
  }

  TEST_CASE("image folders: DRIVE naming, RGB order, 0/255 masks; bad files are clear errors") {
    TempDir tmp;
    register_builtin_modalities();
    const auto& retina = find_modality("retina");
    for (int id : {21, 22, 23}) {
      cv::Mat im(10, 12, CV_8UC3, cv::Scalar(0, 0, 255));  // BGR: pure red
      cv::Mat mk(10, 12, CV_8U, cv::Scalar(0));
      mk(cv::Rect(0, 0, 6, 10)).setTo(255);
      cv_write(tmp / fmt::format("drive/images/{}_training.png", id), im);
      cv_write(tmp / fmt::format("drive/1st_manual/{}_manual1.png", id), mk);
    }
    SourceConfig src = source("folder", tmp / "drive");
    src.masks = "1st_manual";
    const ImageSet set = load_modality_data(retina, with_source("retina", src), 12);
    CHECK(set.size() == 3);
    CHECK(set.subjects[0] == "21_training");
    // 12x10 padded to 12x12 (one zero row above and below); red stays in channel 0.
    CHECK(set.images[0][0][5][5].item<float>() == doctest::Approx(1.0));
    CHECK(set.images[0][2][5][5].item<float>() == doctest::Approx(0.0));
    CHECK(set.images[0][0][0][5].item<float>() == doctest::Approx(0.0));
    CHECK(set.labels[0][5][0].item<int64_t>() == 1);
    CHECK(set.labels[0][5][11].item<int64_t>() == 0);
    CHECK(set.labels.max().item<int64_t>() == 1);

    // Size mismatch between an image and its mask.
    cv_write(tmp / "drive/1st_manual/22_manual1.png", cv::Mat(9, 12, CV_8U, cv::Scalar(0)));
    CHECK_THROWS_WITH(load_modality_data(retina, with_source("retina", src), 12),
                      doctest::Contains("22_training.png: image is 12x10 but its mask"));
    cv_write(tmp / "drive/1st_manual/22_manual1.png", cv::Mat(10, 12, CV_8U, cv::Scalar(0)));
    // A truncated PNG.
    const std::string png = read_file(tmp / "drive/images/23_training.png");
    write_file_atomic(tmp / "drive/images/23_training.png", png.substr(0, 30));
    CHECK_THROWS_WITH(load_modality_data(retina, with_source("retina", src), 12),
                      doctest::Contains("23_training.png: cannot decode image"));
    fs::remove(tmp / "drive/images/23_training.png");
    // A BMP whose header claims more rows than OpenCV allows: OpenCV throws its own exception, which must
    // become the same named error (fuzz_folder's find, in CI's 30 s run).
    fs::copy_file(ganbench::test::fixtures() / "images/huge_height.bmp", tmp / "drive/images/23_training.bmp");
    CHECK_THROWS_WITH_AS(load_modality_data(retina, with_source("retina", src), 12),
                         doctest::Contains("23_training.bmp: cannot decode image: "), std::runtime_error);
    fs::remove(tmp / "drive/images/23_training.bmp");
    // A 69-byte PNG claiming 20,000 x 20,000 pixels: a named error (OpenCV finds the data short).
    fs::copy_file(ganbench::test::fixtures() / "images/huge_claim.png", tmp / "drive/images/23_training.png");
    CHECK_THROWS_WITH_AS(load_modality_data(retina, with_source("retina", src), 12),
                         doctest::Contains("23_training.png: cannot decode image"), std::runtime_error);
    fs::remove(tmp / "drive/images/23_training.png");
    // DRIVE's GIF masks: say how to convert them.
    write_file_atomic(tmp / "drive/1st_manual/24_manual1.gif", "GIF89a");
    CHECK_THROWS_WITH(load_modality_data(retina, with_source("retina", src), 12),
                      doctest::Contains("convert the masks"));
    fs::remove(tmp / "drive/1st_manual/24_manual1.gif");
    // An image without a mask.
    cv_write(tmp / "drive/images/30_training.png", cv::Mat(10, 12, CV_8UC3, cv::Scalar(0, 0, 0)));
    CHECK_THROWS_WITH(load_modality_data(retina, with_source("retina", src), 12),
                      doctest::Contains("no mask"));
    fs::remove(tmp / "drive/images/30_training.png");
    // Missing and empty folders.
    CHECK_THROWS_WITH(load_modality_data(retina, with_source("retina", source("folder", tmp / "nope")), 12),
                      doctest::Contains("nope: dataset folder not found"));
    fs::create_directories(tmp / "hollow/images");
    fs::create_directories(tmp / "hollow/masks");
    CHECK_THROWS_WITH(load_modality_data(retina, with_source("retina", source("folder", tmp / "hollow")), 12),
                      doctest::Contains("no PNG/TIFF/JPEG/BMP images found"));
    // Multi-class masks hold label values directly; out of range is an error.
    cv_write(tmp / "liv/images/a.png", cv::Mat(8, 8, CV_8U, cv::Scalar(128)));
    cv_write(tmp / "liv/masks/a.png", cv::Mat(8, 8, CV_8U, cv::Scalar(2)));
    const auto& liver = find_modality("liver");
    const ImageSet l = load_modality_data(liver, with_source("liver", source("folder", tmp / "liv")), 8);
    CHECK(l.labels.max().item<int64_t>() == 2);
    CHECK(l.images.max().item<float>() == doctest::Approx(128.0 / 255));
    cv_write(tmp / "liv/masks/a.png", cv::Mat(8, 8, CV_8U, cv::Scalar(5)));
    CHECK_THROWS_WITH(load_modality_data(liver, with_source("liver", source("folder", tmp / "liv")), 8),
                      doctest::Contains("label value 5 out of range"));
  }

  TEST_CASE("preprocessing: percentiles as numpy, square padding, resize modes") {
    std::vector<float> v(101);
    for (int i = 0; i <= 100; ++i) v[i] = static_cast<float>(i);
    normalise_percentiles(v, 1, 99);  // numpy.percentile(range(101), [1, 99]) = [1, 99]
    CHECK(v[0] == 0.0f);
    CHECK(v[50] == doctest::Approx(49.0 / 98));
    CHECK(v[100] == 1.0f);
    std::vector<float> w = {0, 10, 20, 30};
    normalise_percentiles(w, 50, 100);  // median 15 -> 0, max 30 -> 1
    CHECK(w[1] == 0.0f);
    CHECK(w[2] == doctest::Approx(5.0 / 15));
    CHECK_THROWS(normalise_percentiles(w, 60, 50));
    // A 2x4 image is padded to 4x4 (one zero row above and below), then kept at 4.
    const std::vector<float> img = {1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f};
    const auto sq = square_resize_image(img, 2, 4, 1, 4);
    CHECK(sq[0] == 0.0f);
    CHECK(sq[4] == 1.0f);
    CHECK(sq[8] == 0.5f);
    CHECK(sq[12] == 0.0f);
    // Shrinking averages areas: 4x4 -> 2x2.
    const auto half = square_resize_image(sq, 4, 4, 1, 2);
    CHECK(half[0] == doctest::Approx(0.5));
    CHECK(half[2] == doctest::Approx(0.25));
    // Labels stay integers (nearest neighbour).
    const std::vector<uint8_t> lab = {0, 3, 3, 0};
    const auto up = square_resize_labels(lab, 2, 2, 4);
    CHECK(std::set<uint8_t>(up.begin(), up.end()) == std::set<uint8_t>{0, 3});
    CHECK(up[2] == 3);
  }
}

TEST_SUITE("datasets") {
  TEST_CASE("NIfTI volumes (data.dims 3): isotropic resampling, CT window, centred in the cube, spacing kept") {
    TempDir tmp;
    register_builtin_modalities();
    const auto& liver = find_modality("liver");
    NiftiSpec s;  // 8 x 8 x 4 voxels of 1.5 x 1.5 x 3 mm: 12 mm along every axis
    s.nz = 4;
    s.spacing[2] = 3.0f;
    s.srow[2][2] = 3.0f;
    s.slope = 1, s.inter = 0;  // HU = x + 10 y + 100 z
    write_pair(tmp / "lits/volume-0.nii", tmp / "lits/segmentation-0.nii", s, 1);
    write_pair(tmp / "lits/volume-1.nii.gz", tmp / "lits/segmentation-1.nii.gz", s, 2);
    DataConfig d = with_source("liver", source("lits", tmp / "lits"));
    d.dims = 3;
    d.spacing_mm = 1.5;
    d.intensity.ct_window_level = 200, d.intensity.ct_window_width = 400;  // [0, 400] HU -> [0, 1]
    const ImageSet v = load_modality_data(liver, d, 8);
    REQUIRE((v.images.sizes() == torch::IntArrayRef({2, 1, 8, 8, 8})));
    REQUIRE((v.labels.sizes() == torch::IntArrayRef({2, 8, 8, 8})));
    CHECK(v.spacing_mm == 1.5);
    CHECK(v.subjects == std::vector<std::string>{"volume-0", "volume-1"});
    // 4 slices of 3 mm -> 8 of 1.5 mm, trilinear (half-pixel centres): slice 3 lies at input z = 1.25.
    CHECK(v.images[0][0][3][2][3].item<float>() == doctest::Approx((3 + 20 + 125) / 400.0).epsilon(1e-5));
    CHECK(v.images[0][0][0][2][3].item<float>() == doctest::Approx((3 + 20 + 0) / 400.0).epsilon(1e-5));
    // Labels by nearest neighbour: output slices 0-1 come from the empty input slice 0, 2-7 from the squares.
    CHECK(v.labels[0][1][3][3].item<int64_t>() == 0);
    CHECK(v.labels[0][2][3][3].item<int64_t>() == 1);
    CHECK(v.labels[1][7][5][5].item<int64_t>() == 2);
    CHECK(v.labels[1][7][6][6].item<int64_t>() == 0);
    // A 16^3 cube: the 8^3 grid sits in its centre, zero around it.
    const ImageSet padded = load_modality_data(liver, d, 16);
    CHECK(padded.labels[0][4 + 2][4 + 3][4 + 3].item<int64_t>() == 1);
    CHECK(padded.images[0][0][0][0][0].item<float>() == 0.0f);
    CHECK(padded.images[0][0][4 + 3][4 + 2][4 + 3].item<float>() ==
          doctest::Approx(v.images[0][0][3][2][3].item<float>()));
    // A 4^3 cube crops the centre; spacing 0 fits the longest side (12 mm / 4 = 3 mm voxels).
    CHECK(load_modality_data(liver, d, 4).labels[0][0][0][0].item<int64_t>() == 1);  // grid voxel (2, 2, 2)
    d.spacing_mm = 0;
    const ImageSet fit = load_modality_data(liver, d, 4);
    CHECK(fit.spacing_mm == doctest::Approx(3.0));
    CHECK((fit.images.sizes() == torch::IntArrayRef({2, 1, 4, 4, 4})));
    CHECK_NOTHROW(check_image_set(fit, liver.spec.at_size(4, 3), "fit"));
    // A folder of 2-D images holds no volumes.
    DataConfig folder = with_source("liver", source("folder", tmp.path()));
    folder.dims = 3;
    CHECK_THROWS_WITH(load_modality_data(liver, folder, 8), doctest::Contains("holds images, not volumes"));
  }
}
