// ganbench sample (experiments/sample_export): a finished cell exported as nnU-Net, MSD, NIfTI, PNG and .npy
// datasets that ganbench reads back to the sampled arrays; the provenance record; the memorization gate (a
// generator that copies its training images is refused); resume; bad input.
#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <sys/resource.h>

#include <csignal>
#include <mutex>

#include <fmt/format.h>
#include <torch/torch.h>

#include "architectures/gan_base.h"
#include "common/hash.h"
#include "common/npy.h"
#include "datasets/data_source.h"
#include "datasets/modality.h"
#include "datasets/nifti.h"
#include "experiments/config.h"
#include "experiments/sample_export.h"
#include "experiments/sweep.h"
#include "results/results_store.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {

// A generator that memorizes: it keeps the real batches it is trained on and returns them as its samples.
struct BankImpl : torch::nn::Module {
  BankImpl(int64_t cap, int64_t c, int64_t s) {
    images = register_buffer("images", torch::zeros({cap, c, s, s}));
    labels = register_buffer("labels", torch::zeros({cap, s, s}, torch::kInt64));
    count = register_buffer("count", torch::zeros({1}, torch::kInt64));
  }
  torch::Tensor images, labels, count;
};
TORCH_MODULE(Bank);

class Copier : public GanModelBase {
 public:
  explicit Copier(const ArchContext& ctx)
      : GanModelBase(ctx, {}), K_(ctx.modality.num_labels()), bank_(256, ctx.modality.channels, ctx.modality.size) {
    track("generator", *bank_);
  }
  StepStats train_step(const Batch& real) override {
    torch::NoGradGuard ng;
    const int64_t have = bank_->count.item<int64_t>(), take = std::min<int64_t>(real.images.size(0), 256 - have);
    if (take > 0) {
      bank_->images.narrow(0, have, take).copy_(real.images.narrow(0, 0, take).cpu());
      bank_->labels.narrow(0, have, take).copy_(real.labels.narrow(0, 0, take).cpu());
      bank_->count.fill_(have + take);
    }
    return {{{"loss_d", 0.0}, {"loss_g", 0.0}}};
  }
  Sample sample(int64_t n, uint64_t seed) override {
    const int64_t have = std::max<int64_t>(1, bank_->count.item<int64_t>());
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto idx = torch::randint(have, {n}, gen, torch::kInt64);
    Sample s{bank_->images.index_select(0, idx).clone(), bank_->labels.index_select(0, idx).clone(), {}};
    s.label_probs = torch::one_hot(s.labels, K_).permute({0, 3, 1, 2}).to(torch::kFloat32);
    return s;
  }
  int64_t parameter_count() const override { return 0; }

 private:
  int64_t K_;
  Bank bank_;
};

void register_copier() {
  static std::once_flag once;
  std::call_once(once, [] {
    ArchEntry e;
    e.name = "copier_test";
    e.description = "test only: returns the training images it was shown";
    e.citation = "-";
    e.max_size = 64;
    e.create = [](const ArchContext& ctx) -> std::unique_ptr<GanModel> { return std::make_unique<Copier>(ctx); };
    register_architecture(e);
  });
}

// One tiny sweep for every case: DCGAN, the copier and SPADE on cardiac MRI, liver CT and retina.
const fs::path& trained_run() {
  static test::TempDir dir;
  static const fs::path run = [] {
    register_copier();
    SweepConfig c = parse_sweep_config(R"(
name: se
architectures: [dcgan, copier_test, spade]
modalities: [cardiac, liver, retina]
image_size: 32
threads: 2
train: {steps: 12, batch_size: 8, checkpoint_every: 0}
data: {count: 60}
eval: {samples: 64, grid: 4, kid_subsets: 2, kid_subset_size: 16}
arch: {dcgan: {z_dim: 16, base_channels: 8}, spade: {z_dim: 16, base_channels: 8, max_channels: 32, spade_hidden: 16}}
)",
                                       "se.yaml");
    c.output = dir.path();
    RunOptions ro;
    ro.progress = false;
    REQUIRE(run_sweep(c, ro).done == 9);
    return c.run_dir();
  }();
  return run;
}

