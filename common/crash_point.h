// Fault injection for the crash-consistency test (tests/cli/kill_resume.sh). Header-only, so the torch-free
// libraries use it too.
#pragma once

#include <csignal>
#include <cstdlib>
#include <map>
#include <string>

namespace ganbench {

// With GANBENCH_CRASH_AT=NAME:N in the environment, the Nth call of crash_point(NAME) kills this process with
// SIGKILL (no handler runs, nothing is flushed). Otherwise a no-op after one getenv.
inline void crash_point(const std::string& name) {
  static const std::string spec = [] {
    const char* v = std::getenv("GANBENCH_CRASH_AT");
    return std::string(v ? v : "");
  }();
  if (spec.empty()) return;
  const auto colon = spec.rfind(':');
  if (colon != name.size() || spec.compare(0, colon, name) != 0) return;
  static std::map<std::string, long> calls;
  if (++calls[name] == std::strtol(spec.c_str() + colon + 1, nullptr, 10)) std::raise(SIGKILL);
}

}  // namespace ganbench
