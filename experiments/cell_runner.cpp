#include "experiments/cell_runner.h"

#include <unistd.h>

#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <torch/torch.h>

#include "architectures/registry.h"
#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/npy.h"
#include "common/runtime.h"
#include "experiments/trainer.h"
#include "metrics/feature_extractor.h"
#include "metrics/frechet.h"
#include "metrics/kid.h"
#include "metrics/precision_recall.h"
#include "segmentation/unet_extractor.h"

namespace ganbench {
namespace fs = std::filesystem;

namespace {
constexpr uint64_t kEvalSeedSalt = 0xE7A1;  // latents for scoring: the same at step 0 and at the end
constexpr uint64_t kKidSeedSalt = 0x41D;    // KID subset draws

std::string hostname() {
  char buf[256] = {0};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? buf : "unknown";
}

void save_samples(const fs::path& dir, const std::string& stem, const Sample& s, int64_t n) {
  auto img = s.images.slice(0, 0, n).contiguous();
  auto lab = s.labels.slice(0, 0, n).to(torch::kUInt8).contiguous();
  std::vector<float> iv(img.data_ptr<float>(), img.data_ptr<float>() + img.numel());
  std::vector<uint8_t> lv(lab.data_ptr<uint8_t>(), lab.data_ptr<uint8_t>() + lab.numel());
  write_npy(dir / (stem + "_images.npy"),
            NpyArray::from_floats(iv, {img.size(0), img.size(1), img.size(2), img.size(3)}));
  write_npy(dir / (stem + "_labels.npy"), NpyArray::from_bytes(lv, {lab.size(0), lab.size(1), lab.size(2)}));
}

// Fraction of label maps without any foreground pixel: a GAN that stopped drawing anatomy.
double degenerate_fraction(const torch::Tensor& labels) {
  auto fg = (labels > 0).reshape({labels.size(0), -1}).any(1);
  return 1.0 - fg.to(torch::kFloat64).mean().item<double>();
}

}  // namespace

const Splits& DataCache::splits(const std::string& modality) {
  auto it = splits_.find(modality);
  if (it != splits_.end()) return it->second;
  const auto& entry = find_modality(modality);
  const auto t0 = std::chrono::steady_clock::now();
  ImageSet all = load_modality_data(entry, cfg_.data, static_cast<int>(cfg_.image_size));
  ModalitySpec spec = entry.spec;
  spec.size = static_cast<int>(cfg_.image_size);
  const std::string source = cfg_.data.source_for(modality).format;
  check_image_set(all, spec, fmt::format("{} '{}'", source, modality));
  Splits s = split_by_subject(all, cfg_.data.seed, {cfg_.data.val_fraction, cfg_.data.test_fraction});
  if (s.train.size() < 2 || s.test.size() < 2)
    throw std::runtime_error(fmt::format(
        "{} {}: the subject split leaves {} training and {} test images; scoring needs at least 2 of each "
        "(more subjects, or a larger data.test_fraction)",
        modality, source, s.train.size(), s.test.size()));
  if (!record_dir_.empty()) {
    std::map<std::string, std::pair<std::string, int>> rows;  // subject -> (split, images)
    for (const auto& [name, part] :
         {std::pair<const char*, const ImageSet*>{"train", &s.train}, {"val", &s.val}, {"test", &s.test}})
      for (const auto& subj : part->subjects) {
        rows[subj].first = name;
        ++rows[subj].second;
      }
    std::string csv = "subject,split,images\n";
    for (const auto& [subj, r] : rows) csv += fmt::format("{},{},{}\n", subj, r.first, r.second);
    fs::create_directories(record_dir_);
    write_file_atomic(record_dir_ / (modality + "_split.csv"), csv);
  }
  fmt::print(stderr, "ganbench: {} {}: {} images ({} train / {} val / {} test) in {:.1f}s\n", modality,
             source, all.size(), s.train.size(), s.val.size(), s.test.size(),
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return splits_.emplace(modality, std::move(s)).first->second;
}

FeatureExtractor* DataCache::extractor(const std::string& name) {
  if (auto it = extractors_.find(name); it != extractors_.end()) return it->second.get();
  ExtractorOptions opts;
  opts.inception_weights = cfg_.eval.inception_weights;
  opts.inception_dims = cfg_.eval.inception_dims;
  opts.device = device_;
  std::unique_ptr<FeatureExtractor> ex;
  try {
    ex = make_feature_extractor(name, opts);
  } catch (const ExtractorUnavailable& e) {
    fmt::print(stderr, "ganbench: {}; its metrics are left out\n", e.what());
  }
  return extractors_.emplace(name, std::move(ex)).first->second.get();
}

fs::path feature_cache_dir(const std::string& setting) {
  if (setting.empty()) return {};
  if (setting != "auto") return setting;
  const fs::path base = user_cache_dir();
  return base.empty() ? base : base / "features";
}

const torch::Tensor& DataCache::real_features(const std::string& modality, const std::string& name) {
  const std::string key = modality + "/" + name;
  if (auto it = feats_.find(key); it != feats_.end()) return it->second;
  FeatureExtractor* ex = extractor(name);
  if (!ex) throw std::logic_error("real_features: extractor '" + name + "' is unavailable");
  const torch::Tensor& images = splits(modality).train.images;
  // Features of real data are cached on disk by content: the images' bytes and the extractor's key.
  const fs::path dir = feature_cache_dir(cfg_.eval.feature_cache);
  fs::path file;
  if (!dir.empty()) {
    auto c = images.contiguous();
    const uint64_t h = fnv1a64(std::string_view(static_cast<const char*>(c.data_ptr()), c.nbytes()),
                               fnv1a64(ex->cache_key()));
    file = dir / fmt::format("{}-{}.npy", ex->cache_key(), hex64(h));
    std::error_code ec;
    if (fs::exists(file, ec)) {
      try {
        const NpyArray a = read_npy(file);
        if (a.shape.size() == 2 && a.shape[0] == images.size(0)) {
          auto v = a.to_floats();
          return feats_
              .emplace(key, torch::from_blob(v.data(), {a.shape[0], a.shape[1]}, torch::kFloat32).clone())
              .first->second;
        }
      } catch (const std::exception& e) {
        fmt::print(stderr, "ganbench: ignoring unreadable feature cache {}: {}\n", file.string(), e.what());
      }
    }
  }
  torch::Tensor f = ex->extract(images).to(torch::kCPU, torch::kFloat32).contiguous();
  if (!file.empty()) {
    try {
      fs::create_directories(file.parent_path());
      write_npy(file, NpyArray::from_floats(
                          std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel()),
                          {f.size(0), f.size(1)}));
    } catch (const std::exception& e) {
      fmt::print(stderr, "ganbench: could not write feature cache {}: {}\n", file.string(), e.what());
    }
  }
  return feats_.emplace(key, f).first->second;
}

const FeatureStats& DataCache::real_stats(const std::string& modality, const std::string& extractor) {
  const std::string key = modality + "/" + extractor;
  if (auto it = stats_.find(key); it != stats_.end()) return it->second;
  return stats_.emplace(key, compute_stats(to_eigen(real_features(modality, extractor)))).first->second;
}

double DataCache::real_floor(const std::string& modality, const std::string& extractor) {
  const std::string key = modality + "/" + extractor;
  if (auto it = floors_.find(key); it != floors_.end()) return it->second;
  const double fd =
      frechet_distance(real_stats(modality, extractor),
                       extract_stats(*this->extractor(extractor), splits(modality).test.images));
  return floors_.emplace(key, fd).first->second;
}

const SegScore& DataCache::seg_baseline(const std::string& modality, uint64_t seed) {
  const std::string key = fmt::format("{}/{}", modality, seed);
  if (auto it = seg_baselines_.find(key); it != seg_baselines_.end()) return it->second;
  const Splits& s = splits(modality);
  ModalitySpec spec = find_modality(modality).spec;
  spec.size = static_cast<int>(cfg_.image_size);
  UNet net{nullptr};
  SegScore score =
      train_and_score(s.train, s.val, s.test, spec, cfg_.segmentation, mix_seed(seed, 0x5E9), device_, &net);
  seg_nets_.emplace(key, net);
  return seg_baselines_.emplace(key, std::move(score)).first->second;
}

UNet DataCache::seg_baseline_net(const std::string& modality, uint64_t seed) {
  seg_baseline(modality, seed);
  return seg_nets_.at(fmt::format("{}/{}", modality, seed));
}

double peak_rss_mib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  return NAN;
}

void reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";  // resets VmHWM to the current RSS (Linux >= 4.0); ignored where not permitted
}

void run_cell(const CellEnv& env, const Cell& cell) {
  const auto t_start = std::chrono::steady_clock::now();
  reset_peak_rss();
  const auto& cfg = env.cfg;
  const fs::path rel_dir = fs::path("cells") / cell.id;
  const fs::path dir = env.run_dir / rel_dir;
  fs::create_directories(dir);
  const std::string yaml = cell_config_yaml(cfg, cell);
  write_file_atomic(dir / "config.yaml", yaml);

  CellRecord rec;
  rec.id = cell.id;
  rec.sweep = cfg.name;
  rec.architecture = cell.architecture;
  rec.modality = cell.modality;
  rec.seed = static_cast<int64_t>(cell.seed);
  rec.config_hash = cell_config_hash(cfg, cell);
  rec.config_yaml = yaml;
  rec.started = utc_now_iso();
  rec.host = hostname();
  rec.device = env.device.str();
  rec.threads = env.threads;
  env.store.begin_cell(rec);

  const Splits& data = env.data.splits(cell.modality);
  {
    const int64_t n = std::min<int64_t>(cfg.eval.grid, data.train.size());
    save_samples(dir, "real", {data.train.images, data.train.labels, {}}, n);
  }
  ModalitySpec spec = find_modality(cell.modality).spec;
  spec.size = static_cast<int>(cfg.image_size);
  ArchContext ctx;
  ctx.modality = spec;
  ctx.device = env.device;
  ctx.seed = cell.seed;
  {
    AugmentConfig ag = cfg.train.augment;
    ctx.augment = std::make_shared<DInputAugment>(ag, spec.channels, spec.channels + spec.num_labels());
  }
  if (auto it = cfg.arch.find(cell.architecture); it != cfg.arch.end()) ctx.options = it->second;
  auto model = create_architecture(cell.architecture, ctx);

  const uint64_t eval_seed = mix_seed(cell.seed, kEvalSeedSalt);
  const fs::path ckpt_dir = dir / "checkpoints";
  std::vector<MetricRow> rows;
  auto score = [&](int64_t step, bool final) -> Sample {
    Sample s = model->sample(cfg.eval.samples, eval_seed);
    for (const auto& name : cfg.eval.extractors) {
      FeatureExtractor* ex = env.data.extractor(name);
      if (!ex) continue;  // unavailable here (hint printed once); no number rather than a wrong one
      auto feats = ex->extract(s.images);
      const auto fake = to_eigen(feats);
      rows.push_back({cell.id, ex->distance_metric(), step,
                      frechet_distance(env.data.real_stats(cell.modality, name), compute_stats(fake))});
      if (final) {
        const Eigen::MatrixXd real = to_eigen(env.data.real_features(cell.modality, name));
        const auto kid =
            kernel_inception_distance(real, fake, static_cast<int>(cfg.eval.kid_subsets),
                                      cfg.eval.kid_subset_size, mix_seed(cell.seed, kKidSeedSalt));
        const auto pr = precision_recall(real, fake, 3);
        rows.push_back({cell.id, "precision_" + name, step, pr.precision});
        rows.push_back({cell.id, "recall_" + name, step, pr.recall});
        rows.push_back({cell.id, ex->kid_metric(), step, kid.mean});
        rows.push_back({cell.id, ex->kid_metric() + "_std", step, kid.std});
        rows.push_back(
            {cell.id, ex->distance_metric() + "_real_floor", step, env.data.real_floor(cell.modality, name)});
      }
    }
    rows.push_back({cell.id, "degenerate_label_fraction", step, degenerate_fraction(s.labels)});
    save_samples(dir, final ? "samples" : "samples_step0", s, cfg.eval.grid);
    return s;
  };

  const bool fresh = !latest_checkpoint(ckpt_dir).has_value();
  if (fresh) {
    score(0, false);
    env.store.add_metrics(rows);
    rows.clear();
  }

  TrainerOptions topts;
  topts.steps = cfg.train.steps;
  topts.batch_size = cfg.train.batch_size;
  topts.checkpoint_every = cfg.train.checkpoint_every;
  topts.log_every = cfg.train.log_every;
  topts.seed = cell.seed;
  topts.checkpoint_dir = ckpt_dir;
  topts.label = cell.id;
  topts.progress = env.progress;
  topts.augment = ctx.augment;
  TrainerHooks hooks;
  hooks.on_log = [&](int64_t step, const StepStats& st) {
    for (const auto& [name, value] : st.values) rows.push_back({cell.id, "train/" + name, step, value});
  };
  hooks.on_checkpoint = [&](int64_t) {  // losses so far survive a crash with their checkpoint
    env.store.add_metrics(rows);
    rows.clear();
  };
  const TrainResult tr = train_gan(*model, data.train, topts, hooks);

  const Sample final_samples = score(cfg.train.steps, true);
  if (cfg.segmentation.enabled) {
    // Segmentation protocol: the same U-Net recipe on real, synthetic and mixed training sets, each scored
    // on the real test split; deltas are against the real-only baseline (negative = augmentation hurt).
    const int64_t step = cfg.train.steps;
    const auto& sg = cfg.segmentation;
    const int64_t n = data.train.size();
    double max_ratio = 1.0;
    for (double r : sg.ratios) max_ratio = std::max(max_ratio, r);
    const Sample syn =
        model->sample(static_cast<int64_t>(std::llround(max_ratio * n)), mix_seed(cell.seed, 0x5A11));
    ImageSet synthetic{syn.images.contiguous(), syn.labels.contiguous(), {}};
    for (int64_t i = 0; i < synthetic.size(); ++i)
      synthetic.subjects.push_back(fmt::format("synthetic{:06d}", i));
    const uint64_t useed = mix_seed(cell.seed, 0x5E9);  // every arm starts from the same U-Net weights
    auto put = [&](const std::string& arm, const SegScore& s, const SegScore& base) {
      rows.push_back({cell.id, "seg_dice_" + arm, step, s.dice});
      rows.push_back({cell.id, "seg_hd95_" + arm, step, s.hd95});
      rows.push_back({cell.id, "seg_train_images_" + arm, step, static_cast<double>(s.train_images)});
      if (arm != "real") rows.push_back({cell.id, "seg_dice_" + arm + "_delta", step, s.dice - base.dice});
      for (size_t k = 1; k < s.dice_class.size(); ++k)
        rows.push_back({cell.id, fmt::format("seg_dice_{}/{}", arm, spec.labels[k]), step, s.dice_class[k]});
    };
    const SegScore& base = env.data.seg_baseline(cell.modality, cell.seed);
    put("real", base, base);
    // fd_unet: the Fréchet distance in the baseline U-Net encoder's features (no download needed), on the
    // same generated images as the other distances, with its real train-vs-test floor.
    UNetEncoderExtractor unet_ex(env.data.seg_baseline_net(cell.modality, cell.seed), env.device);
    const FeatureStats real_unet = extract_stats(unet_ex, data.train.images);
    rows.push_back({cell.id, unet_ex.distance_metric(), step,
                    frechet_distance(real_unet, extract_stats(unet_ex, final_samples.images))});
    rows.push_back({cell.id, unet_ex.distance_metric() + "_real_floor", step,
                    frechet_distance(real_unet, extract_stats(unet_ex, data.test.images))});
    put("synth",
        train_and_score(
            mix_sets(ImageSet{data.train.images.slice(0, 0, 0), data.train.labels.slice(0, 0, 0), {}},
                     synthetic, n),
            data.val, data.test, spec, sg, useed, env.device),
        base);
    for (double r : sg.ratios)
      put(mix_arm(r),
          train_and_score(mix_sets(data.train, synthetic, static_cast<int64_t>(std::llround(r * n))),
                          data.val, data.test, spec, sg, useed, env.device),
          base);
  }
  const int64_t last = cfg.train.steps;
  rows.push_back({cell.id, "train_seconds", last, tr.seconds});
  rows.push_back({cell.id, "steps_per_second", last, tr.steps_per_second});
  rows.push_back({cell.id, "parameters", last, static_cast<double>(model->parameter_count())});
  rows.push_back({cell.id, "peak_rss_mib", last, peak_rss_mib()});
  rows.push_back({cell.id, "resumed_from_step", last, static_cast<double>(tr.start_step)});

  rec.finished = utc_now_iso();
  rec.train_seconds = tr.seconds;
  rec.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  std::vector<ArtefactRow> artefacts = {
      {cell.id, "config", (rel_dir / "config.yaml").string()},
      {cell.id, "samples_images", (rel_dir / "samples_images.npy").string()},
      {cell.id, "samples_labels", (rel_dir / "samples_labels.npy").string()},
      {cell.id, "real_images", (rel_dir / "real_images.npy").string()},
      {cell.id, "real_labels", (rel_dir / "real_labels.npy").string()},
      {cell.id, "checkpoint", (rel_dir / "checkpoints" / checkpoint_path("", last).filename()).string()},
  };
  if (fs::exists(dir / "samples_step0_images.npy")) {
    artefacts.push_back({cell.id, "samples_step0_images", (rel_dir / "samples_step0_images.npy").string()});
    artefacts.push_back({cell.id, "samples_step0_labels", (rel_dir / "samples_step0_labels.npy").string()});
  }
  env.store.finish_cell(rec, rows, artefacts);
  fmt::print(stderr, "ganbench: {} done in {:.1f}s ({:.1f} steps/s)\n", cell.id, rec.total_seconds,
             tr.steps_per_second);
}

}  // namespace ganbench
