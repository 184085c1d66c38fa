// ganbench: benchmark GAN architectures on medical images (see README.md and docs/architecture.md).
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <torch/version.h>
#include "apps/fid_of_stats.h"
#include "architectures/registry.h"
#include "common/atomic_file.h"
#include "common/process.h"
#include "common/runtime.h"
#include "datasets/data_source.h"
#include "datasets/modality.h"
#include "experiments/builtins.h"
#include "experiments/config.h"
#include "experiments/parallel.h"
#include "experiments/run_check.h"
#include "experiments/slurm.h"
#include "experiments/sweep.h"
#include "metrics/feature_extractor.h"
#include "metrics/fid_folder.h"
#include "metrics/fid_weights.h"
#include "metrics/frechet.h"
#include "metrics/inception.h"
#include "metrics/metric_catalogue.h"
#include "reports/export.h"
#include "reports/report.h"
#include "reports/sample_grid.h"
#include "reports/turing.h"

namespace {

using namespace ganbench;

const char* kUsage = R"(usage:
  ganbench run CONFIG.yaml [--out DIR] [--resume] [--only arch=..,modality=..,seed=..] [--no-report] [--quiet]
      Run a sweep (architectures x modalities x seeds) into DIR/<name> (default: the config's output), then
      write its report. --resume skips finished cells and continues unfinished ones from their checkpoints.
  ganbench run CONFIG.yaml --cell ID [--out DIR]
      Run one cell into its shard folder DIR/<name>/shards/ID, resuming it (what a Slurm array task runs).
  ganbench submit CONFIG.yaml [--out DIR] [--only ...] [--dry-run] [--wait]
      Submit the cells that are not done, queued or running as one Slurm job array (the config's cluster:
      section: partition, account, qos, time, mem, cpus_per_task, gres, array_throttle, sbatch, setup), each
      task writing its own shard, and a merge job after it (afterany) that gathers the shards and writes the
      report. --dry-run prints both job scripts; --wait blocks until they end (exit 3 if a cell did not finish).
  ganbench status RUN_DIR
      Each cell's state (done, running, queued, failed, interrupted, stopped, pending) from the run folder,
      its shards and squeue.
  ganbench merge RUN_DIR [--no-report]
      Gather finished shards into RUN_DIR/results.db and write the report (the merge job runs this).
  ganbench report RUN_DIR [RUN_DIR ...] [--format md,csv,tex,html,png] [--out DIR]
      Regenerate tables and sample sheets from results.db and stored artefacts, without training.
  ganbench export RUN_DIR [--reproducible] [--out FILE.csv]
      Every stored value as one tidy CSV (cell, architecture, modality, seed, status, error, metric, step,
      value; 17 digits). --reproducible leaves out wall times, memory and resumed_from_step, so two runs of
      one config can be compared with diff.
  ganbench verify RUN_DIR
      Reads every file of a run folder with ganbench's own readers (database integrity, checkpoints, arrays,
      configs, images, reports); exits 1 naming each unreadable file.
  ganbench list architectures|modalities|metrics
  ganbench data preview MODALITY[,MODALITY...] --out FILE.png [--size PX] [--count N] [--seed S] [--config CONFIG.yaml]
      Sample sheet of a modality's images with their label maps: the built-in phantom, or the source
      that CONFIG.yaml's data section gives for that modality. 'all' previews every modality.
  ganbench fid PATH_A PATH_B [--weights FILE] [--batch-size N] [--dims 64|192|768|2048] [--device D]
               [--save-stats FILE] [--no-cache]
  ganbench fid --save-stats DIR OUT.npz [...]
      FID between two image folders or pytorch-fid .npz statistics files, as `python -m pytorch_fid`;
      prints "FID:  <value>". Weights: --weights, $GANBENCH_FID_WEIGHTS or the `weights import` cache.
  ganbench turing RUN_DIR --out turing.html [--n 50] [--cells ID,ID,...] [--seed S]
      A visual Turing test page (one self-contained file): n images per cell, half real (held-out test split),
      half generated, in a seeded random order at native resolution; raters answer real/generated with a
      confidence and export a JSON file. The answer key is kept in RUN_DIR/turing/.
  ganbench turing-score ANSWERS.json --run RUN_DIR
      Scores a rater's answers per cell (accuracy, sensitivity, specificity with exact 95% intervals, p against
      chance) and stores them in RUN_DIR/results.db; `ganbench report` then shows them.
  ganbench weights import FILE.pth [--out FILE.safetensors]
  ganbench weights fetch [--url URL] [--out FILE.safetensors]
      Read pytorch-fid's pt_inception-2015-12-05-6726825d.pth natively (zip or legacy format; the SHA-256
      prefix in its name is checked, then every key and shape) and store it as the safetensors that `fid`
      and sweeps use when no path is given (default $XDG_CACHE_HOME/ganbench/fid_inception.safetensors).
      fetch downloads it first (curl or wget) from pytorch-fid's release URL.
  ganbench check-config CONFIG.yaml
      Validate a config and print it fully resolved.
  ganbench check-config --help-keys
      Every config key with its type, range, default and meaning.
  ganbench --version
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = s.find(',', start);
    const std::string item = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!item.empty()) out.push_back(item);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

