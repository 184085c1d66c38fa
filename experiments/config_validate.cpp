// SweepConfig::validate: the table's ranges and choices, then the rules that tie keys together.
#include <algorithm>
#include <cmath>
#include <set>

#include "common/runtime.h"
#include "datasets/modality.h"
#include "experiments/builtins.h"
#include "experiments/config_schema.h"
#include "metrics/feature_extractor.h"
#include "metrics/metric_catalogue.h"

namespace ganbench {
using namespace config_schema;

namespace {
// task: translation's own keys, or their absence in a synthesis sweep.
void validate_translation(const SweepConfig& c) {
  const bool translating = c.task == "translation";
  const auto& tr = c.translation;
  if (!translating) {
    check(tr.from.empty() && tr.to.empty(), c, tr.from.empty() ? "translation.to" : "translation.from",
          "applies to task: translation");
  } else {
    check(!tr.from.empty(), c, "translation.from", "task: translation needs at least one direction (from, to)");
    check(tr.from.size() == tr.to.size(), c, "translation.to",
          fmt::format("needs one target per source: {} in from, {} in to", tr.from.size(), tr.to.size()));
    std::set<std::pair<std::string, std::string>> seen;
    for (size_t i = 0; i < tr.from.size(); ++i) {
      const std::string key = fmt::format("translation.from[{}]", i);
      if (tr.from[i] != TranslationConfig::kDegraded) {
        try {
          find_modality(tr.from[i]);
        } catch (const std::invalid_argument& e) {
          throw ConfigError(fmt::format("{}: key '{}': {} (or '{}' for super-resolution)", c.source, key, e.what(),
                                        TranslationConfig::kDegraded));
        }
      }
      try {
        find_modality(tr.to[i]);
      } catch (const std::invalid_argument& e) {
        throw ConfigError(fmt::format("{}: key 'translation.to[{}]': {}", c.source, i, e.what()));
      }
      check(tr.from[i] != tr.to[i], c, key, fmt::format("'{}' translated to itself", tr.to[i]));
      check(seen.insert({tr.from[i], tr.to[i]}).second, c, key,
            fmt::format("the direction {} -> {} is listed twice", tr.from[i], tr.to[i]));
    }
    const auto want = translation_modalities(tr);
    check(std::set<std::string>(want.begin(), want.end()) ==
              std::set<std::string>(c.modalities.begin(), c.modalities.end()),
          c, "modalities",
          fmt::format("a translation sweep loads the modalities of translation.from/to ({}); leave modalities out",
                      fmt::join(want, ", ")));
    check(c.data.dims == 2, c, "data.dims", "translation architectures are 2-D (data.dims: 2)");
    for (size_t i = 0; i < tr.from.size() && c.segmentation.enabled; ++i)
      check(tr.from[i] == TranslationConfig::kDegraded ||
                find_modality(tr.from[i]).spec.labels == find_modality(tr.to[i]).spec.labels,
            c, fmt::format("translation.from[{}]", i),
            fmt::format("segmentation scores translated images with the source's labels, so {} and {} need the "
                        "same label names", tr.from[i], tr.to[i]));
    check(c.image_size % tr.degrade.factor == 0, c, "translation.degrade.factor",
          fmt::format("must divide image_size {}, got {}", c.image_size, tr.degrade.factor));
  }
}
// The transfer axes (train.init_from, data.train_subjects) and FreezeD.
void validate_transfer(const SweepConfig& c) {
  const auto& t = c.train;
  std::set<std::string> seen;
  for (size_t i = 0; i < t.init_from.size(); ++i) {
    const std::string key = fmt::format("train.init_from[{}]", i);
    check(!t.init_from[i].empty(), c, key, "is empty; write scratch for a cell from scratch");
    check(seen.insert(t.init_from[i]).second, c, key, fmt::format("'{}' is listed twice", t.init_from[i]));
  }
  check(t.init_from.empty() || c.task == "synthesis", c, "train.init_from",
        "applies to synthesis sweeps (translation cells start from scratch)");
  const bool fine_tuned = std::any_of(t.init_from.begin(), t.init_from.end(),
                                      [](const std::string& e) { return e != TrainConfig::kScratch; });
  check(t.freeze_d == 0 || fine_tuned, c, "train.freeze_d",
        "freezes layers of pretrained D: needs a source in train.init_from");
  for (size_t i = 0; i < c.architectures.size() && t.freeze_d > 0; ++i)
    check(find_architecture(c.architectures[i]).capabilities.freeze_d, c, "train.freeze_d",
          fmt::format("'{}' has no single layered discriminator to freeze (capability freeze_d; ganbench list "
                      "architectures)",
                      c.architectures[i]));
  const auto& n = c.data.train_subjects;
  check(std::set<uint64_t>(n.begin(), n.end()).size() == n.size(), c, "data.train_subjects", "lists a size twice");
}
}  // namespace

void SweepConfig::validate() const {
  register_builtins();
  const auto& c = *this;
  for (const auto& f : fields()) check_field(f, c);
  check(!name.empty() && name.find_first_of("/\\ \t") == std::string::npos && name != "." && name != "..", c,
        "name", fmt::format("must be a non-empty folder name without slashes or spaces, got '{}'", name));
  check(!architectures.empty(), c, "architectures", "list at least one architecture");
  validate_translation(c);
  validate_transfer(c);
  check(!modalities.empty(), c, "modalities", "list at least one modality");
  check(!seeds.empty(), c, "seeds", "list at least one seed");
  check((image_size & (image_size - 1)) == 0, c, "image_size",
        fmt::format("must be a power of two in [16, 1024], got {}", image_size));
  for (size_t i = 0; i < architectures.size(); ++i) {
    try {
      const auto& e = find_architecture(architectures[i]);
      check(image_size >= e.min_size && image_size <= e.max_size, c, "image_size",
            fmt::format("architecture '{}' supports {} to {} px, got {}", e.name, e.min_size, e.max_size,
                        image_size));
      check(!train.augment.adaptive || e.capabilities.loss != "wasserstein", c, "train.augment.adaptive",
            fmt::format("ADA adapts p from sign(D(real)), which assumes a logistic discriminator; '{}' has a "
                        "Wasserstein critic, whose sign means nothing: use a fixed policy (adaptive: false)",
                        e.name));
      const auto it = arch.find(e.name);
      try {
        check_architecture(e, static_cast<int>(image_size), it == arch.end() ? ArchOptions{} : it->second);
      } catch (const std::invalid_argument& err) {
        throw ConfigError(fmt::format("{}: key 'arch.{}': {}", source, e.name, err.what()));
      }
    } catch (const std::invalid_argument& e) {
      throw ConfigError(fmt::format("{}: key 'architectures[{}]': {}", source, i, e.what()));
    }
  }
  for (size_t i = 0; i < modalities.size(); ++i) {
    try {
      const auto& m = find_modality(modalities[i]);
      check(m.phantom || data.source_for(m.spec.name).format != "phantom", c, fmt::format("modalities[{}]", i),
            fmt::format("'{}' has no phantom; give its data in data.sources.{} (format: {})", m.spec.name,
                        m.spec.name, fmt::join(m.sources, " | ")));
      check(data.dims != 3 || m.phantom3d || data.source_for(m.spec.name).format != "phantom", c,
            fmt::format("modalities[{}]", i),
            fmt::format("'{}' has no 3-D phantom; data.dims: 3 needs one (ganbench list modalities)", m.spec.name));
    } catch (const std::invalid_argument& e) {
      throw ConfigError(fmt::format("{}: key 'modalities[{}]': {}", source, i, e.what()));
    }
  }
  // A synthesis sweep trains synthesis architectures and a translation sweep translation ones (a capability,
  // never a name).
  const bool translating = task == "translation";
  for (size_t i = 0; i < architectures.size(); ++i) {
    const auto& caps = find_architecture(architectures[i]).capabilities;
    if (translating)
      check(!caps.translation.empty(), c, fmt::format("architectures[{}]", i),
            fmt::format("'{}' synthesises from noise and cannot translate images; task: translation takes "
                        "architectures with a translation capability (ganbench list architectures)",
                        architectures[i]));
    else
      check(caps.translation.empty(), c, fmt::format("architectures[{}]", i),
            fmt::format("'{}' is an image-to-image translation architecture (translation: {}): it maps source "
                        "images to a target modality and cannot synthesise from noise; a synthesis sweep trains "
                        "synthesis architectures, and task: translation with translation.from/to trains this one",
                        architectures[i], caps.translation));
  }
  // Volumes and images need different networks: a capability, never a name.
  for (size_t i = 0; i < architectures.size(); ++i) {
    const bool vol = find_architecture(architectures[i]).capabilities.volumetric;
    check(vol == (data.dims == 3), c, fmt::format("architectures[{}]", i),
          fmt::format("'{}' generates {}, but data.dims is {}; {}", architectures[i], vol ? "volumes" : "images",
                      data.dims,
                      vol ? "set data.dims: 3" : "volume sweeps take volumetric architectures (dcgan3d, multiscale3d)"));
  }
  check(data.dims == 3 || data.spacing_mm == 0, c, "data.spacing_mm",
        "the voxel spacing applies to volumes (data.dims: 3)");
  if (data.dims == 3) {
    check(image_size <= 256, c, "image_size", fmt::format("volumes are at most 256^3 voxels, got {}", image_size));
    check(train.augment.policy.empty(), c, "train.augment.policy",
          "DiffAugment's ops are 2-D; volume sweeps take instance noise only ([] here)");
    for (const auto& [mod, src] : data.sources)
      check(src.format != "folder", c, "data.sources." + mod + ".format",
            "a folder of 2-D images holds no volumes; data.dims: 3 reads NIfTI (acdc, lits, msd) or the phantom");
  }
  std::set<std::string> uniq_a(architectures.begin(), architectures.end()),
      uniq_m(modalities.begin(), modalities.end());
  std::set<uint64_t> uniq_s(seeds.begin(), seeds.end());
  check(uniq_a.size() == architectures.size(), c, "architectures", "lists a name twice");
  check(uniq_m.size() == modalities.size(), c, "modalities", "lists a name twice");
  check(uniq_s.size() == seeds.size(), c, "seeds", "lists a seed twice");
  try {
    parse_threads(threads);
  } catch (const std::invalid_argument& e) {
    check(false, c, "threads", e.what());
  }
  const auto& ag = train.augment;
  for (size_t i = 0; i < ag.policy.size(); ++i)
    check(std::find(augment_ops().begin(), augment_ops().end(), ag.policy[i]) != augment_ops().end(), c,
          fmt::format("train.augment.policy[{}]", i),
          fmt::format("unknown augmentation '{}'; valid: {}", ag.policy[i], fmt::join(augment_ops(), ", ")));
  check(ag.instance_noise == -1 || ag.instance_noise >= 0, c, "train.instance_noise",
        fmt::format("must be -1 (the architecture's default) or in [0, 2], got {}", ag.instance_noise));
  check(train.divergence_threshold == TrainConfig::kArchDefault || train.divergence_threshold >= 0, c,
        "train.divergence_threshold",
        fmt::format("must be -1 (the architecture's default), 0 (off) or > 0, got {}", train.divergence_threshold));
  check(!ag.adaptive || !ag.policy.empty(), c, "train.augment.adaptive",
        "needs a policy (e.g. [translation, cutout, brightness, contrast])");
  check(ag.ada_target > -1 && ag.ada_target < 1, c, "train.augment.ada_target", "must be in (-1, 1)");
  check(ag.ada_kimg > 0, c, "train.augment.ada_kimg", "must be > 0");
  for (const auto& [mod, src] : data.sources) {
    check(uniq_m.count(mod) > 0, c, "data.sources." + mod,
          fmt::format("source given for a modality not in 'modalities' ({})", fmt::join(modalities, ", ")));
    const auto& ok = find_modality(mod).sources;
    check(std::find(ok.begin(), ok.end(), src.format) != ok.end(), c, "data.sources." + mod + ".format",
          fmt::format("'{}' cannot hold {} data; valid: {}", src.format, mod, fmt::join(ok, ", ")));
    check(src.format == "phantom" || !src.path.empty(), c, "data.sources." + mod + ".path",
          "a real-data source needs a path");
    check(src.max_subjects >= 0, c, "data.sources." + mod + ".max_subjects", "must be >= 0 (0 = all)");
    check(src.subject.empty() || src.format == "folder", c, "data.sources." + mod + ".subject",
          "a subject pattern applies to folder sources (NIfTI sources are split by volume)");
    check(!src.unit_range || (src.format != "folder" && src.format != "phantom"), c,
          "data.sources." + mod + ".unit_range", "applies to NIfTI sources (folder images are scaled by their bit depth)");
    check(!src.unit_range || !find_modality(mod).ct_hu, c, "data.sources." + mod + ".unit_range",
          "CT is read in HU through the window; unit_range applies to MR");
    try {
      folder_subject_regex(src.subject);
    } catch (const std::invalid_argument& e) {
      check(false, c, "data.sources." + mod + ".subject", e.what());
    }
  }
  const auto& cl = cluster;
  // Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
  static const std::regex slurm_time(R"(\d+(:\d+){0,2}|\d+-\d+(:\d+){0,2})");
  check(cl.time.empty() || std::regex_match(cl.time, slurm_time), c, "cluster.time",
        fmt::format("must be a Slurm time (MM, HH:MM:SS or D-HH:MM:SS), got '{}'", cl.time));
  static const std::regex slurm_mem(R"(\d+[KMGT]?)");
  check(cl.mem.empty() || std::regex_match(cl.mem, slurm_mem), c, "cluster.mem",
        fmt::format("must be a size such as 16G (units K, M, G, T), got '{}'", cl.mem));
  for (size_t i = 0; i < cl.sbatch.size(); ++i)
    check(cl.sbatch[i].rfind("-", 0) == 0, c, fmt::format("cluster.sbatch[{}]", i),
          fmt::format("must be an sbatch option such as --constraint=a100, got '{}'", cl.sbatch[i]));
  // Every cluster string lands on one line of a job script.
  for (const auto& [key, v] : std::vector<std::pair<std::string, std::string>>{
           {"partition", cl.partition}, {"account", cl.account}, {"qos", cl.qos}, {"gres", cl.gres},
           {"ganbench", cl.ganbench}})
    check(v.find_first_of("\n\r") == std::string::npos && (key == "ganbench" || v.find(' ') == std::string::npos),
          c, "cluster." + key, "must be one word on one line");
  for (const auto* list : {&cl.sbatch, &cl.setup})
    for (size_t i = 0; i < list->size(); ++i)
      check((*list)[i].find_first_of("\n\r") == std::string::npos, c,
            fmt::format("cluster.{}[{}]", list == &cl.sbatch ? "sbatch" : "setup", i), "must be one line");
  const auto& in = data.intensity;
  check(in.ct_window_width > 0, c, "data.ct_window_width", "must be > 0 HU");
  check(in.mri_percentile_lo < in.mri_percentile_hi, c, "data.mri_percentile_lo",
        "need 0 <= mri_percentile_lo < mri_percentile_hi <= 100");
  check(data.test_fraction > 0 && data.val_fraction + data.test_fraction < 1, c, "data",
        "need test_fraction > 0, val_fraction >= 0 and val_fraction + test_fraction < 1");
  const auto n_train = static_cast<int64_t>(data.count * (1.0 - data.val_fraction - data.test_fraction));
  check(n_train >= 2, c, "data.count", "leaves fewer than 2 training subjects after the split");
  check(eval.grid <= eval.samples, c, "eval.grid", "must be in [1, eval.samples]");
  check(!eval.extractors.empty(), c, "eval.extractors", "list at least one feature extractor");
  for (size_t i = 0; i < eval.extractors.size(); ++i) {
    const auto names = feature_extractor_names();
    check(
        std::find(names.begin(), names.end(), eval.extractors[i]) != names.end(), c,
        fmt::format("eval.extractors[{}]", i),
        fmt::format("unknown feature extractor '{}'; valid: {}", eval.extractors[i], fmt::join(names, ", ")));
  }
  check(eval.inception_dims == 64 || eval.inception_dims == 192 || eval.inception_dims == 768 ||
            eval.inception_dims == 2048,
        c, "eval.inception_dims", fmt::format("must be 64, 192, 768 or 2048, got {}", eval.inception_dims));
  const auto& sg = segmentation;
  for (double r : sg.ratios)
    check(r > 0, c, "segmentation.ratios", fmt::format("must be in (0, 100], got {}", r));
  check(sg.lr > 0, c, "segmentation.lr", "must be > 0");
  check(image_size % (int64_t{1} << sg.depth) == 0, c, "segmentation.depth",
        fmt::format("must be in [1, 6] with image_size divisible by 2^depth, got {}", sg.depth));
  for (const auto& [arch_name, opts] : arch) {
    check(uniq_a.count(arch_name) > 0, c, "arch." + arch_name,
          fmt::format("options given for an architecture not in 'architectures' ({})",
                      fmt::join(architectures, ", ")));
    try {
      resolve_options(find_architecture(arch_name), opts);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(fmt::format("{}: key 'arch.{}': {}", source, arch_name, e.what()));
    }
  }
}

}  // namespace ganbench
