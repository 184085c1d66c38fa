#!/usr/bin/env bash
# Configures and builds ganbench (Release, Ninja) into build/ ($GANBENCH_BUILD_DIR).
#   scripts/build.sh [--libtorch DIR] [extra cmake args]
# --libtorch DIR (or $GANBENCH_LIBTORCH) builds against another LibTorch 2.x instead of Debian's 1.13: an
# unpacked pytorch.org archive (DIR/share/cmake/Torch) or a pip install's `torch.utils.cmake_prefix_path`,
# CUDA or not. For CUDA, nvcc must be on PATH (e.g. `module load cuda`); docs: README "Running on a cluster".
set -euo pipefail
cd "$(dirname "$0")/.."
build=${GANBENCH_BUILD_DIR:-build}
libtorch=${GANBENCH_LIBTORCH:-}
args=()
while (($#)); do
  case "$1" in
    --libtorch) libtorch=${2:?--libtorch needs a folder}; shift 2 ;;
    --libtorch=*) libtorch=${1#*=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ -n $libtorch ]]; then
  config=$(find "$libtorch" -maxdepth 4 -name TorchConfig.cmake -print -quit 2> /dev/null || true)
  [[ -n $config ]] || { echo "build.sh: no TorchConfig.cmake under $libtorch (want a LibTorch folder or torch.utils.cmake_prefix_path)" >&2; exit 2; }
  torch_dir=$(cd "$(dirname "$config")" && pwd)
  echo "build.sh: LibTorch from $torch_dir" >&2
  # The CUDA compatibility shim fills CUDA:: targets a newer toolkit no longer ships (nvToolsExt in CUDA 13);
  # --no-as-needed keeps libtorch_cuda linked although ganbench calls nothing in it directly.
  args+=(-DTorch_DIR="$torch_dir" -DCMAKE_PREFIX_PATH="$(dirname "$torch_dir")"
         -DCMAKE_PROJECT_INCLUDE="$PWD/cmake/libtorch_cuda_compat.cmake" -DCMAKE_EXE_LINKER_FLAGS=-Wl,--no-as-needed)
fi
jobs=$(nproc)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${args[@]+"${args[@]}"} >/dev/null
# LibTorch translation units need about 2 GiB each; cap parallel jobs by memory as well as cores.
mem_jobs=$(( $(awk '/MemAvailable/ {print int($2/1048576)}' /proc/meminfo) / 2 ))
(( mem_jobs >= 1 && mem_jobs < jobs )) && jobs=$mem_jobs
cmake --build "$build" -j "$jobs"