int64_t parse_int_flag(const std::string& flag, const std::string& v, int64_t lo, int64_t hi) {
  try {
    size_t used = 0;
    const long long x = std::stoll(v, &used);
    if (used == v.size() && x >= lo && x <= hi) return x;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("{} must be an integer in [{}, {}], got '{}'", flag, lo, hi, v));
}

// Pops the value of a flag that takes one.
std::string take_value(const std::vector<std::string>& args, size_t& i) {
  if (i + 1 >= args.size()) throw UsageError(fmt::format("{} needs a value", args[i]));
  return args[++i];
}

int cmd_list(const std::vector<std::string>& args) {
  if (args.size() != 1) throw UsageError("list needs one of: architectures, modalities, metrics");
  register_builtins();
  if (args[0] == "architectures") {
    for (const auto& name : architecture_names()) {
      const auto& e = find_architecture(name);
      fmt::print("{:<12} {}\n{:<12} sizes {}-{} px; {}; {}\n", name, e.description, "", e.min_size,
                 e.max_size, describe_capabilities(e.capabilities), e.citation);
      for (const auto& o : e.options)
        fmt::print("{:<12}   {}: {} ({}, [{}, {}])\n", "", o.name, o.default_value, o.help, o.min, o.max);
    }
  } else if (args[0] == "modalities") {
    for (const auto& name : modality_names()) {
      const auto& m = find_modality(name).spec;
      const auto& entry = find_modality(name);
      fmt::print("{:<10} {}\n{:<10} channels {}; labels {}; sources {}\n{:<10} phantom: {}\n", name,
                 m.description, "", m.channels, fmt::join(m.labels, "/"), fmt::join(entry.sources, ", "), "",
                 entry.phantom_description);
    }
  } else if (args[0] == "metrics") {  // the metric catalogue, then the feature spaces <space> takes
    for (const auto& id : metric_ids()) {
      const MetricSpec& m = metric_spec(id);
      const char* dir = m.direction < 0 ? "lower is better" : m.direction > 0 ? "higher is better" : "";
      fmt::print("{:<28} {}{}{}\n{:<28} {}\n", m.pattern, m.family, m.unit.empty() ? "" : ", " + m.unit,
                 *dir ? std::string(", ") + dir : "", "", m.description);
    }
    fmt::print("\nfeature spaces (<space>):\n");
    for (const auto& name : feature_extractor_names()) {
      const auto& e = find_feature_extractor(name);
      fmt::print("{:<28} {} -> {}_{}\n", name, e.description, e.distance_id, name);
    }
  } else {
    throw UsageError(fmt::format("list: unknown '{}'; valid: architectures, modalities, metrics", args[0]));
  }
  return 0;
}