// Runs sweep `yaml` into `out`; returns its run folder and how many cells finished.
std::pair<fs::path, int> run_yaml(const std::string& yaml, const fs::path& out) {
  SweepConfig c = parse_sweep_config(yaml, "test.yaml");
  c.output = out;
  RunOptions ro;
  ro.progress = false;
  const int done = run_sweep(c, ro).done;
  return {c.run_dir(), done};
}

SampleExportOptions options(const std::string& cell, const fs::path& out, const std::string& format, int64_t n = 6) {
  SampleExportOptions o;
  o.run_dir = trained_run();
  o.cell = cell;
  o.out = out;
  o.format = format;
  o.n = n;
  o.seed = 7;
  o.batch = 4;  // two generator calls for six cases
  return o;
}

// The sampled arrays, as the npy export stores them: [N, C, S, S] float32 and [N, S, S].
std::pair<torch::Tensor, torch::Tensor> npy_cases(const fs::path& dir, int64_t n) {
  std::vector<torch::Tensor> im, lb;
  for (int64_t i = 0; i < n; ++i) {
    const NpyArray a = read_npy(dir / "images" / fmt::format("synth_{:05d}.npy", i));
    const NpyArray b = read_npy(dir / "labels" / fmt::format("synth_{:05d}.npy", i));
    im.push_back(torch::tensor(a.to_floats()).view(a.shape));
    const auto bv = b.to_doubles();
    lb.push_back(torch::tensor(bv).to(torch::kInt64).view(b.shape));
  }
  return {torch::stack(im), torch::stack(lb)};
}

ImageSet read_back(const std::string& modality, const std::string& format, const fs::path& path, bool unit_range) {
  DataConfig d;
  SourceConfig s;
  s.format = format;
  s.path = path;
  s.skip_empty = false;
  s.unit_range = unit_range;
  d.sources[modality] = s;
  return load_modality_data(find_modality(modality), d, 32);
}

std::string file_bytes(const fs::path& p) { return read_file(p); }

// Every case file of an export (provenance.json and README.txt carry a timestamp and are left out).
std::map<std::string, std::string> case_files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && n != "provenance.json" && n != "README.txt")
      out[fs::relative(e.path(), dir).string()] = file_bytes(e.path());
  }
  return out;
}

}  // namespace

