// Training progress: a live status line on a terminal, plain log lines otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace ganbench {

class Progress {
 public:
  // `log_every`: steps between plain log lines when the stream is not a terminal.
  Progress(std::string label, int64_t total_steps, int64_t first_step, int64_t log_every,
           std::FILE* out = stderr);
  void update(int64_t step, const std::vector<std::pair<std::string, double>>& values);
  void finish();
  double steps_per_second() const;

 private:
  std::string label_;
  int64_t total_, first_, log_every_, last_step_;
  std::FILE* out_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

std::string format_duration(double seconds);  // "1h02m", "3m05s", "12s"

}  // namespace ganbench
