// ganbench fid: FID between two image folders or .npz statistics, as `python -m pytorch_fid` computes it.
#include <algorithm>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "apps/cli.h"
#include "apps/fid_of_stats.h"
#include "common/runtime.h"
#include "experiments/builtins.h"
#include "metrics/feature_extractor.h"
#include "metrics/fid_folder.h"
#include "metrics/fid_weights.h"
#include "metrics/inception.h"

namespace ganbench::cli {
namespace {

// A folder's statistics, or a stored .npz's.
FeatureStats stats_of(const std::string& path, FeatureExtractor* ex, const FolderStatsOptions& opts) {
  if (std::filesystem::path(path).extension() == ".npz") return load_stats_npz(path);
  if (!ex) throw std::logic_error("no extractor");
  return folder_stats(path, *ex, opts);
}

int run(const Args& args) {
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

}  // namespace

extern const Command kFidCommand = {"fid", R"(  ganbench fid PATH_A PATH_B [--weights FILE] [--batch-size N] [--dims 64|192|768|2048] [--device D]
               [--save-stats FILE] [--no-cache]
  ganbench fid --save-stats DIR OUT.npz [...]
      FID between two image folders or pytorch-fid .npz statistics files, as `python -m pytorch_fid`;
      prints "FID:  <value>". Weights: --weights, $GANBENCH_FID_WEIGHTS or the `weights import` cache.
)",
                                    run};

}  // namespace ganbench::cli
