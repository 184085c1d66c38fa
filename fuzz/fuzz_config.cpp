// libFuzzer target: sweep YAML through parse_sweep_config (YAML parser, the key table, types, ranges and
// validate()). The only documented failure is ConfigError; a config that parses must round-trip: its
// resolved YAML (to_yaml, what cell hashes are taken of) parses back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "experiments/builtins.h"
#include "experiments/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool registered = (ganbench::register_builtins(), true);
  (void)registered;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ganbench::SweepConfig cfg;
  try {
    cfg = ganbench::parse_sweep_config(text, "fuzz.yaml");
  } catch (const ganbench::ConfigError&) {
    return 0;
  }
  const std::string resolved = ganbench::to_yaml(cfg);
  std::string again;
  try {
    again = ganbench::to_yaml(ganbench::parse_sweep_config(resolved, "resolved.yaml"));
  } catch (const ganbench::ConfigError& e) {
    std::fprintf(stderr, "resolved YAML of a valid config does not parse: %s\n%s", e.what(), resolved.c_str());
    std::abort();
  }
  if (again != resolved) {
    std::fprintf(stderr, "round trip changed the config:\n%s---\n%s", resolved.c_str(), again.c_str());
    std::abort();
  }
  for (const auto& k : ganbench::config_keys())
    ganbench::config_value(cfg, k.key);
  return 0;
}
