#!/usr/bin/env bash
# ganbench under AddressSanitizer + UndefinedBehaviorSanitizer (gcc). Installs what scripts/setup.sh installs.
#   scripts/sanitize.sh         the readers of untrusted files (.pth, zip, .npy/.npz, safetensors, NIfTI, image
#                               folders, YAML configs) and their suites, instrumented inside the Release tree
#                               (build/, target ganbench_reader_tests_asan); the rest links uninstrumented.
#                               What CI runs: about 6 minutes after the Release build.
#   scripts/sanitize.sh --full  every source and the whole suite in a tree of their own (build-asan/), then
#                               LeakSanitizer on the CLI commands that read files; about 30 minutes on 2 cores.
# LibTorch, OpenCV and the other libraries stay uninstrumented; UBSan's vptr check is off, since their classes
# carry no sanitizer type data. docs/reliability.md says what runs where.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=readers
case "${1:-}" in
  "") ;;
  --full) mode=full ;;
  *) echo "usage: scripts/sanitize.sh [--full]" >&2; exit 2 ;;
esac
./scripts/setup.sh
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [[ $mode == readers ]]; then
  ./scripts/build.sh > /dev/null  # no-op when the Release build is current
  cmake --build build --target ganbench_reader_tests_asan -j "$(nproc)"
  # Leak checking stays off: LibTorch's and OpenCV's process-lifetime allocations would drown the readers'.
  export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:detect_stack_use_after_return=1
  build/tests/ganbench_reader_tests_asan --test-case-exclude='*[slow]*,*[browser]*,*[python-made]*'
  echo "sanitize: the readers' suites ran clean under ASan + UBSan (scripts/sanitize.sh --full: everything)"
  exit 0
fi
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGANBENCH_SANITIZE=address,undefined \
  -DGANBENCH_BUILD_BENCH=OFF > /dev/null
jobs=$(nproc)
mem_jobs=$(( $(awk '/MemAvailable/ {print int($2/1048576)}' /proc/meminfo) / 3 ))  # ASan needs more memory
(( mem_jobs >= 1 && mem_jobs < jobs )) && jobs=$mem_jobs
cmake --build build-asan -j "$jobs"
# Leaks are checked below on the CLI; in the suite, LibTorch's process-lifetime allocations would drown them.
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1
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