int cmd_run(const std::vector<std::string>& args) {
  std::string config, out, only, cell;
  RunOptions opts;
  bool report = true;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--out")
      out = take_value(args, i);
    else if (a == "--cell")
      cell = take_value(args, i);
    else if (a == "--resume")
      opts.resume = true;
    else if (a == "--only")
      only = take_value(args, i);
    else if (a == "--no-report")
      report = false;
    else if (a == "--quiet")
      opts.progress = false;
    else if (!a.empty() && a[0] == '-')
      throw UsageError(fmt::format("run: unknown option '{}'", a));
    else if (config.empty())
      config = a;
    else
      throw UsageError(fmt::format("run: unexpected argument '{}'", a));
  }
  if (config.empty()) throw UsageError("run needs a CONFIG.yaml");
  SweepConfig cfg = load_sweep_config(config);
  if (!out.empty()) cfg.output = out;
  if (!only.empty()) opts.only = parse_cell_filter(only);
  if (!cell.empty()) {  // one cell into its own shard folder, resuming it (a Slurm array task)
    if (!only.empty()) throw UsageError("run: --cell and --only exclude each other");
    std::vector<std::string> ids;
    for (const auto& c : expand_cells(cfg)) {
      ids.push_back(c.id);
      if (c.id == cell) opts.only = CellFilter{{c.architecture}, {c.modality}, {c.seed}};
    }
    if (opts.only.architectures.empty())
      throw UsageError(fmt::format("run: no cell '{}' in {}; its cells: {}", cell, config, fmt::join(ids, ", ")));
    opts.run_dir = shard_dir(cfg.run_dir(), cell);
    opts.resume = true;
    report = false;
  }
  install_stop_handlers();  // SIGINT/SIGTERM: finish the step, checkpoint, mark the cell interrupted
  // A file-size limit (ulimit -f) then fails the write with EFBIG, handled like a full disk, instead of
  // killing the process mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  SweepSummary s;
  if (cfg.parallel_cells > 1 && cell.empty()) {  // cells as child processes into shards, then merged
    ParallelOptions po{opts.only, opts.resume, std::filesystem::read_symlink("/proc/self/exe").string()};
    s = run_parallel(cfg, po);
  } else {
    s = run_sweep(cfg, opts);
  }
  if (s.interrupted) return 128 + s.interrupted;  // 130 for SIGINT, 143 for SIGTERM
  if (report) {
    for (const auto& f : write_report({cfg.run_dir()}, {})) fmt::print("{}\n", f.string());
  }
  return s.failed > 0 ? 3 : 0;
}

int cmd_report(const std::vector<std::string>& args) {
  std::vector<std::filesystem::path> dirs;
  ReportOptions opts;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--format") {
      opts.formats = split_commas(take_value(args, i));
      if (opts.formats.empty()) throw UsageError("--format needs at least one of md, csv, tex, html, png");
    } else if (a == "--out") {
      opts.out_dir = take_value(args, i);
    } else if (!a.empty() && a[0] == '-') {
      throw UsageError(fmt::format("report: unknown option '{}'", a));
    } else {
      dirs.emplace_back(a);
    }
  }
  if (dirs.empty()) throw UsageError("report needs at least one RUN_DIR");
  for (const auto& f : write_report(dirs, opts)) fmt::print("{}\n", f.string());
  return 0;
}

int cmd_export(const std::vector<std::string>& args) {
  std::string dir, out;
  bool reproducible = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--reproducible") {
      reproducible = true;
    } else if (a == "--out") {
      out = take_value(args, i);
    } else if (!a.empty() && a[0] == '-') {
      throw UsageError(fmt::format("export: unknown option '{}'", a));
    } else if (dir.empty()) {
      dir = a;
    } else {
      throw UsageError(fmt::format("export: unexpected argument '{}'", a));
    }
  }
  if (dir.empty()) throw UsageError("export needs a RUN_DIR");
  const std::string csv = export_csv(load_run(dir), reproducible);
  if (out.empty())
    fmt::print("{}", csv);
  else
    write_file_atomic(out, csv);
  return 0;
}

