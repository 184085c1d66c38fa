// The command line's building blocks: one Command per file of apps/ (usage beside its parser), the table
// that lists them (apps/commands.cpp), and the small argument helpers every parser shares.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ganbench::cli {

using Args = std::vector<std::string>;

// A wrong command line: exit 2 with the command's usage.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Command {
  const char* name;              // what the user types: `ganbench NAME ...`
  const char* usage;             // the synopsis and what it does, as `ganbench NAME --help` prints it
  int (*run)(const Args& args);  // the arguments after NAME; returns the exit code
};

// Every command in the order `ganbench --help` lists them (apps/commands.cpp).
const std::vector<const Command*>& commands();
// nullptr when there is no such command.
const Command* find_command(const std::string& name);

// "a,b,,c" -> {a, b, c}
std::vector<std::string> split_commas(const std::string& s);
// An integer flag value in [lo, hi], or a UsageError naming the flag.
int64_t parse_int_flag(const std::string& flag, const std::string& value, int64_t lo, int64_t hi);
// The value of the flag at args[i] (advancing i), or a UsageError when it is the last argument.
std::string take_value(const Args& args, size_t& i);
// An argument no flag took: an unknown option, or the next empty slot of the positional ones, or a UsageError.
void take_positional(const char* command, const std::string& arg, const std::vector<std::string*>& slots);

}  // namespace ganbench::cli
