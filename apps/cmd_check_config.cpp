// ganbench check-config: a config validated and printed fully resolved, or every key of the config table.
#include <fmt/format.h>

#include "apps/cli.h"
#include "experiments/config.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
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

extern const Command kCheckConfigCommand = {"check-config", R"(  ganbench check-config CONFIG.yaml
      Validate a config and print it fully resolved.
  ganbench check-config --help-keys
      Every config key with its type, range, default and meaning.
)",
                                            run};

}  // namespace ganbench::cli
