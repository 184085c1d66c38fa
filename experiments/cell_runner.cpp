#include "experiments/cell_runner.h"

#include <chrono>

#include <fmt/format.h>
#include <torch/torch.h>

#include "architectures/registry.h"
#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/npy.h"
#include "common/process.h"
#include "experiments/cell_common.h"
#include "experiments/seg_protocol.h"
#include "experiments/trainer.h"
#include "experiments/transfer.h"
#include "metrics/cell_scorer.h"
#include "metrics/metric_catalogue.h"
#include "metrics/slice_extractor.h"

namespace ganbench {
namespace fs = std::filesystem;

namespace {

constexpr int64_t kMaxDeviceTrainBytes = int64_t{2} << 30;  // training set kept on the GPU up to this, bytes

constexpr uint64_t kEvalSeedSalt = 0xE7A1;  // latents for scoring: the same at step 0 and at the end

constexpr int64_t kTuringKeep = 100;  // images of each kind kept for `ganbench turing` (turing_* arrays)

std::unique_ptr<GanModel> build_model(const CellEnv& env, const Cell& cell, const ModalitySpec& spec,
                                      std::shared_ptr<DInputAugment> augment) {
  ArchContext ctx;
  ctx.modality = spec;
  ctx.device = env.device;
  ctx.seed = cell.seed;
  ctx.batch_size = env.cfg.train.batch_size;  // the same in the sweep and the cell
  ctx.augment = std::move(augment);
  if (auto it = env.cfg.arch.find(cell.architecture); it != env.cfg.arch.end()) ctx.options = it->second;
  return create_architecture(cell.architecture, ctx);
}

std::vector<ArtefactRow> artefacts_of(const Cell& cell, const fs::path& run_dir, const fs::path& rel_dir,
                                      int64_t last_step, bool has_step0) {
  std::vector<ArtefactRow> a = {{cell.id, "config", (rel_dir / "config.yaml").string(), ""}};
  std::vector<std::string> stems = {"samples", "real"};
  if (has_step0) stems.push_back("samples_step0");
  stems.push_back("nearest_generated");  // the memorization gallery
  stems.push_back("nearest_train");
  stems.push_back("turing_generated");  // the visual Turing test's images
  stems.push_back("turing_real");
  for (const auto& stem : stems)
    for (const char* part : {"_images", "_labels"})
      a.push_back({cell.id, stem + part, (rel_dir / (stem + part + std::string(".npy"))).string(), ""});
  a.push_back(checkpoint_artefact(cell.id, run_dir, rel_dir, last_step));
  return a;
}
}  // namespace

ArtefactRow checkpoint_artefact(const std::string& cell_id, const fs::path& run_dir, const fs::path& rel_dir,
                                int64_t step) {
  const fs::path rel = rel_dir / "checkpoints" / checkpoint_path("", step).filename();
  return {cell_id, "checkpoint", rel.string(), sha256_file(run_dir / rel)};
}

// The first `n` images and label maps of `s` as <stem>_images.npy and <stem>_labels.npy ([N, C, H, W] and
// [N, H, W]; volumes [N, C, D, H, W] and [N, D, H, W]).
void save_samples(const fs::path& dir, const std::string& stem, const Sample& s, int64_t n) {
  auto img = s.images.slice(0, 0, n).contiguous();
  auto lab = s.labels.slice(0, 0, n).to(torch::kUInt8).contiguous();
  std::vector<float> iv(img.data_ptr<float>(), img.data_ptr<float>() + img.numel());
  std::vector<uint8_t> lv(lab.data_ptr<uint8_t>(), lab.data_ptr<uint8_t>() + lab.numel());
  write_npy(dir / (stem + "_images.npy"), NpyArray::from_floats(iv, img.sizes().vec()));
  write_npy(dir / (stem + "_labels.npy"), NpyArray::from_bytes(lv, lab.sizes().vec()));
}

static CellRecord start_record(const CellEnv& env, const Cell& cell, const std::string& yaml) {
  CellRecord rec;
  rec.id = cell.id;
  rec.sweep = env.cfg.name;
  rec.architecture = cell.architecture;
  rec.modality = cell.modality;
  rec.seed = static_cast<int64_t>(cell.seed);
  rec.config_hash = cell_config_hash(env.cfg, cell);
  rec.config_yaml = yaml;
  rec.started = utc_now_iso();
  rec.host = host_name();
  rec.device = env.device.str();
  rec.threads = env.threads;
  return rec;
}

CellStart start_cell(const CellEnv& env, const Cell& cell) {
  reset_peak_rss();
  CellStart st{cell_config(env.cfg, cell), fs::path("cells") / cell.id, {}, {}};
  st.dir = env.run_dir / st.rel_dir;
  fs::create_directories(st.dir);
  const std::string yaml = cell_config_yaml(env.cfg, cell);
  write_file_atomic(st.dir / "config.yaml", yaml);
  st.rec = start_record(env, cell, yaml);
  env.store.begin_cell(st.rec);
  return st;
}

TrainerOptions trainer_options(const CellEnv& env, const SweepConfig& cfg, const Cell& cell, const GanModel& model,
                               const fs::path& ckpt_dir, std::shared_ptr<DInputAugment> augment) {
  TrainerOptions topts;
  topts.steps = cfg.train.steps;
  topts.batch_size = cfg.train.batch_size;
  topts.checkpoint_every = cfg.train.checkpoint_every;
  topts.log_every = cfg.train.log_every;
  topts.divergence_threshold = cfg.train.divergence_threshold == TrainConfig::kArchDefault
                                   ? model.capabilities().divergence_threshold
                                   : cfg.train.divergence_threshold;
  topts.seed = cell.seed;
  topts.checkpoint_dir = ckpt_dir;
  topts.label = cell.id;
  topts.progress = env.progress;
  topts.augment = std::move(augment);
  topts.lazy_stats = env.device.is_cuda();  // no host synchronisation per step on a GPU
  topts.precision = parse_precision(cfg.train.precision);
  topts.device = env.device;
  return topts;
}

void run_cell(const CellEnv& env, const Cell& cell) {
  if (!find_architecture(cell.architecture).capabilities.translation.empty()) {
    run_translation_cell(env, cell);  // experiments/translation_cell.cpp
    return;
  }
  const auto t_start = std::chrono::steady_clock::now();
  CellStart st = start_cell(env, cell);
  const SweepConfig& cfg = st.cfg;
  const fs::path &rel_dir = st.rel_dir, &dir = st.dir;
  CellRecord& rec = st.rec;

  const Splits& all_data = env.data.splits(cell.modality);
  Splits subset;  // data.train_subjects: the first N training subjects; validation, test and the reference whole
  if (cell.train_subjects > 0) {
    subset = all_data;
    subset.train = first_subjects(all_data.train, cell.train_subjects, cell.modality);
  }
  const Splits& data = cell.train_subjects > 0 ? subset : all_data;
  save_samples(dir, "real", {data.train.images, data.train.labels, {}},
               std::min<int64_t>(cfg.eval.grid, data.train.size()));
  const ModalitySpec spec = find_modality(cell.modality).spec.at_size(cfg.image_size, cfg.data.dims);
  // D-input transforms, shared by the model and the trainer (which adapts their probability under ADA).
  const auto augment =
      std::make_shared<DInputAugment>(cfg.train.augment, spec.channels, spec.channels + spec.num_labels());
  const auto model = build_model(env, cell, spec, augment);

  std::vector<MetricRow> rows;
  auto add = [&](int64_t step, const std::vector<MetricValue>& values) {
    for (const auto& v : values) rows.push_back({cell.id, v.name, step, v.value});
  };
  auto flush = [&] {
    env.store.add_metrics(rows);
    rows.clear();
  };
  CellScorer scorer(env.data.reference(cell.modality),
                    {scoring_spaces(cfg.eval.extractors, cfg.data.dims), static_cast<int>(cfg.eval.kid_subsets), cfg.eval.kid_subset_size,
                     mix_seed(cell.seed, kKidSeedSalt)});
  auto score = [&](int64_t step, bool final) {  // the same latents at step 0 and at the end
    Sample s = model->sample(cfg.eval.samples, mix_seed(cell.seed, kEvalSeedSalt));
    s.label_probs = torch::Tensor();  // nothing below reads them: 4 bytes a pixel per label freed
    add(step, scorer.score(s.images, s.labels, final));
    save_samples(dir, final ? "samples" : "samples_step0", s, cfg.eval.grid);
    return s;
  };

  const fs::path ckpt_dir = dir / "checkpoints";
  if (!cell.init_from.empty()) {  // transfer: pretrained weights on a fresh start; FreezeD at every start
    if (!latest_checkpoint(ckpt_dir))
      model->init_weights_from(
          resolve_init_source(cell.init_from, cell.architecture, cell.seed, "train.init_from").checkpoint);
    if (cfg.train.freeze_d > 0) model->freeze_discriminator_layers(cfg.train.freeze_d);
  }
  if (!latest_checkpoint(ckpt_dir)) {  // a fresh start: score the untrained (or pretrained) generator
    score(0, false);
    flush();
  }
  const TrainerOptions topts = trainer_options(env, cfg, cell, *model, ckpt_dir, augment);
  TrainerHooks hooks;
  hooks.on_log = [&](int64_t step, const StepStats& st) {
    for (const auto& [name, value] : st.values)
      add(step, {{metric_name("train_loss", {{"loss", name}}), value}});
  };
  hooks.before_checkpoint = [&](int64_t) { flush(); };  // losses so far are stored before their checkpoint
  // On a GPU the training images live there, so batches are drawn without a host-to-device copy per step
  // (unless they would take more than kMaxDeviceTrainBytes of its memory).
  ImageSet train_on_device;
  const bool move = env.device.is_cuda() &&
                    (data.train.images.nbytes() + data.train.labels.nbytes()) <= kMaxDeviceTrainBytes;
  if (move) {
    train_on_device = data.train;
    train_on_device.images = data.train.images.to(env.device);
    train_on_device.labels = data.train.labels.to(env.device);
  }
  const TrainResult tr = train_gan(*model, move ? train_on_device : data.train, topts, hooks);

  const int64_t last = cfg.train.steps;
  const Sample final_samples = score(last, true);
  save_samples(dir, "turing_generated", final_samples, std::min(kTuringKeep, final_samples.images.size(0)));
  save_samples(dir, "turing_real", {data.test.images, data.test.labels, {}},
               std::min(kTuringKeep, data.test.size()));
  if (const NearestPairs& np = scorer.nearest_pairs(); !np.generated.empty()) {
    const auto gi = torch::tensor(np.generated, torch::kInt64), ti = torch::tensor(np.train, torch::kInt64);
    const auto n = static_cast<int64_t>(np.generated.size());
    save_samples(dir, "nearest_generated",
                 {final_samples.images.index_select(0, gi), final_samples.labels.index_select(0, gi), {}}, n);
    save_samples(dir, "nearest_train",  // indices into the scorer's reference: the whole training split
                 {all_data.train.images.index_select(0, ti), all_data.train.labels.index_select(0, ti), {}}, n);
  }
  if (cfg.segmentation.enabled) {
    const SegProtocolInputs in{data,
                               spec,
                               cfg.segmentation,
                               env.data.seg_baseline(cell.modality, cell.seed, cell.train_subjects),
                               env.data.seg_baseline_net(cell.modality, cell.seed, cell.train_subjects),
                               cell.seed,
                               env.device};
    add(last,
        run_seg_protocol(
            in, [&](int64_t n, uint64_t seed) { return model->sample(n, seed); }, final_samples.images));
  }
  add(last, {{metric_name("train_seconds"), tr.seconds},
             {metric_name("steps_per_second"), tr.steps_per_second},
             {metric_name("parameters"), static_cast<double>(model->parameter_count())},
             {metric_name("peak_rss_mib"), peak_rss_mib()},
             {metric_name("resumed_from_step"), static_cast<double>(tr.start_step)},
             {metric_name("instance_noise"), cfg.train.augment.instance_noise}});
  if (model->capabilities().label_conditioned) add(last, {{metric_name("label_conditioned"), 1.0}});
  // The transfer axes, for the report's rows and its metric-vs-N plot (docs/transfer.md).
  if (cell.train_subjects > 0) add(last, {{metric_name("train_subjects"), static_cast<double>(cell.train_subjects)}});
  if (!env.cfg.train.init_from.empty()) {
    add(last, {{metric_name("init_pretrained"), cell.init_from.empty() ? 0.0 : 1.0}});
    if (cfg.train.freeze_d > 0) add(last, {{metric_name("freeze_d"), static_cast<double>(cfg.train.freeze_d)}});
  }

  rec.finished = utc_now_iso();
  rec.train_seconds = tr.seconds;
  rec.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  env.store.finish_cell(rec, rows,
                        artefacts_of(cell, env.run_dir, rel_dir, last, fs::exists(dir / "samples_step0_images.npy")));
  fmt::print(stderr, "ganbench: {} done in {:.1f}s ({:.1f} steps/s)\n", cell.id, rec.total_seconds,
             tr.steps_per_second);
}

}  // namespace ganbench
