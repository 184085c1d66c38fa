#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the whole test suite.
#   scripts/test.sh          unit tests, CLI checks, benchmark smoke runs and the slow end-to-end tests
#   scripts/test.sh --fast   everything except the tests labelled slow
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
label_args=()
[[ "${1:-}" == "--fast" ]] && label_args=(-LE slow)
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 900 "${label_args[@]}"
