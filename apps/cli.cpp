#include "apps/cli.h"

#include <fmt/format.h>

namespace ganbench::cli {

const Command* find_command(const std::string& name) {
  for (const Command* c : commands())
    if (name == c->name) return c;
  return nullptr;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = s.find(',', start);
    const std::string item = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!item.empty()) out.push_back(item);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

int64_t parse_int_flag(const std::string& flag, const std::string& value, int64_t lo, int64_t hi) {
  try {
    size_t used = 0;
    const long long x = std::stoll(value, &used);
    if (used == value.size() && x >= lo && x <= hi) return x;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("{} must be an integer in [{}, {}], got '{}'", flag, lo, hi, value));
}

std::string take_value(const Args& args, size_t& i) {
  if (i + 1 >= args.size()) throw UsageError(fmt::format("{} needs a value", args[i]));
  return args[++i];
}

void take_positional(const char* command, const std::string& arg, const std::vector<std::string*>& slots) {
  if (!arg.empty() && arg[0] == '-') throw UsageError(fmt::format("{}: unknown option '{}'", command, arg));
  for (std::string* s : slots)
    if (s->empty()) {
      *s = arg;
      return;
    }
  throw UsageError(fmt::format("{}: unexpected argument '{}'", command, arg));
}

}  // namespace ganbench::cli
