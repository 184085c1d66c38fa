// ganbench-core: benchmark GAN architectures on medical images (README.md, docs/command-line.md). This file
// is the front end only: it finds the command in the table (apps/commands.cpp), prints usage, maps errors to
// exit codes (2 usage or config, 1 error; a command may return 3, e.g. when a cell failed).
#include <algorithm>

#include <fmt/format.h>

#include <torch/version.h>

#include "common/version.h"
#include "apps/cli.h"
#include "common/blas.h"
#include "experiments/config.h"

namespace {

using namespace ganbench;
using namespace ganbench::cli;

void print_usage(FILE* to) {
  fmt::print(to, "usage:\n");
  for (const Command* c : commands()) fmt::print(to, "{}", c->usage);
  fmt::print(to, "  ganbench --version\n  ganbench COMMAND --help\n      That command's usage alone.\n");
}

}  // namespace

int main(int argc, char** argv) {
  const Args args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    print_usage(args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    fmt::print("ganbench {} (commit {}; LibTorch {}.{}.{}, {})\n", ganbench_version(), ganbench_commit(),
               TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, blas_name());
    return 0;
  }
  const Command* cmd = find_command(args[0]);
  if (!cmd) {
    fmt::print(stderr, "ganbench: unknown command '{}'\n", args[0]);
    print_usage(stderr);
    return 2;
  }
  const Args rest(args.begin() + 1, args.end());
  if (std::any_of(rest.begin(), rest.end(), [](const std::string& a) { return a == "--help" || a == "-h"; })) {
    fmt::print("usage:\n{}", cmd->usage);
    return 0;
  }
  try {
    return cmd->run(rest);
  } catch (const UsageError& e) {
    fmt::print(stderr, "ganbench: {}\nusage:\n{}", e.what(), cmd->usage);
    return 2;
  } catch (const ConfigError& e) {
    fmt::print(stderr, "ganbench: config error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ganbench: error: {}\n", e.what());
    return 1;
  }
}