int cmd_verify(const std::vector<std::string>& args) {
  if (args.size() != 1) throw UsageError("verify needs one RUN_DIR");
  const RunCheck check = verify_run_dir(args[0]);
  for (const auto& p : check.problems) fmt::print(stderr, "ganbench: unreadable: {}\n", p);
  for (const auto& p : check.leftovers)
    fmt::print(stderr, "ganbench: leftover temp file of a killed write (the next run removes it): {}\n", p);
  fmt::print("{}: {} files read, {} unreadable, {} leftover temp files\n", args[0], check.files,
             check.problems.size(), check.leftovers.size());
  return check.problems.empty() ? 0 : 1;
}

// A sample-grid row of `n` images spread evenly over the set (real volumes give runs of slices).
GridRow grid_row(const ImageSet& set, int64_t n) {
  n = std::min(n, set.size());
  auto idx =
      torch::linspace(0, static_cast<double>(set.size() - 1), n, torch::kFloat64).round().to(torch::kInt64);
  auto im = set.images.index_select(0, idx).contiguous();
  auto lb = set.labels.index_select(0, idx).to(torch::kUInt8).contiguous();
  std::vector<float> iv(im.data_ptr<float>(), im.data_ptr<float>() + im.numel());
  std::vector<uint8_t> lv(lb.data_ptr<uint8_t>(), lb.data_ptr<uint8_t>() + lb.numel());
  return {NpyArray::from_floats(iv, im.sizes().vec()), NpyArray::from_bytes(lv, lb.sizes().vec())};
}

int cmd_data(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "preview") throw UsageError("data needs a subcommand: preview");
  std::string modalities, out, config;
  int64_t size = 128, count = 8;
  int64_t seed = -1;
  for (size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--out")
      out = take_value(args, i);
    else if (a == "--size")
      size = parse_int_flag(a, take_value(args, i), 16, 1024);
    else if (a == "--count")
      count = parse_int_flag(a, take_value(args, i), 1, 64);
    else if (a == "--seed")
      seed = parse_int_flag(a, take_value(args, i), 0, INT64_MAX);
    else if (a == "--config")
      config = take_value(args, i);
    else if (!a.empty() && a[0] == '-')
      throw UsageError(fmt::format("data preview: unknown option '{}'", a));
    else if (modalities.empty())
      modalities = a;
    else
      throw UsageError(fmt::format("data preview: unexpected argument '{}'", a));
  }
  if (modalities.empty() || out.empty()) throw UsageError("data preview needs a MODALITY and --out FILE.png");
  register_builtins();
  std::vector<std::string> names = modalities == "all" ? modality_names() : split_commas(modalities);
  DataConfig data;
  if (!config.empty()) data = load_sweep_config(config).data;
  if (seed >= 0) data.seed = static_cast<uint64_t>(seed);
  std::vector<GridRow> rows;
  for (const auto& name : names) {
    const auto& entry = find_modality(name);
    ImageSet set = load_modality_data(entry, data, static_cast<int>(size), count);
    check_image_set(set, entry.spec.at_size(size, data.dims), name);
    rows.push_back(grid_row(set, count));
  }
  write_file_atomic(out, render_sample_grid(rows, size >= 64 ? 1 : 2));
  fmt::print("{}\n", out);
  return 0;
}

// A folder's statistics, or a stored .npz's.
FeatureStats stats_of(const std::string& path, FeatureExtractor* ex, const FolderStatsOptions& opts) {
  if (std::filesystem::path(path).extension() == ".npz") return load_stats_npz(path);
  if (!ex) throw std::logic_error("no extractor");
  return folder_stats(path, *ex, opts);
}

