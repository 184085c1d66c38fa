// ganbench data preview: a sample sheet of a modality's images and label maps.
#include <fmt/format.h>

#include "apps/cli.h"
#include "common/atomic_file.h"
#include "datasets/data_source.h"
#include "datasets/modality.h"
#include "experiments/builtins.h"
#include "experiments/config.h"
#include "reports/sample_grid.h"

namespace ganbench::cli {
namespace {

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

int run(const Args& args) {
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
    else
      take_positional("data preview", a, {&modalities});
  }
  if (modalities.empty() || out.empty()) throw UsageError("data preview needs a MODALITY and --out FILE.png");
  register_builtins();
  DataConfig data;
  if (!config.empty()) data = load_sweep_config(config).data;
  std::vector<std::string> names;
  if (modalities == "all") {  // every modality with a phantom, or with a source in --config
    for (const auto& n : modality_names())
      if (find_modality(n).phantom || data.source_for(n).format != "phantom") names.push_back(n);
  } else {
    names = split_commas(modalities);
  }
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

}  // namespace

extern const Command kDataCommand = {"data", R"(  ganbench data preview MODALITY[,MODALITY...] --out FILE.png [--size PX] [--count N] [--seed S] [--config CONFIG.yaml]
      Sample sheet of a modality's images with their label maps: the built-in phantom, or the source
      that CONFIG.yaml's data section gives for that modality. 'all' previews every modality.
)",
                                     run};

}  // namespace ganbench::cli
