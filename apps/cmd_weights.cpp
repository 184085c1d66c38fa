// ganbench weights import / fetch: pytorch-fid's Inception weights into the safetensors cache.
#include <fmt/format.h>

#include "apps/cli.h"
#include "metrics/fid_weights.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  if (args.empty() || (args[0] != "import" && args[0] != "fetch"))
    throw UsageError("weights needs a subcommand: import FILE.pth, or fetch");
  const bool import = args[0] == "import";
  std::string pth, url = kFidWeightsUrl, out = cached_fid_weights_path().string();
  for (size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--out")
      out = take_value(args, i);
    else if (a == "--url" && !import)
      url = take_value(args, i);
    else if (import)
      take_positional("weights import", a, {&pth});
    else
      take_positional("weights fetch", a, {});
  }
  if (import && pth.empty()) throw UsageError("weights import needs a FILE.pth");
  if (out.empty()) throw UsageError("no cache folder (set XDG_CACHE_HOME or HOME), so give --out FILE");
  if (!import) fmt::print(stderr, "ganbench weights: downloading {}\n", url);
  const ImportedWeights r = import ? import_fid_weights(pth, out) : fetch_fid_weights(url, out);
  fmt::print("{}\n", r.safetensors.string());
  fmt::print(stderr, "ganbench weights: sha256 {} ({})\n", r.sha256,
             r.pytorch_fid ? "pytorch-fid's released file"
                           : "NOT pytorch-fid's released file: FIDs will not compare with published ones");
  return 0;
}

}  // namespace

extern const Command kWeightsCommand = {"weights", R"(  ganbench weights import FILE.pth [--out FILE.safetensors]
  ganbench weights fetch [--url URL] [--out FILE.safetensors]
      Read pytorch-fid's pt_inception-2015-12-05-6726825d.pth natively (zip or legacy format; the SHA-256
      prefix in its name is checked, then every key and shape) and store it as the safetensors that `fid`
      and sweeps use when no path is given (default $XDG_CACHE_HOME/ganbench/fid_inception.safetensors).
      fetch downloads it first (curl or wget) from pytorch-fid's release URL.
)",
                                        run};

}  // namespace ganbench::cli