int cmd_fid(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  std::string save_stats, device = "auto";
  bool save_mode = false, cache = true;
  ExtractorOptions eo;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--weights")
      eo.inception_weights = take_value(args, i);
    else if (a == "--batch-size")
      eo.batch_size = parse_int_flag(a, take_value(args, i), 1, 4096);
    else if (a == "--dims")
      eo.inception_dims = parse_int_flag(a, take_value(args, i), 1, 4096);
    else if (a == "--device")
      device = take_value(args, i);
    else if (a == "--no-cache")
      cache = false;
    else if (a == "--save-stats")
      save_stats = take_value(args, i);
    else if (!a.empty() && a[0] == '-')
      throw UsageError(fmt::format("fid: unknown option '{}'", a));
    else
      paths.push_back(a);
  }
  if (paths.size() == 1 && !save_stats.empty()) {  // statistics only
    save_mode = true;
    if (std::filesystem::is_directory(save_stats)) std::swap(save_stats, paths[0]);  // pytorch-fid's order
  } else if (paths.size() != 2) {
    throw UsageError("fid needs two paths (folders or .npz statistics), or one with --save-stats FILE");
  }
  fid_block_for_dims(eo.inception_dims);  // validates --dims
  apply_threads(parse_threads("auto"));
  eo.device = parse_device(device);
  use_device(eo.device);
  register_builtins();
  std::unique_ptr<FeatureExtractor> ex;
  const bool need_model = std::any_of(paths.begin(), paths.end(), [](const std::string& p) {
    return std::filesystem::path(p).extension() != ".npz";
  });
  if (need_model) {
    try {
      ex = make_feature_extractor("inception", eo);
      fmt::print(stderr, "ganbench fid: {}\n", ex->description());
    } catch (const ExtractorUnavailable& e) {
      throw std::runtime_error(e.what());
    }
  }
  FolderStatsOptions fo;
  if (ex) fo.batch_size = ex->batch_size();
  if (ex && eo.batch_size == 0)
    fmt::print(stderr, "ganbench fid: batch {} ({}; --batch-size N to choose)\n", fo.batch_size,
               eo.device.is_cuda() ? "the GPU default"
                                   : "the largest that keeps peak memory under 1 GiB on the CPU");
  if (cache) fo.cache_dir = user_cache_dir().empty() ? "" : user_cache_dir() / "stats";
  const FeatureStats a = stats_of(paths[0], ex.get(), fo);
  if (!save_stats.empty()) {
    save_stats_npz(save_stats, a);
    fmt::print(stderr, "ganbench fid: statistics of {} saved to {}\n", paths[0], save_stats);
  }
  if (save_mode) return 0;
  const FeatureStats b = stats_of(paths[1], ex.get(), fo);
  print_fid(paths[0], a, paths[1], b);
  return 0;
}

int cmd_weights(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "import" && args[0] != "fetch"))
    throw UsageError("weights needs a subcommand: import FILE.pth, or fetch");
  std::string pth, url = kFidWeightsUrl;
  std::filesystem::path out = cached_fid_weights_path();
  for (size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--out")
      out = take_value(args, i);
    else if (a == "--url" && args[0] == "fetch")
      url = take_value(args, i);
    else if (!a.empty() && a[0] == '-')
      throw UsageError(fmt::format("weights {}: unknown option '{}'", args[0], a));
    else if (args[0] == "import" && pth.empty())
      pth = a;
    else
      throw UsageError(fmt::format("weights {}: unexpected argument '{}'", args[0], a));
  }
  if (args[0] == "import" && pth.empty()) throw UsageError("weights import needs a FILE.pth");
  if (out.empty()) throw UsageError("no cache folder (set XDG_CACHE_HOME or HOME), so give --out FILE");
  if (args[0] == "fetch") fmt::print(stderr, "ganbench weights: downloading {}\n", url);
  const ImportedWeights r = args[0] == "import" ? import_fid_weights(pth, out) : fetch_fid_weights(url, out);
  fmt::print("{}\n", r.safetensors.string());
  fmt::print(stderr, "ganbench weights: sha256 {} ({})\n", r.sha256,
             r.pytorch_fid ? "pytorch-fid's released file"
                           : "NOT pytorch-fid's released file: FIDs will not compare with published ones");
  return 0;
}

