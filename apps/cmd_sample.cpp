// ganbench sample: a finished synthesis cell's generator exported as a dataset (nnU-Net v2, MSD, NIfTI, PNG or
// .npy), marked synthetic, with its provenance record and behind the memorization gate.
#include <cmath>
#include <csignal>

#include <fmt/format.h>

#include "apps/cli.h"
#include "common/process.h"
#include "common/runtime.h"
#include "experiments/builtins.h"
#include "experiments/sample_export.h"

namespace ganbench::cli {
namespace {

double parse_number(const std::string& flag, const std::string& v) {
  size_t used = 0;
  double d = 0;
  try {
    d = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || !std::isfinite(d)) throw UsageError(fmt::format("{} needs a number, got '{}'", flag, v));
  return d;
}

int run(const Args& args) {
  SampleExportOptions o;
  std::string run_dir, device = "auto";
  bool have_n = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--cell")
      o.cell = take_value(args, i);
    else if (a == "--n")
      o.n = parse_int_flag(a, take_value(args, i), 1, int64_t{1} << 40), have_n = true;
    else if (a == "--out")
      o.out = take_value(args, i);
    else if (a == "--format")
      o.format = take_value(args, i);
    else if (a == "--seed")
      o.seed = static_cast<uint64_t>(parse_int_flag(a, take_value(args, i), 0, INT64_MAX));
    else if (a == "--truncation")
      o.truncation = parse_number(a, take_value(args, i));
    else if (a == "--batch")
      o.batch = parse_int_flag(a, take_value(args, i), 1, 1 << 16);
    else if (a == "--checkpoint")
      o.checkpoint = parse_int_flag(a, take_value(args, i), 0, INT64_MAX);
    else if (a == "--bits")
      o.bits = static_cast<int>(parse_int_flag(a, take_value(args, i), 8, 16));
    else if (a == "--resume")
      o.resume = true;
    else if (a == "--allow-near-copies")
      o.allow_near_copies = true;
    else if (a == "--near-copy-limit")
      o.near_copy_limit = parse_number(a, take_value(args, i));
    else if (a == "--dedupe-against-train")
      o.dedupe = parse_number(a, take_value(args, i));
    else if (a == "--device")
      device = take_value(args, i);
    else
      take_positional("sample", a, {&run_dir});
  }
  if (run_dir.empty() || o.cell.empty() || !have_n || o.out.empty())
    throw UsageError("sample needs RUN_DIR --cell ID --n N --out DIR");
  o.run_dir = run_dir;
  std::signal(SIGXFSZ, SIG_IGN);  // past a file-size limit a write fails (EFBIG) and is reported, as on a full disk
  apply_threads(parse_threads("auto"));
  o.device = parse_device(device);
  use_device(o.device);
  register_builtins();
  const SampleExportResult r = sample_export(o);
  fmt::print("{}: {} cases written, {} already complete, {} dropped near training images; provenance: {}; peak RSS "
             "{:.0f} MiB\n",
             o.out.string(), r.written, r.skipped, r.dropped, r.provenance.string(), peak_rss_mib());
  return 0;
}

}  // namespace

extern const Command kSampleCommand = {"sample", R"(  ganbench sample RUN_DIR --cell ID --n N --out DIR [--format nnunet|msd|nifti|png|npy] [--seed S]
                  [--truncation PSI] [--batch B] [--checkpoint STEP] [--bits 8|16] [--resume]
                  [--allow-near-copies] [--near-copy-limit F] [--dedupe-against-train D] [--device D]
      Samples N image + label pairs from a finished synthesis cell's generator (its EMA copy where it has one)
      and writes them as a dataset: nnunet (default; DIR named DatasetXXX_Name: imagesTr/<case>_0000.nii.gz,
      labelsTr/<case>.nii.gz, dataset.json), msd (imagesTr/, labelsTr/ and a dataset.json with the training
      list monai.data.load_decathlon_datalist reads), nifti (images/, labels/), png (images/ 8- or 16-bit,
      masks/ label values: a folder source) or npy. NIfTI: float32 (CT in HU), uint8 labels, the training
      data's spacing, descrip "ganbench synthetic <cell>". Writes provenance.json (the model, its checkpoint's
      SHA-256, the training data, the sampling, the cell's stored metrics) and README.txt. Refuses a cell
      whose memorization audit is missing or shows a near-copy fraction above F (default 0.10) in any space,
      unless --allow-near-copies (recorded). Same command, same bytes; --resume completes an interrupted export.
)",
                                       run};

}  // namespace ganbench::cli
