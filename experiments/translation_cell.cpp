// One translation cell: build the direction's paired or unpaired splits, train the translator, translate
// every test source, and score the results against their true targets (paired metrics, SynthRAD's
// conventions), against the real target distribution (the sweep's feature spaces), and by segmentation (does
// the anatomy survive, and does translated data adapt a U-Net to the target domain).
#include <chrono>

#include <fmt/format.h>
#include <torch/torch.h>

#include "architectures/registry.h"
#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/process.h"
#include "experiments/cell_common.h"
#include "experiments/seg_protocol.h"
#include "experiments/translation_data.h"
#include "metrics/cell_scorer.h"
#include "metrics/metric_catalogue.h"
#include "metrics/paired_image.h"
#include "metrics/slice_extractor.h"
#include "segmentation/unet_trainer.h"

namespace ganbench {
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kDegradeSalt = 0xDE6;  // super-resolution's noise draws (per split)
struct PairedMeans {
  double mae = 0, psnr = 0, ssim = 0, ms_ssim = 0;
};

// The paired metrics of every (prediction, target) image, channel by channel, averaged over channels and then
// images. CT targets are mapped back to HU through the window (MAE in HU; the window is the intensity range);
// other targets stay in [0, 1].
PairedMeans paired_means(const torch::Tensor& pred, const torch::Tensor& target, bool ct,
                         const IntensityOptions& in) {
  const double lo = ct ? in.ct_window_level - in.ct_window_width / 2 : 0.0;
  const double width = ct ? in.ct_window_width : 1.0;
  const IntensityRange range{lo, lo + width};
  const auto p = (pred.to(torch::kFloat64) * width + lo).contiguous();
  const auto t = (target.to(torch::kFloat64) * width + lo).contiguous();
  const int64_t n = p.size(0), c = p.size(1), h = p.size(2), w = p.size(3);
  PairedMeans m;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < c; ++k) {
      const ImagePair pair{{h, w}, t[i][k].data_ptr<double>(), p[i][k].data_ptr<double>(), nullptr};
      m.mae += paired_mae(pair);
      m.psnr += paired_psnr(pair, range);
      m.ssim += paired_ssim(pair, range);
      m.ms_ssim += paired_ms_ssim(pair, range);
    }
  const double k = static_cast<double>(n * c);
  m.mae /= k;
  m.psnr /= k;  // +inf when any pair is identical, as SynthRAD's mean would be
  m.ssim /= k;
  m.ms_ssim /= k;
  return m;
}

ImageSet translated_set(GanModel& model, const ImageSet& src) {
  ImageSet out = src;
  out.images = translate_in_batches(model, src.images);
  out.source = torch::Tensor();
  return out;
}

}  // namespace

