// The `ganbench` command: a torch-free front end. It answers what needs no network model (the FID between
// two statistics files, `ganbench fid a.npz b.npz`) without loading LibTorch, which takes about 0.6 s of a
// process's start, and hands every other command to ganbench-core, installed beside it, by execv (the same
// PID, so signals, locks and exit codes are those of ganbench-core).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apps/fid_of_stats.h"
#include "common/blas.h"
#include "metrics/feature_stats.h"

namespace {

bool is_npz(const std::string& p) { return std::filesystem::path(p).extension() == ".npz"; }

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  // `fid A.npz B.npz` without options; anything else (folders, --save-stats, --dims...) goes to the core.
  if (args.size() == 3 && args[0] == "fid" && is_npz(args[1]) && is_npz(args[2])) {
    // Only this process picks OpenBLAS's kernels: ganbench-core keeps OpenBLAS's own choice, since its
    // training results depend on the single-precision kernels (stored runs stay bit-identical).
    ganbench::select_blas_kernels(argv);
    try {
      const auto a = ganbench::load_stats_npz(args[1]);
      const auto b = ganbench::load_stats_npz(args[2]);
      ganbench::print_fid(args[1], a, args[2], b);
      return 0;
    } catch (const std::exception& e) {
      fmt::print(stderr, "ganbench: error: {}\n", e.what());
      return 1;
    }
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto core = (ec ? std::filesystem::path(argv[0]).parent_path() : self.parent_path()) / "ganbench-core";
  ::execv(core.c_str(), argv);
  fmt::print(stderr, "ganbench: cannot start {}: {}\n", core.string(), std::strerror(errno));
  return 127;
}
