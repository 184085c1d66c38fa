#!/usr/bin/env bash
# Configures and builds ganbench (Release, Ninja) into build/. Usage: scripts/build.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
# LibTorch translation units need about 2 GiB each; cap parallel jobs by memory as well as cores.
mem_jobs=$(( $(awk '/MemAvailable/ {print int($2/1048576)}' /proc/meminfo) / 2 ))
(( mem_jobs >= 1 && mem_jobs < jobs )) && jobs=$mem_jobs
cmake --build build -j "$jobs"