void run_translation_cell(const CellEnv& env, const Cell& cell) {
  const auto t_start = std::chrono::steady_clock::now();
  CellStart st = start_cell(env, cell);
  const SweepConfig& cfg = st.cfg;
  const fs::path &rel_dir = st.rel_dir, &dir = st.dir;
  CellRecord& rec = st.rec;
  register_builtin_metrics();

  const ArchEntry& entry = find_architecture(cell.architecture);
  const ModalityEntry& target_mod = find_modality(cell.to);
  const bool degraded = cell.from == TranslationConfig::kDegraded;
  const Splits& target = env.data.splits(cell.to);
  Splits degraded_source;
  if (degraded) degraded_source = degraded_splits(target, cfg.translation.degrade, mix_seed(cfg.data.seed, kDegradeSalt));
  const Splits& source = degraded ? degraded_source : env.data.splits(cell.from);
  const TranslationSplits ts = translation_splits(source, target, entry.capabilities.translation, cfg.data.seed);
  check_disjoint(ts.train, ts.test);
  const ModalitySpec spec = target_mod.spec.at_size(cfg.image_size, 2);
  const int src_channels = source_channels(cell.from, cell.to);
  const auto augment = std::make_shared<DInputAugment>(cfg.train.augment, spec.channels, src_channels + spec.channels);
  const auto model = create_translator(cfg, cell.architecture, env.device, cell.seed, augment);

  std::vector<MetricRow> rows;
  auto add = [&](int64_t step, const std::vector<MetricValue>& values) {
    for (const auto& v : values) rows.push_back({cell.id, v.name, step, v.value});
  };
  const fs::path ckpt_dir = dir / "checkpoints";
  const TrainerOptions topts = trainer_options(env, cfg, cell, *model, ckpt_dir, augment);
  TrainerHooks hooks;
  hooks.on_log = [&](int64_t step, const StepStats& st) {
    for (const auto& [name, value] : st.values) add(step, {{metric_name("train_loss", {{"loss", name}}), value}});
  };
  hooks.before_checkpoint = [&](int64_t) {
    env.store.add_metrics(rows);
    rows.clear();
  };
  ImageSet train = ts.train;
  if (env.device.is_cuda()) {  // small sets: the batches are drawn where the model is
    train.images = train.images.to(env.device);
    train.labels = train.labels.to(env.device);
    train.source = train.source.to(env.device);
  }
  const TrainResult tr = train_gan(*model, train, topts, hooks);
  const int64_t last = cfg.train.steps;

  // Every test source translated, beside its true target.
  const torch::Tensor pred = translate_in_batches(*model, ts.test.source);
  const PairedMeans pm = paired_means(pred, ts.test.images, target_mod.ct_hu, cfg.data.intensity);
  add(last, {{metric_name(target_mod.ct_hu ? "paired_mae_hu" : "paired_mae"), pm.mae},
             {metric_name("paired_psnr"), pm.psnr},
             {metric_name("paired_ssim"), pm.ssim},
             {metric_name("paired_ms_ssim"), pm.ms_ssim},
             {metric_name("paired_n"), static_cast<double>(pred.size(0))}});
  // The translated test images against the real target training images, in every configured space, with the
  // source's labels (the anatomy they should keep).
  CellScorer scorer(env.data.reference(cell.to),
                    {scoring_spaces(cfg.eval.extractors, 2), static_cast<int>(cfg.eval.kid_subsets),
                     cfg.eval.kid_subset_size, mix_seed(cell.seed, kKidSeedSalt)});
  add(last, scorer.score(pred, ts.test.labels, true));
  const int64_t keep = std::min<int64_t>(cfg.eval.grid, pred.size(0));
  save_samples(dir, "translation_source", {ts.test.source, ts.test.labels, {}}, keep);
  save_samples(dir, "translated", {pred, ts.test.labels, {}}, keep);
  save_samples(dir, "translation_target", {ts.test.images, ts.test.labels, {}}, keep);
  save_samples(dir, "translation_error", {(pred - ts.test.images).abs(), ts.test.labels, {}}, keep);

  if (cfg.segmentation.enabled) {
    const bool mm = ts.test.spacing_mm > 0;
    const SegScore& ceiling = env.data.seg_baseline(cell.to, cell.seed);
    add(last, seg_arm_metrics("real", ceiling, ceiling, spec, mm));
    // Label preservation: the U-Net trained on real target images segments the translated test images.
    UNet real_net = env.data.seg_baseline_net(cell.to, cell.seed);
    ImageSet translated_test = ts.test;
    translated_test.images = pred;
    translated_test.source = torch::Tensor();
    SegScore kept = score_segmentation(predict_labels(real_net, pred, env.device), translated_test, spec);
    add(last, seg_arm_metrics("preserve", kept, ceiling, spec, mm));
    // Domain adaptation: U-Nets trained on translated source images (and on untranslated ones, the floor)
    // with the source labels, tested on the real target test split.
    const uint64_t useed = mix_seed(cell.seed, kUNetSeedSalt);
    ImageSet real_test = ts.test;
    real_test.source = torch::Tensor();
    const SegScore adapt = train_and_score(translated_set(*model, ts.source_train), translated_set(*model, ts.source_val),
                                           real_test, spec, cfg.segmentation, useed, env.device);
    add(last, seg_arm_metrics("adapt", adapt, ceiling, spec, mm));
    if (src_channels == spec.channels) {
      const SegScore floor =
          train_and_score(ts.source_train, ts.source_val, real_test, spec, cfg.segmentation, useed, env.device);
      add(last, seg_arm_metrics("floor", floor, ceiling, spec, mm));
    }
  }
  add(last, {{metric_name("train_seconds"), tr.seconds},
             {metric_name("steps_per_second"), tr.steps_per_second},
             {metric_name("parameters"), static_cast<double>(model->parameter_count())},
             {metric_name("peak_rss_mib"), peak_rss_mib()},
             {metric_name("resumed_from_step"), static_cast<double>(tr.start_step)}});

  rec.finished = utc_now_iso();
  rec.train_seconds = tr.seconds;
  rec.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  std::vector<ArtefactRow> artefacts = {{cell.id, "config", (rel_dir / "config.yaml").string(), ""}};
  for (const char* stem : {"translation_source", "translated", "translation_target", "translation_error"})
    for (const char* part : {"_images", "_labels"})
      artefacts.push_back({cell.id, std::string(stem) + part, (rel_dir / (std::string(stem) + part + ".npy")).string(), ""});
  artefacts.push_back(checkpoint_artefact(cell.id, env.run_dir, rel_dir, last));
  env.store.finish_cell(rec, rows, artefacts);
  fmt::print(stderr, "ganbench: {} done in {:.1f}s (MAE {:.4g}, SSIM {:.4f})\n", cell.id, rec.total_seconds, pm.mae,
             pm.ssim);
}

}  // namespace ganbench
