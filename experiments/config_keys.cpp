// The config key table: every key with its member, meaning, range or choices, in the order the resolved
// config is written. Adding a key is one entry here (and its member in config.h); parsing, emission,
// `check-config --help-keys` and the range checks follow from it (experiments/config.cpp).
#include <fmt/format.h>

#include "architectures/registry.h"
#include "experiments/config_schema.h"

namespace ganbench::config_schema {
namespace {

void parse_sources(const YAML::Node& srcs, SweepConfig& c, const std::string& source) {
  if (!srcs.IsMap()) fail(where(source, srcs), "data.sources", "must be a mapping of modality to source");
  for (const auto& kv : srcs) {
    const auto mod = key_name(kv.first, "data.sources", source);
    const std::string key = "data.sources." + mod;
    SourceConfig sc;
    if (kv.second.IsScalar()) {
      sc.format = kv.second.Scalar();
      if (sc.format != "phantom")
        fail(where(source, kv.second), key,
             "a scalar source must be 'phantom'; real data needs {format, path}");
    } else {
      MapReader s(kv.second, key, source);
      s.get("format", sc.format);
      std::string path;
      s.get("path", path);
      sc.path = path;
      s.get("images", sc.images);
      s.get("masks", sc.masks);
      s.get<bool>("skip_empty", sc.skip_empty, "true or false");
      s.get("max_subjects", sc.max_subjects);
      s.get("subject", sc.subject);
      s.get<bool>("unit_range", sc.unit_range, "true or false");
      s.reject_unknown();
    }
    c.data.sources[mod] = sc;
  }
}

void emit_sources(YAML::Emitter& out, const SweepConfig& c) {
  out << YAML::BeginMap;
  for (const auto& [mod, sc] : c.data.sources) {
    out << YAML::Key << mod;
    if (sc.format == "phantom") {
      out << YAML::Value << "phantom";
      continue;
    }
    out << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "format" << YAML::Value << sc.format;
    out << YAML::Key << "path" << YAML::Value << sc.path.string();
    out << YAML::Key << "images" << YAML::Value << sc.images;
    out << YAML::Key << "masks" << YAML::Value << sc.masks;
    out << YAML::Key << "skip_empty" << YAML::Value << sc.skip_empty;
    out << YAML::Key << "max_subjects" << YAML::Value << sc.max_subjects;
    if (!sc.subject.empty()) out << YAML::Key << "subject" << YAML::Value << sc.subject;  // older hashes hold
    if (sc.unit_range) out << YAML::Key << "unit_range" << YAML::Value << true;              // likewise
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void parse_arch(const YAML::Node& arch, SweepConfig& c, const std::string& source) {
  if (!arch.IsMap()) fail(where(source, arch), "arch", "must be a mapping of architecture name to options");
  for (const auto& kv : arch) {
    const auto arch_name = key_name(kv.first, "arch", source);
    if (!kv.second.IsMap() && !kv.second.IsNull())
      fail(where(source, kv.second), "arch." + arch_name, "must be a mapping of option to number");
    ArchOptions opts;
    for (const auto& ov : kv.second) {
      const auto key = key_name(ov.first, "arch." + arch_name, source);
      try {
        opts[key] = ov.second.as<double>();
      } catch (const YAML::Exception&) {
        fail(where(source, ov.second), fmt::format("arch.{}.{}", arch_name, key), "must be a number");
      }
    }
    c.arch[arch_name] = opts;
  }
}

void emit_arch(YAML::Emitter& out, const SweepConfig& c) {
  out << YAML::BeginMap;
  for (const auto& a : c.architectures) {
    out << YAML::Key << a << YAML::Value << YAML::BeginMap;
    auto it = c.arch.find(a);
    for (const auto& [k, v] :
         resolve_options(find_architecture(a), it == c.arch.end() ? ArchOptions{} : it->second))
      out << YAML::Key << k << YAML::Value << v;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

}  // namespace

const std::vector<Field>& fields() {
  using C = SweepConfig;
  static const std::vector<Field> table = {
      field(
          "name", [](C& c) { return &c.name; }, "run folder name: <output>/<name>"),
      field(
          "output", [](C& c) { return &c.output; },
          "parent folder of run folders (relative to the working directory)"),
      field(
          "architectures", [](C& c) { return &c.architectures; },
          "registry names (ganbench list architectures)"),
      // Written only when set, so synthesis sweeps keep their resolved YAML and hashes.
      only_if_set(field("task", [](C& c) { return &c.task; },
                        "synthesis (GANs from noise) or translation (image-to-image: pix2pix, cyclegan)",
                        std::nullopt, {"synthesis", "translation"})),
      field(
          "modalities", [](C& c) { return &c.modalities; },
          "registry names (ganbench list modalities); task: translation fills them in from translation.from/to"),
      only_if_set(field("translation.from", [](C& c) { return &c.translation.from; },
                        "task: translation: source modality of each direction, or degraded (super-resolution: "
                        "the target's own images through translation.degrade)")),
      only_if_set(field("translation.to", [](C& c) { return &c.translation.to; },
                        "task: translation: target modality of each direction (as many as translation.from)")),
      only_if_set(field("translation.degrade.factor", [](C& c) { return &c.translation.degrade.factor; },
                        "from: degraded: downsampling factor per axis", Range{1, 16, "[1, 16]"})),
      only_if_set(field("translation.degrade.blur_sigma", [](C& c) { return &c.translation.degrade.blur_sigma; },
                        "from: degraded: Gaussian blur std before downsampling, full-resolution px; 0 = none",
                        Range{0, 16, "[0, 16]"})),
      only_if_set(field("translation.degrade.noise", [](C& c) { return &c.translation.degrade.noise; },
                        "from: degraded: std of Gaussian noise on the low-resolution image (intensities in [0, 1])",
                        Range{0, 1, "[0, 1]"})),
      field(
          "seeds", [](C& c) { return &c.seeds; }, "one cell per seed and architecture x modality"),
      field(
          "image_size", [](C& c) { return &c.image_size; }, "square image side, px; a power of two",
          Range{16, 1024, "[16, 1024]"}),
      field(
          "threads", [](C& c) { return &c.threads; },
          "LibTorch intra-op threads: auto (all cores; in a Slurm job, SLURM_CPUS_PER_TASK) or a count"),
      // Written only when set; where cells run, not what they compute (left out of cell hashes).
      only_if_set(field(
          "parallel_cells", [](C& c) { return &c.parallel_cells; },
          "cells run at once by `ganbench run`, each in its own process with threads / parallel_cells cores "
          "(threads: auto) or `threads`; 1 = one cell at a time",
          Range{1, 64, "[1, 64]"})),
      field("device", [](C& c) { return &c.device; }, "where to train and score", std::nullopt,
            {"auto", "cpu", "cuda"}),
      field(
          "train.steps", [](C& c) { return &c.train.steps; }, "generator updates per cell",
          Range{1, 1e8, "[1, 1e8]"}),
      field(
          "train.batch_size", [](C& c) { return &c.train.batch_size; }, "real images per step",
          Range{2, 4096, "[2, 4096]"}),
      field(
          "train.checkpoint_every", [](C& c) { return &c.train.checkpoint_every; },
          "steps between checkpoints; 0 = only at the end", Range{0, kBig, ">= 0"}),
      field(
          "train.log_every", [](C& c) { return &c.train.log_every; },
          "steps between log lines and stored losses", Range{1, kBig, ">= 1"}),
      // Emitted only when set, so fp32 sweeps keep their resolved YAML and hashes.
      only_if_set(field(
          "train.precision", [](C& c) { return &c.train.precision; },
          "training arithmetic: fp32, or bf16 autocast (convolutions and matrix products in bfloat16, "
          "losses, reductions, parameters and optimiser state in float32); sampling and scoring stay float32",
          std::nullopt, {"fp32", "bf16"})),
      // Emitted only when set: it decides when a cell fails, not what a finished cell computed, so it stays out
      // of the hashes of older run folders (cell_config_hash leaves it out altogether).
      only_if_set(
          field(
              "train.divergence_threshold", [](C& c) { return &c.train.divergence_threshold; },
              "a cell fails when any loss or statistic exceeds this in magnitude (an exploding D); 0 = off; "
              "-1 = the architecture's default (ganbench list architectures: divergence_threshold)",
              Range{-1, 1e300, "-1 or >= 0"})),
      field(
          "train.instance_noise", [](C& c) { return &c.train.augment.instance_noise; },
          "std of Gaussian noise on every D input, real and fake; 0 = off; -1 = the architecture's default "
          "(ganbench list architectures: instance_noise)",
          Range{-1, 2, "-1 or [0, 2]"}),
      field(
          "train.augment.policy", [](C& c) { return &c.train.augment.policy; },
          "DiffAugment ops on D inputs: translation, cutout, brightness, contrast; [] = off"),
      field(
          "train.augment.p", [](C& c) { return &c.train.augment.p; },
          "probability of each op per sample with a fixed policy (DiffAugment: 1); ADA starts at 0",
          Range{0, 1, "[0, 1]"}),
      field(
          "train.augment.translation", [](C& c) { return &c.train.augment.translation; },
          "max shift, fraction of the side", Range{0, 0.5, "[0, 0.5]"}),
      field(
          "train.augment.cutout", [](C& c) { return &c.train.augment.cutout; },
          "side of the zeroed square, fraction of the side", Range{0, 1, "[0, 1]"}),
      field(
          "train.augment.adaptive", [](C& c) { return &c.train.augment.adaptive; },
          "ADA: adapt p from the sign of D(real)"),
      field(
          "train.augment.ada_target", [](C& c) { return &c.train.augment.ada_target; },
          "ADA: r_t above this raises p", Range{-1, 1, "(-1, 1)"}),
      field(
          "train.augment.ada_kimg", [](C& c) { return &c.train.augment.ada_kimg; },
          "ADA: thousands of real images for p to move by 1", Range{0, kBig, "> 0"}),
      field(
          "train.augment.ada_interval", [](C& c) { return &c.train.augment.ada_interval; },
          "ADA: steps between adjustments", Range{1, kBig, ">= 1"}),
      // Transfer learning and data scarcity (docs/transfer.md). Written only when set, so older runs keep
      // their resolved YAML and hashes.
      only_if_set(field(
          "train.init_from", [](C& c) { return &c.train.init_from; },
          "sweep axis of starting weights: scratch, a run folder (its finished cell of the same architecture, "
          "same seed first), a cell folder RUN/cells/ID, or a checkpoint .pt")),
      only_if_set(field(
          "train.init_source", [](C& c) { return &c.train.init_source; },
          "written by ganbench in a fine-tuned cell's config: source cell id, its config hash, checkpoint "
          "SHA-256")),
      only_if_set(field(
          "train.freeze_d", [](C& c) { return &c.train.freeze_d; },
          "FreezeD: the first k layers of D (from its input) stay fixed; 0 = none (architectures with freeze_d)",
          Range{0, 1000, "[0, 1000]"})),
      field(
          "data.count", [](C& c) { return &c.data.count; }, "phantom subjects (one slice each)",
          Range{10, 1e6, "[10, 1e6]"}),
      only_if_set(field(
          "data.train_subjects", [](C& c) { return &c.data.train_subjects; },
          "sweep axis of training-set sizes: each cell trains on the first N training subjects (nested); [] = all",
          Range{1, 1e8, "[1, 1e8]"})),
      // Written only when set, so image sweeps keep their resolved YAML and hashes.
      only_if_set(field(
          "data.dims", [](C& c) { return &c.data.dims; },
          "2: images of image_size^2 px; 3: volumes of image_size^3 voxels (volumetric architectures only)",
          Range{2, 3, "2 | 3"})),
      only_if_set(field(
          "data.spacing_mm", [](C& c) { return &c.data.spacing_mm; },
          "volumes from NIfTI: isotropic voxel side after resampling, mm; 0 = fit each volume's longest side",
          Range{0, 100, "[0, 100]"})),
      field(
          "data.ct_window_level", [](C& c) { return &c.data.intensity.ct_window_level; },
          "CT display window centre, HU"),
      field(
          "data.ct_window_width", [](C& c) { return &c.data.intensity.ct_window_width; },
          "CT display window width, HU", Range{0, kBig, "> 0"}),
      field(
          "data.mri_percentile_lo", [](C& c) { return &c.data.intensity.mri_percentile_lo; },
          "MRI: this percentile of each volume maps to 0", Range{0, 100, "[0, 100)"}),
      field(
          "data.mri_percentile_hi", [](C& c) { return &c.data.intensity.mri_percentile_hi; },
          "MRI: this percentile of each volume maps to 1", Range{0, 100, "(0, 100]"}),
      special("data.sources", "mapping",
              "per modality: phantom, or {format, path, images, masks, skip_empty, "
              "max_subjects, subject, unit_range}; modalities not listed use their phantom",
              parse_sources, emit_sources, [](const C& c) { return !c.data.sources.empty(); }),
      field(
          "data.seed", [](C& c) { return &c.data.seed; }, "phantom geometry and the subject split"),
      field(
          "data.val_fraction", [](C& c) { return &c.data.val_fraction; }, "subjects held for validation",
          Range{0, 1, "[0, 1)"}),
      field(
          "data.test_fraction", [](C& c) { return &c.data.test_fraction; }, "subjects held out for testing",
          Range{0, 1, "(0, 1)"}),
      field(
          "eval.samples", [](C& c) { return &c.eval.samples; },
          "generated images scored per cell; default 2048 (pytorch-fid's minimum) when extractors has inception",
          Range{2, 1e6, "[2, 1e6]"}),
      field(
          "eval.extractors", [](C& c) { return &c.eval.extractors; },
          "feature spaces for the distances (ganbench list metrics)"),
      field(
          "eval.kid_subsets", [](C& c) { return &c.eval.kid_subsets; }, "KID subsets",
          Range{1, kBig, ">= 1"}),
      field(
          "eval.kid_subset_size", [](C& c) { return &c.eval.kid_subset_size; }, "KID max subset size",
          Range{2, kBig, ">= 2"}),
      field(
          "eval.grid", [](C& c) { return &c.eval.grid; }, "samples kept for the report's sheets",
          Range{1, kBig, "[1, eval.samples]"}),
      field(
          "eval.inception_weights", [](C& c) { return &c.eval.inception_weights; },
          "FID Inception safetensors; \"\" = $GANBENCH_FID_WEIGHTS"),
      field(
          "eval.inception_dims", [](C& c) { return &c.eval.inception_dims; }, "FID feature tap",
          Range{64, 2048, "64 | 192 | 768 | 2048"}),
      field(
          "eval.feature_cache", [](C& c) { return &c.eval.feature_cache; },
          "real-feature cache folder; auto = $XDG_CACHE_HOME/ganbench, \"\" = off"),
      field(
          "segmentation.enabled", [](C& c) { return &c.segmentation.enabled; },
          "run the U-Net protocol (real / synthetic / mixed) after each GAN cell"),
      field(
          "segmentation.ratios", [](C& c) { return &c.segmentation.ratios; },
          "synthetic-to-real ratios of the mixed arms", Range{0, 100, "(0, 100]"}),
      field(
          "segmentation.steps", [](C& c) { return &c.segmentation.steps; },
          "U-Net optimiser steps (upper bound; early stopping)", Range{1, kBig, ">= 1"}),
      field(
          "segmentation.batch_size", [](C& c) { return &c.segmentation.batch_size; }, "images per U-Net step",
          Range{1, kBig, ">= 1"}),
      field(
          "segmentation.lr", [](C& c) { return &c.segmentation.lr; }, "Adam learning rate",
          Range{0, kBig, "> 0"}),
      field(
          "segmentation.eval_every", [](C& c) { return &c.segmentation.eval_every; },
          "steps between validation Dice checks", Range{1, kBig, ">= 1"}),
      field(
          "segmentation.patience", [](C& c) { return &c.segmentation.patience; },
          "checks without improvement before stopping; 0 = never", Range{0, kBig, ">= 0"}),
      field(
          "segmentation.depth", [](C& c) { return &c.segmentation.depth; },
          "U-Net pooling levels; image_size divisible by 2^depth", Range{1, 6, "[1, 6]"}),
      field(
          "segmentation.base_channels", [](C& c) { return &c.segmentation.base_channels; },
          "U-Net channels at full resolution", Range{1, 256, "[1, 256]"}),
      field("segmentation.norm", [](C& c) { return &c.segmentation.norm; }, "U-Net normalisation",
            std::nullopt, {"batch", "instance"}),
      // cluster.*: written only when set, so sweeps without them keep their resolved YAML and hashes.
      only_if_set(field("cluster.partition", [](C& c) { return &c.cluster.partition; },
                           "Slurm partition (sbatch --partition); \"\" = the cluster's default")),
      only_if_set(field("cluster.account", [](C& c) { return &c.cluster.account; },
                           "Slurm account to charge (sbatch --account)")),
      only_if_set(field("cluster.qos", [](C& c) { return &c.cluster.qos; }, "Slurm QOS (sbatch --qos)")),
      only_if_set(field("cluster.time", [](C& c) { return &c.cluster.time; },
                           "time limit per cell, Slurm format: MM, HH:MM:SS or D-HH:MM:SS (sbatch --time)")),
      only_if_set(field("cluster.mem", [](C& c) { return &c.cluster.mem; },
                           "memory per cell, e.g. 16G (sbatch --mem; units K, M, G, T)")),
      only_if_set(field("cluster.cpus_per_task", [](C& c) { return &c.cluster.cpus_per_task; },
                           "CPU cores per cell (sbatch --cpus-per-task; threads: auto uses them); 0 = default",
                           Range{0, 4096, "[0, 4096]"})),
      only_if_set(field("cluster.gres", [](C& c) { return &c.cluster.gres; },
                           "generic resources per cell, e.g. gpu:1 (sbatch --gres)")),
      only_if_set(field("cluster.array_throttle", [](C& c) { return &c.cluster.array_throttle; },
                           "at most this many cells at once (--array=0-N%throttle); 0 = no limit",
                           Range{0, 1e6, "[0, 1e6]"})),
      only_if_set(field("cluster.sbatch", [](C& c) { return &c.cluster.sbatch; },
                           "more sbatch options, one #SBATCH line each, e.g. [--constraint=a100]")),
      only_if_set(field("cluster.setup", [](C& c) { return &c.cluster.setup; },
                           "shell lines run on the node before ganbench, e.g. [module load cuda]")),
      only_if_set(field("cluster.ganbench", [](C& c) { return &c.cluster.ganbench; },
                           "path of ganbench on the nodes; \"\" = the submitting executable's absolute path")),
      special("arch", "mapping",
              "per architecture: {option: number}, checked against the registry "
              "(ganbench list architectures)",
              parse_arch, emit_arch),
  };
  return table;
}

}  // namespace ganbench::config_schema
