#include "common/progress.h"

#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

namespace ganbench {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const auto t = static_cast<int64_t>(std::llround(s));
  if (t >= 3600) return fmt::format("{}h{:02d}m", t / 3600, (t % 3600) / 60);
  if (t >= 60) return fmt::format("{}m{:02d}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

Progress::Progress(std::string label, int64_t total_steps, int64_t first_step, int64_t log_every,
                   std::FILE* out)
    : label_(std::move(label)),
      total_(total_steps),
      first_(first_step),
      log_every_(log_every > 0 ? log_every : 1),
      last_step_(first_step),
      out_(out),
      tty_(::isatty(::fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double Progress::steps_per_second() const {
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return dt > 0 ? static_cast<double>(last_step_ - first_) / dt : 0.0;
}

void Progress::update(int64_t step, const std::vector<std::pair<std::string, double>>& values) {
  last_step_ = step;
  const auto now = std::chrono::steady_clock::now();
  const bool last = step >= total_;
  if (tty_) {
    if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
  } else if (step % log_every_ != 0 && !last) {
    return;
  }
  last_draw_ = now;
  const double rate = steps_per_second();
  std::string line = fmt::format("{} step {}/{}", label_, step, total_);
  for (const auto& [k, v] : values) line += fmt::format(" {} {:.4f}", k, v);
  line +=
      fmt::format(" | {:.1f} steps/s ETA {}", rate, format_duration(rate > 0 ? (total_ - step) / rate : NAN));
  if (tty_)
    fmt::print(out_, "\r\033[K{}", line);
  else
    fmt::print(out_, "{}\n", line);
  std::fflush(out_);
}

void Progress::finish() {
  if (tty_) fmt::print(out_, "\n");
  std::fflush(out_);
}

}  // namespace ganbench
