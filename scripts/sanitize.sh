#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (gcc), in its own build folder
# (build-asan/), with LibTorch and the other libraries uninstrumented; then LeakSanitizer on the CLI commands
# that read files. Installs what scripts/setup.sh installs. Usage: scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGANBENCH_SANITIZE=address,undefined \
  -DGANBENCH_BUILD_BENCH=OFF > /dev/null
jobs=$(nproc)
mem_jobs=$(( $(awk '/MemAvailable/ {print int($2/1048576)}' /proc/meminfo) / 3 ))  # ASan needs more memory
(( mem_jobs >= 1 && mem_jobs < jobs )) && jobs=$mem_jobs
cmake --build build-asan -j "$jobs"
# Leaks are checked below on the CLI; in the suite, LibTorch's process-lifetime allocations would drown them.
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$(nproc)" --timeout 1800 -LE "browser|bench")
# LeakSanitizer on the readers, through the CLI: a run folder (database, checkpoints, arrays, configs,
# images, reports), .npz statistics, YAML configs, and bad inputs that end in errors.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
g=build-asan/ganbench
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$g" run tests/configs/kill.yaml --out "$t" --quiet > /dev/null
"$g" verify "$t/kill" > /dev/null
"$g" export "$t/kill" > /dev/null
"$g" report "$t/kill" --format md,csv,tex,html,png --out "$t/report" > /dev/null
for f in experiments/configs/*.yaml; do "$g" check-config "$f" > /dev/null; done
"$g" submit tests/configs/slurm.yaml --out "$t" --dry-run > /dev/null
"$g" fid tests/fixtures/frechet/stats_a.npz tests/fixtures/frechet/stats_b.npz > /dev/null
for bad in tests/configs/bad_key.yaml tests/configs/bad_source.yaml; do
  rc=0
  "$g" run "$bad" --out "$t/bad" > /dev/null 2>&1 || rc=$?
  (( rc == 1 || rc == 2 )) || { echo "$bad: exit $rc (want 1 or 2; a sanitizer report exits otherwise)"; exit 1; }
done
echo "sanitize: the suite and the CLI readers ran clean under ASan + UBSan (+ LSan on the CLI)"