int cmd_turing(const std::vector<std::string>& args) {
  std::string run, out;
  TuringOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--out")
      out = take_value(args, i);
    else if (a == "--n")
      o.n = parse_int_flag(a, take_value(args, i), 2, 10000);
    else if (a == "--cells")
      o.cells = split_commas(take_value(args, i));
    else if (a == "--seed")
      o.seed = static_cast<uint64_t>(parse_int_flag(a, take_value(args, i), 0, INT64_MAX));
    else if (!a.empty() && a[0] == '-')
      throw UsageError(fmt::format("turing: unknown option '{}'", a));
    else if (run.empty())
      run = a;
    else
      throw UsageError(fmt::format("turing: unexpected argument '{}'", a));
  }
  if (run.empty() || out.empty()) throw UsageError("turing needs a RUN_DIR and --out FILE.html");
  const TuringPage p = write_turing_page(run, out, o);
  fmt::print("{}\n", out);
  fmt::print(stderr, "ganbench turing: page {} with {} images; answer key {}\n", p.id, p.items,
             p.key.string());
  return 0;
}

int cmd_turing_score(const std::vector<std::string>& args) {
  std::string answers, run;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--run")
      run = take_value(args, i);
    else if (!a.empty() && a[0] == '-')
      throw UsageError(fmt::format("turing-score: unknown option '{}'", a));
    else if (answers.empty())
      answers = a;
    else
      throw UsageError(fmt::format("turing-score: unexpected argument '{}'", a));
  }
  if (answers.empty() || run.empty()) throw UsageError("turing-score needs ANSWERS.json and --run RUN_DIR");
  const auto scores = score_turing(answers, run);
  store_turing_scores(run, scores);
  fmt::print("{:<28} {:<12} {:>4} {:>22} {:>22} {:>22} {:>9}\n", "cell", "rater", "n", "accuracy [95% CI]",
             "sensitivity [95% CI]", "specificity [95% CI]", "p");
  auto ci = [](double v, double lo, double hi) { return fmt::format("{:.3f} [{:.3f}, {:.3f}]", v, lo, hi); };
  for (const auto& s : scores)
    fmt::print("{:<28} {:<12} {:>4} {:>22} {:>22} {:>22} {:>9.3g}\n", s.cell, s.rater, s.n,
               ci(s.accuracy, s.accuracy_lo, s.accuracy_hi),
               ci(s.sensitivity, s.sensitivity_lo, s.sensitivity_hi),
               ci(s.specificity, s.specificity_lo, s.specificity_hi), s.p_value);
  return 0;
}

int cmd_submit(const std::vector<std::string>& args) {
  std::string config, out, only;
  SubmitOptions opts;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--out")
      out = take_value(args, i);
    else if (a == "--only")
      only = take_value(args, i);
    else if (a == "--dry-run")
      opts.dry_run = true;
    else if (a == "--wait")
      opts.wait = true;
    else if (!a.empty() && a[0] == '-')
      throw UsageError(fmt::format("submit: unknown option '{}'", a));
    else if (config.empty())
      config = a;
    else
      throw UsageError(fmt::format("submit: unexpected argument '{}'", a));
  }
  if (config.empty()) throw UsageError("submit needs a CONFIG.yaml");
  SweepConfig cfg = load_sweep_config(config);
  if (!out.empty()) cfg.output = out;
  if (!only.empty()) opts.only = parse_cell_filter(only);
  opts.exe = std::filesystem::read_symlink("/proc/self/exe").string();
  return submit_sweep(cfg, opts);
}

