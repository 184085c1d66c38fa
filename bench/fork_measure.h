// Runs a measurement in a forked child and reports that process's peak resident set (getrusage ru_maxrss), so
// measurements do not share allocator state. The memory benches' common helper.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "common/runtime.h"

namespace ganbench::bench {

struct Result {
  double seconds = 0, peak_mib = 0;
  bool ok = false;  // the child exited 0 and reported its seconds
};

// fn runs in the child with `threads` intra-op threads and returns the seconds it timed.
template <typename Fn>
Result measure_forked(Fn&& fn, int threads) {
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    apply_threads(threads);
    const double secs = fn();
    if (write(fd[1], &secs, sizeof secs) != sizeof secs) _exit(2);
    _exit(0);
  }
  close(fd[1]);
  Result r;
  if (read(fd[0], &r.seconds, sizeof r.seconds) == sizeof r.seconds) r.ok = true;
  close(fd[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  r.ok = r.ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  r.peak_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;  // KiB on Linux
  return r;
}

}  // namespace ganbench::bench