TEST_SUITE("experiments") {
  TEST_CASE("sample: an nnU-Net v2 export of an MR cell has the documented dataset.json and reads back to the sampled arrays") {
    test::TempDir tmp;
    const fs::path ds = tmp / "Dataset501_SynthCardiac";
    const auto r = sample_export(options("dcgan-cardiac-s0", ds, "nnunet"));
    CHECK(r.written == 6);
    sample_export(options("dcgan-cardiac-s0", tmp / "npy", "npy"));
    // dataset.json: the fields and types of nnU-Net v2's documentation/dataset_format.md.
    const YAML::Node j = YAML::LoadFile((ds / "dataset.json").string());
    REQUIRE(j["channel_names"].IsMap());
    CHECK(j["channel_names"].size() == 1);
    CHECK(j["channel_names"]["0"].as<std::string>() == "MRI");
    REQUIRE(j["labels"].IsMap());
    const auto& names = find_modality("cardiac").spec.labels;
    CHECK(j["labels"].size() == names.size());
    CHECK(j["labels"]["background"].as<int>() == 0);
    for (size_t k = 1; k < names.size(); ++k) CHECK(j["labels"][names[k]].as<int>() == static_cast<int>(k));
    CHECK(j["numTraining"].as<int>() == 6);
    CHECK(j["file_ending"].as<std::string>() == ".nii.gz");
    for (int i = 0; i < 6; ++i) {
      CHECK(fs::is_regular_file(ds / "imagesTr" / fmt::format("synth_{:05d}_0000.nii.gz", i)));
      CHECK(fs::is_regular_file(ds / "labelsTr" / fmt::format("synth_{:05d}.nii.gz", i)));
    }
    // The header: float32 image, uint8 labels, one slice, the marker, identity orientation.
    const Volume im = read_nifti(ds / "imagesTr" / "synth_00000_0000.nii.gz");
    const Volume lb = read_nifti(ds / "labelsTr" / "synth_00000.nii.gz");
    CHECK(im.datatype == "FLOAT32");
    CHECK(lb.datatype == "UINT8");
    CHECK(im.nx == 32);
    CHECK(im.nz == 1);
    check_same_geometry(im, lb);
    // Read back by the nnunet source (MR as written: unit_range) they are the sampled arrays, exactly.
    const auto [images, labels] = npy_cases(tmp / "npy", 6);
    const ImageSet back = read_back("cardiac", "nnunet", ds, true);
    REQUIRE(back.size() == 6);
    CHECK(back.subjects.front() == "synth_00000");
    CHECK((back.images - images).abs().max().item<float>() == 0.0f);
    CHECK(torch::equal(back.labels, labels));
    // And a sweep trains on it.
    SweepConfig c = parse_sweep_config(fmt::format(R"(
name: back
architectures: [dcgan]
modalities: [cardiac]
image_size: 32
threads: 2
train: {{steps: 2, batch_size: 2, checkpoint_every: 0}}
data: {{sources: {{cardiac: {{format: nnunet, path: {}, unit_range: true, skip_empty: false}}}}, test_fraction: 0.34, val_fraction: 0}}
eval: {{samples: 8, grid: 2, kid_subsets: 2, kid_subset_size: 2}}
arch: {{dcgan: {{z_dim: 8, base_channels: 8}}}}
)",
                                                   ds.string()),
                                       "back.yaml");
    c.output = tmp / "runs";
    RunOptions ro;
    ro.progress = false;
    CHECK(run_sweep(c, ro).done == 1);
    CHECK(read_file(c.run_dir() / "data" / "cardiac_split.csv").find("synth_00005,") != std::string::npos);
  }

  TEST_CASE("sample: CT in HU through MSD, with the datalist MONAI reads; PNG within its rounding; RGB as three nnU-Net channels") {
    test::TempDir tmp;
    sample_export(options("dcgan-liver-s0", tmp / "msd", "msd"));
    sample_export(options("dcgan-liver-s0", tmp / "npy", "npy"));
    const auto [images, labels] = npy_cases(tmp / "npy", 6);
    // HU on disk: the window's range, not [0, 1].
    const Volume v = read_nifti(tmp / "msd" / "imagesTr" / "synth_00000.nii.gz");
    const auto [lo, hi] = std::minmax_element(v.data.begin(), v.data.end());
    const SweepConfig cell = load_sweep_config(trained_run() / "cells" / "dcgan-liver-s0" / "config.yaml");
    const double w = cell.data.intensity.ct_window_width, hu0 = cell.data.intensity.ct_window_level - w / 2;
    CHECK(*lo >= hu0 - 1e-3);
    CHECK(*hi <= hu0 + w + 1e-3);
    double mean_hu = 0;  // HU = the window's low end + value x width (orientation aside: compare means)
    for (float x : v.data) mean_hu += x;
    mean_hu /= static_cast<double>(v.data.size());
    CHECK(mean_hu == doctest::Approx(hu0 + w * images[0].mean().item<double>()).epsilon(1e-5));
    const ImageSet back = read_back("liver", "msd", tmp / "msd", false);  // the CT window maps HU back
    REQUIRE(back.size() == 6);
    CHECK((back.images - images).abs().max().item<float>() < 1e-5f);
    CHECK(torch::equal(back.labels, labels));
    // The MSD dataset.json as monai.data.load_decathlon_datalist reads it: "training" items whose "image"
    // and "label", joined to the file's folder, are the files.
    const YAML::Node j = YAML::LoadFile((tmp / "msd" / "dataset.json").string());
    CHECK(j["numTraining"].as<int>() == 6);
    CHECK(j["modality"]["0"].as<std::string>() == "CT");
    CHECK(j["labels"]["0"].as<std::string>() == "background");
    REQUIRE(j["training"].IsSequence());
    CHECK(j["training"].size() == 6);
    for (const auto& item : j["training"]) {
      CHECK(fs::is_regular_file((tmp / "msd" / item["image"].as<std::string>()).lexically_normal()));
      CHECK(fs::is_regular_file((tmp / "msd" / item["label"].as<std::string>()).lexically_normal()));
    }
    // PNG, 16 and 8 bits: a folder source (images/, masks/) reads it back within half a step.
    for (int bits : {16, 8}) {
      auto o = options("dcgan-liver-s0", tmp / fmt::format("png{}", bits), "png");
      o.bits = bits;
      sample_export(o);
      const ImageSet p = read_back("liver", "folder", o.out, false);
      REQUIRE(p.size() == 6);
      CHECK((p.images - images).abs().max().item<float>() <= 0.5f / (bits == 16 ? 65535 : 255) + 1e-6f);
      CHECK(torch::equal(p.labels, labels));
    }
    // Retina (RGB): one nnU-Net file per channel, named R, G, B; the one-channel MSD layout refuses it.
    sample_export(options("dcgan-retina-s0", tmp / "Dataset502_SynthRetina", "nnunet", 2));
    for (int c = 0; c < 3; ++c) CHECK(fs::is_regular_file(tmp / "Dataset502_SynthRetina" / "imagesTr" / fmt::format("synth_00001_{:04d}.nii.gz", c)));
    const YAML::Node rj = YAML::LoadFile((tmp / "Dataset502_SynthRetina" / "dataset.json").string());
    CHECK(rj["channel_names"]["2"].as<std::string>() == "B");
    CHECK_THROWS_WITH(sample_export(options("dcgan-retina-s0", tmp / "rmsd", "msd")), doctest::Contains("3 channels"));
    CHECK(!fs::exists(tmp / "rmsd"));
  }

  TEST_CASE("sample: a volume cell exports 3-D NIfTI in HU at the phantom's spacing, read back by the MSD volume loader") {
    test::TempDir tmp;
    const auto [run, done] = run_yaml(R"(
name: vol
architectures: [dcgan3d]
modalities: [liver]
image_size: 16
threads: 2
train: {steps: 2, batch_size: 4, checkpoint_every: 0}
data: {dims: 3, count: 30}
eval: {samples: 16, grid: 2, kid_subsets: 2, kid_subset_size: 8}
arch: {dcgan3d: {z_dim: 8, base_channels: 8}}
)",
                                      tmp / "runs");
    REQUIRE(done == 1);
    auto o = options("dcgan3d-liver-s0", tmp / "msd", "msd", 3);
    o.run_dir = run;
    o.allow_near_copies = true;  // 2 steps: whatever the audit says, the export is what is tested
    sample_export(o);
    auto n = o;
    n.out = tmp / "npy";
    n.format = "npy";
    sample_export(n);
    const Volume v = read_nifti(o.out / "imagesTr" / "synth_00002.nii.gz");
    CHECK(v.nx == 16);
    CHECK(v.nz == 16);
    CHECK(v.spacing[2] == doctest::Approx(400.0 / 16));  // the 3-D liver phantom's 400 mm field of view
    const NpyArray a = read_npy(n.out / "images" / "synth_00002.npy");
    CHECK(a.shape == std::vector<int64_t>{1, 16, 16, 16});
    DataConfig d;
    d.dims = 3;
    SourceConfig s;
    s.format = "msd";
    s.path = o.out;
    d.sources["liver"] = s;
    const ImageSet back = load_modality_data(find_modality("liver"), d, 16);
    REQUIRE(back.size() == 3);
    CHECK(back.spacing_mm == doctest::Approx(25.0));
    const auto want = torch::tensor(a.to_floats()).view(a.shape);
    CHECK((back.images[2] - want).abs().max().item<float>() < 1e-5f);
  }

  TEST_CASE("sample: the same command gives the same bytes; --resume completes a killed export to them") {
    test::TempDir tmp;
    const auto a = options("dcgan-cardiac-s0", tmp / "Dataset501_A", "nnunet");
    auto b = a;
    b.out = tmp / "again" / "Dataset501_A";  // the same name: dataset.json holds it
    sample_export(a);
    sample_export(b);
    const auto fa = case_files(a.out);
    CHECK(fa.size() == 2 * 6 + 2);  // images, labels, dataset.json, .ganbench-export
    CHECK(fa == case_files(b.out));
    // Another seed draws other latents.
    auto c = a;
    c.out = tmp / "Dataset501_C";
    c.seed = 8;
    sample_export(c);
    CHECK(file_bytes(c.out / "imagesTr" / "synth_00000_0000.nii.gz") != fa.at("imagesTr/synth_00000_0000.nii.gz"));
    // A killed export: cases of both generator calls gone, a temp file left, no dataset.json yet.
    fs::remove(b.out / "labelsTr" / "synth_00001.nii.gz");
    fs::remove(b.out / "imagesTr" / "synth_00005_0000.nii.gz");
    fs::remove(b.out / "dataset.json");
    fs::remove(b.out / "provenance.json");
    write_file_atomic(b.out / "imagesTr" / ".synth_00002_0000.nii.gz.tmp.1.0", "half");
    CHECK_THROWS_WITH(sample_export(b), doctest::Contains("--resume"));
    b.resume = true;
    const auto r = sample_export(b);
    CHECK(r.written == 2);
    CHECK(r.skipped == 4);
    CHECK(case_files(b.out) == fa);
  }

  TEST_CASE("sample: a full disk stops the export naming the case, leaves no half-written case, and --resume completes it") {
    // RLIMIT_FSIZE makes writes fail part-way (EFBIG), as a full disk (ENOSPC) does; set once the database is read.
    test::TempDir tmp;
    for (const auto& [format, limit] : {std::pair<std::string, rlim_t>{"npy", 1024}, {"nnunet", 4096}}) {
      CAPTURE(format);
      const auto ref = options("dcgan-cardiac-s0", tmp / ("ref_" + format) / "Dataset501_D", format);
      sample_export(ref);
      auto o = ref;
      o.out = tmp / ("full_" + format) / "Dataset501_D";
      rlimit old{};
      ::getrlimit(RLIMIT_FSIZE, &old);
      auto prev = std::signal(SIGXFSZ, SIG_IGN);
      o.before_write = [&] {
        rlimit small = old;
        small.rlim_cur = limit;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
      };
      std::string err;
      try {
        sample_export(o);
      } catch (const std::exception& e) {
        err = e.what();
      }
      ::setrlimit(RLIMIT_FSIZE, &old);
      std::signal(SIGXFSZ, prev);
      CHECK(test::contains(err, "File too large"));
      // npy: 4 KiB of pixels per case stop the first case; nnU-Net's small cases pass and provenance.json stops it.
      CHECK(test::contains(err, format == "npy" ? "case synth_00000" : "provenance.json"));
      for (const auto& e : fs::recursive_directory_iterator(o.out)) CHECK(!is_temp_file(e.path()));
      if (format == "npy") CHECK(fs::is_empty(o.out / "images"));
      if (format == "npy") CHECK(fs::is_empty(o.out / "labels"));
      o.before_write = nullptr;
      o.resume = true;
      sample_export(o);
      CHECK(case_files(o.out) == case_files(ref.out));
    }
  }

  TEST_CASE("sample: the provenance record names the model, its checkpoint, the data, the sampling and the stored metrics") {
    test::TempDir tmp;
    const auto o = options("dcgan-cardiac-s0", tmp / "Dataset501_P", "nnunet");
    sample_export(o);
    const YAML::Node p = YAML::LoadFile((o.out / "provenance.json").string());
    CHECK(p["synthetic"].as<bool>());
    ResultsStore store(trained_run() / "results.db", false);
    const CellRecord rec = *store.find_cell("dcgan-cardiac-s0");
    CHECK(p["cell"]["id"].as<std::string>() == "dcgan-cardiac-s0");
    CHECK(p["cell"]["config_hash"].as<std::string>() == rec.config_hash);
    CHECK(p["config"].as<std::string>() == rec.config_yaml);
    const fs::path ckpt = trained_run() / "cells" / "dcgan-cardiac-s0" / "checkpoints" / "step_00000012.pt";
    CHECK(p["checkpoint"]["sha256"].as<std::string>() == sha256_file(ckpt));
    CHECK(p["checkpoint"]["sha256_verified"].as<bool>());
    CHECK(p["checkpoint"]["step"].as<int>() == 12);
    CHECK(p["training_data"]["format"].as<std::string>() == "phantom");
    // The training subjects are counted and hashed (never listed), from the run's recorded split.
    const std::string split = read_file(trained_run() / "data" / "cardiac_split.csv");
    int train = 0;
    std::string ids;
    for (size_t at = split.find('\n') + 1; at < split.size();) {
      const size_t e = split.find('\n', at);
      const std::string line = split.substr(at, e - at);
      if (line.find(",train,") != std::string::npos) ++train, ids += line.substr(0, line.find(',')) + "\n";
      at = e + 1;
    }
    CHECK(p["training_data"]["subjects"].as<int>() == train);
    CHECK(p["training_data"]["subject_ids_sha256"].as<std::string>() == sha256_hex(ids));
    CHECK(p["sampling"]["seed"].as<int>() == 7);
    CHECK(p["sampling"]["batch"].as<int>() == 4);
    CHECK(p["gate"]["passed"].as<bool>());
    CHECK(!p["gate"]["override"].as<bool>());
    std::map<std::string, double> metrics;
    for (const auto& m : p["metrics"]) metrics[m["name"].as<std::string>()] = m["value"].as<double>();
    for (const auto& r : store.metrics("dcgan-cardiac-s0"))
      if (r.step == 12 && (r.name == "fd_handcrafted" || r.name == "memorization_near_copy_fraction_pixels" ||
                           r.name == "precision_handcrafted"))
        CHECK(metrics.at(r.name) == doctest::Approx(r.value).epsilon(1e-12));
    CHECK(metrics.count("train_seconds") == 0);  // costs and losses are not validation
    CHECK(read_file(o.out / "README.txt").find("SYNTHETIC DATA") == 0);
    // The nibabel reading of this export's first pair (tests/fixtures/sample_export/README.md).
    const YAML::Node fx = YAML::LoadFile((test::fixtures() / "sample_export" / "nibabel_read.json").string());
    for (const char* part : {"image", "label"}) {
      const Volume v = read_nifti(o.out / (std::string(part) == "image" ? "imagesTr/synth_00000_0000.nii.gz" : "labelsTr/synth_00000.nii.gz"));
      const YAML::Node f = fx[part];
      CHECK(v.nx == f["shape"][0].as<int>());
      CHECK(v.ny == f["shape"][1].as<int>());
      CHECK(v.nz == f["shape"][2].as<int>());
      for (int k = 0; k < 3; ++k) CHECK(v.spacing[k] == doctest::Approx(f["zooms"][k].as<double>()));
      CHECK(v.datatype == (f["dtype"].as<std::string>() == "float32" ? "FLOAT32" : "UINT8"));
      for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) CHECK(v.affine[r * 4 + c] == doctest::Approx(f["affine"][r][c].as<double>()));
      CHECK(f["descrip"].as<std::string>() == "ganbench synthetic dcgan-cardiac-s0");
    }
  }

  TEST_CASE("sample: the memorization gate refuses a generator that copies its training images") {
    test::TempDir tmp;
    auto o = options("copier_test-cardiac-s0", tmp / "Dataset503_Copies", "nnunet");
    CHECK_THROWS_WITH(sample_export(o), doctest::Contains("is 1.000, above the gate's 0.100"));
    CHECK(!fs::exists(o.out));  // refused before anything is written
    o.allow_near_copies = true;
    sample_export(o);
    const YAML::Node p = YAML::LoadFile((o.out / "provenance.json").string());
    CHECK(!p["gate"]["passed"].as<bool>());
    CHECK(p["gate"]["override"].as<bool>());
    CHECK(p["gate"]["audit"]["memorization_near_copy_fraction_pixels"].as<double>() == 1.0);
    CHECK(read_file(o.out / "README.txt").find("OVERRIDDEN with --allow-near-copies") != std::string::npos);
    // --dedupe-against-train drops every copy (distance 0) of the copier and none of DCGAN's.
    auto d = options("copier_test-cardiac-s0", tmp / "Dataset504_Dedupe", "nnunet");
    d.allow_near_copies = true;
    d.dedupe = 1e-3;
    const auto r = sample_export(d);
    CHECK(r.dropped == 6);
    CHECK(r.written == 0);
    CHECK(YAML::LoadFile((d.out / "dataset.json").string())["numTraining"].as<int>() == 0);
    // SPADE pairs each synthetic image with a real training label map: refused for that reason by name, whatever
    // its images' audit says; its labels-space audit (1 by construction) is in the record.
    auto sp = options("spade-cardiac-s0", tmp / "Dataset506_Spade", "nnunet");
    CHECK_THROWS_WITH(sample_export(sp), doctest::Contains("spade is label-conditioned"));
    sp.allow_near_copies = true;
    sample_export(sp);
    const YAML::Node sprov = YAML::LoadFile((sp.out / "provenance.json").string());
    CHECK(sprov["gate"]["override"].as<bool>());
    CHECK(sprov["gate"]["audit"]["memorization_near_copy_fraction_labels"].as<double>() == 1.0);
    auto g = options("dcgan-cardiac-s0", tmp / "Dataset505_Fresh", "nnunet");
    g.dedupe = 1e-3;
    CHECK(sample_export(g).dropped == 0);
  }

  TEST_CASE("sample: bad input is named and leaves nothing half-written") {
    test::TempDir tmp;
    CHECK_THROWS_WITH(sample_export(options("nosuch-cardiac-s0", tmp / "Dataset501_X", "nnunet")), doctest::Contains("no cell 'nosuch-cardiac-s0'"));
    CHECK_THROWS_WITH(sample_export(options("dcgan-cardiac-s0", tmp / "Dataset501_X", "dicom")), doctest::Contains("unknown --format 'dicom'"));
    CHECK_THROWS_WITH(sample_export(options("dcgan-cardiac-s0", tmp / "synthetic", "nnunet")), doctest::Contains("DatasetXXX_Name"));
    auto t = options("dcgan-cardiac-s0", tmp / "Dataset501_X", "nnunet");
    t.truncation = 0.7;
    CHECK_THROWS_WITH(sample_export(t), doctest::Contains("--truncation needs a style mapping network"));
    // A folder with other files, and one that holds another export.
    fs::create_directories(tmp / "Dataset501_Busy");
    write_file_atomic(tmp / "Dataset501_Busy" / "notes.txt", "mine");
    CHECK_THROWS_WITH(sample_export(options("dcgan-cardiac-s0", tmp / "Dataset501_Busy", "nnunet")), doctest::Contains("not empty"));
    CHECK(read_file(tmp / "Dataset501_Busy" / "notes.txt") == "mine");
    sample_export(options("dcgan-cardiac-s0", tmp / "Dataset501_Other", "nnunet", 2));
    auto other = options("dcgan-liver-s0", tmp / "Dataset501_Other", "nnunet", 2);
    other.resume = true;
    CHECK_THROWS_WITH(sample_export(other), doctest::Contains("holds another export (of cell dcgan-cardiac-s0"));
    // A copy of the run whose checkpoint changed after the cell finished, and whose other cell failed.
    const fs::path run = tmp / "run";
    fs::copy(trained_run(), run, fs::copy_options::recursive);
    const fs::path ckpt = run / "cells" / "dcgan-cardiac-s0" / "checkpoints" / "step_00000012.pt";
    std::string bytes = read_file(ckpt);
    bytes[bytes.size() / 2] ^= 1;
    write_file_atomic(ckpt, bytes);
    auto tampered = options("dcgan-cardiac-s0", tmp / "Dataset501_T", "nnunet");
    tampered.run_dir = run;
    CHECK_THROWS_WITH(sample_export(tampered), doctest::Contains("the cell recorded"));
    {
      ResultsStore store(run / "results.db", false);
      store.fail_cell("dcgan-liver-s0", "test", 0);
    }
    auto failed = options("dcgan-liver-s0", tmp / "Dataset501_F", "nnunet");
    failed.run_dir = run;
    CHECK_THROWS_WITH(sample_export(failed), doctest::Contains("is failed, not done"));
    // A translation cell: `ganbench translate` applies those.
    const auto [trun, tdone] = run_yaml(R"(
name: tr
task: translation
architectures: [identity]
translation: {from: degraded, to: liver}
image_size: 32
threads: 2
train: {steps: 1, batch_size: 4, checkpoint_every: 0}
data: {count: 30}
eval: {grid: 4, kid_subsets: 2, kid_subset_size: 4}
)",
                                        tmp / "runs");
    REQUIRE(tdone == 1);
    auto tr = options("identity-degraded2liver-s0", tmp / "Dataset501_R", "nnunet");
    tr.run_dir = trun;
    CHECK_THROWS_WITH(sample_export(tr), doctest::Contains("translation cell; ganbench translate"));
    for (const char* d : {"Dataset501_X", "Dataset501_T", "Dataset501_F", "Dataset501_R"}) CHECK(!fs::exists(tmp / d));
  }
}
