// ganbench translate: a trained translation cell applied to a user's NIfTI, image or .npy files.
#include <fmt/format.h>

#include "apps/cli.h"
#include "common/runtime.h"
#include "experiments/builtins.h"
#include "experiments/translate_files.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  TranslateFilesOptions o;
  std::string run_dir, input, output, device = "auto";
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--cell")
      o.cell = take_value(args, i);
    else if (a == "--device")
      device = take_value(args, i);
    else
      take_positional("translate", a, {&run_dir, &input, &output});
  }
  if (output.empty() || o.cell.empty()) throw UsageError("translate needs RUN_DIR --cell ID INPUT OUTPUT");
  o.run_dir = run_dir;
  o.input = input;
  o.output = output;
  apply_threads(parse_threads("auto"));
  o.device = parse_device(device);
  use_device(o.device);
  register_builtins();
  for (const auto& p : translate_files(o)) fmt::print("{}\n", p.string());
  return 0;
}

}  // namespace

extern const Command kTranslateCommand = {"translate", R"(  ganbench translate RUN_DIR --cell ID INPUT OUTPUT [--device D]
      Applies a finished translation cell to a file or a folder of .nii/.nii.gz, .png/.tif or .npy files with
      its training preprocessing (the source's CT window or MRI percentiles, square pad and resize), and writes
      each result in the input's format and geometry: NIfTI with the input's header (float32, HU for a CT
      target, [0, 1] otherwise), images at their size and bit depth. Prints the files written.
)",
                                          run};

}  // namespace ganbench::cli
