#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the whole test suite.
#   scripts/test.sh          unit tests, CLI checks, benchmark smoke runs and the slow end-to-end tests
#   scripts/test.sh --fast     everything except the tests labelled slow
#   scripts/test.sh --browser  only the browser tests: installs Debian's chromium (and node, playwright-core),
#                              renders an HTML report and clicks through a visual Turing test page
set -euo pipefail
cd "$(dirname "$0")/.."
label_args=(-LE browser)
case "${1:-}" in
  --fast) label_args=(-LE "slow|browser") ;;
  --browser) label_args=(-L browser) ;;
esac
./scripts/setup.sh ${1:+"$1"}
./scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 900 "${label_args[@]}"
