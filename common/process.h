// Facts about this process and host, for the results database.
#pragma once

#include <string>
#include <vector>

namespace ganbench {

// Peak resident memory since the last reset, in MiB (VmHWM); NaN where /proc is missing.
double peak_rss_mib();
// Resets the peak to the current RSS (Linux >= 4.0; best effort, ignored where not permitted).
void reset_peak_rss();
// This machine's host name, or "unknown".
std::string host_name();
// SIGINT and SIGTERM ask a run to stop after the current training step: the handler records the signal
// (and restores the default action, so a second one kills at once). 0 when none arrived.
void install_stop_handlers();
int stop_signal();

// Runs argv[0] (searched on PATH) with argv, without a shell, and waits. Returns its exit status, 128+signal
// when killed, or -1 when it cannot be started (not installed). With `output`, its standard output is
// collected there.
int run_program(const std::vector<std::string>& argv, std::string* output = nullptr);

}  // namespace ganbench