int cmd_status(const std::vector<std::string>& args) {
  if (args.size() != 1) throw UsageError("status needs one RUN_DIR");
  const auto states = cell_states(args[0]);
  std::map<std::string, int> count;
  fmt::print("{:<32} {:<12} {:<8} {:<12} {}\n", "cell", "state", "where", "job", "note");
  for (const auto& s : states) {
    ++count[s.state];
    fmt::print("{:<32} {:<12} {:<8} {:<12} {}\n", s.id, s.state, s.where, s.job, s.error);
  }
  std::vector<std::string> parts;
  for (const char* k : {"done", "running", "queued", "failed", "interrupted", "stopped", "pending"})
    if (count[k]) parts.push_back(fmt::format("{} {}", count[k], k));
  fmt::print("{} cells: {}\n", states.size(), fmt::join(parts, ", "));
  return 0;
}

int cmd_merge(const std::vector<std::string>& args) {
  std::string run;
  bool report = true;
  for (const auto& a : args) {
    if (a == "--no-report")
      report = false;
    else if (!a.empty() && a[0] == '-')
      throw UsageError(fmt::format("merge: unknown option '{}'", a));
    else if (run.empty())
      run = a;
    else
      throw UsageError(fmt::format("merge: unexpected argument '{}'", a));
  }
  if (run.empty()) throw UsageError("merge needs a RUN_DIR");
  const MergeSummary m = merge_shards(run);
  fmt::print(stderr, "ganbench: merged {} shards into {}: {} cells done, {} not done\n", m.merged, run, m.done,
             m.not_done);
  if (report)
    for (const auto& f : write_report({run}, {})) fmt::print("{}\n", f.string());
  return m.not_done > 0 ? 3 : 0;
}

int cmd_check_config(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "--help-keys") {  // every key: type, range, default, meaning
    const SweepConfig defaults;
    for (const auto& k : config_keys()) {
      fmt::print("{:<28} {:<20} {:<22} default {}\n{:<28} {}\n", k.key, k.type, k.range,
                 config_value(defaults, k.key), "", k.help);
    }
    return 0;
  }
  if (args.size() != 1) throw UsageError("check-config needs one CONFIG.yaml (or --help-keys)");
  fmt::print("{}", to_yaml(load_sweep_config(args[0])));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    fmt::print(args.empty() ? stderr : stdout, "{}", kUsage);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    fmt::print("ganbench 0.1.0 (LibTorch {}.{}.{}, {})\n", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR,
               TORCH_VERSION_PATCH, blas_name());
    return 0;
  }
  const std::string cmd = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (cmd == "run") return cmd_run(rest);
    if (cmd == "report") return cmd_report(rest);
    if (cmd == "submit") return cmd_submit(rest);
    if (cmd == "status") return cmd_status(rest);
    if (cmd == "merge") return cmd_merge(rest);
    if (cmd == "list") return cmd_list(rest);
    if (cmd == "export") return cmd_export(rest);
    if (cmd == "verify") return cmd_verify(rest);
    if (cmd == "data") return cmd_data(rest);
    if (cmd == "fid") return cmd_fid(rest);
    if (cmd == "check-config") return cmd_check_config(rest);
    if (cmd == "weights") return cmd_weights(rest);
    if (cmd == "turing") return cmd_turing(rest);
    if (cmd == "turing-score") return cmd_turing_score(rest);
    throw UsageError(fmt::format("unknown command '{}'", cmd));
  } catch (const UsageError& e) {
    fmt::print(stderr, "ganbench: {}\n{}", e.what(), kUsage);
    return 2;
  } catch (const ConfigError& e) {
    fmt::print(stderr, "ganbench: config error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ganbench: error: {}\n", e.what());
    return 1;
  }
}
