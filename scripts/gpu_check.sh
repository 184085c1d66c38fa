#!/usr/bin/env bash
# The GPU figures in one command: builds ganbench against a pip LibTorch with CUDA and prints one Markdown table
# (also written to $OUT/gpu_check.md) of
#   - bench_train_step, StyleGAN2 at 128 px, batch 32: CUDA fp32 and bf16, CPU fp32 and bf16 (the CPU's bf16 row
#     gets a short time limit: on CPUs it runs 13-23x fp32's time, docs/benchmarks.md);
#   - `ganbench fid` images/s on 10,000 generated PNGs (two folders of 5,000, 128 px RGB) on CUDA;
#   - CPU-vs-CUDA agreement of `ganbench fid` on the same two folders of 500 (Inception runs with TF32 off).
# Usage:
#   scripts/gpu_check.sh --prepare   here (Debian 12): writes .gpu/ (the Debian libraries ganbench links, with
#                                    the real BLAS/LAPACK, which the Fréchet distance calls) for the device to carry;
#                                    the source is the working tree itself, which the device gets as it is
#   scripts/gpu_check.sh             on the GPU machine, from the repository root with .gpu/ carried: the run tool's
#                                    `bash scripts/gpu_check.sh` with carry [".gpu"]; ends itself within 8 minutes
#   scripts/gpu_check.sh --dry-run   here, on the CPU: every step at toy size against build/ (no CUDA), so a
#                                    broken step shows before device time is spent
# Facts about the GPU machine: ../shared/tools/gpu/README.md; the figures go to docs/benchmarks.md.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
mode=device
case "${1:-}" in
  --prepare) mode=prepare ;;
  --dry-run) mode=dry ;;
  "") ;;
  *) echo "usage: scripts/gpu_check.sh [--prepare | --dry-run]" >&2; exit 2 ;;
esac
T0=$(date +%s)
DEADLINE=$((T0 + 470))  # the whole device run stays under 8 minutes
left() { echo $((DEADLINE - $(date +%s))); }
tb() {  # tb SECONDS CMD...: CMD under a time limit, capped by what is left of the budget
  local want=$1 l
  shift
  l=$(left)
  ((l < 5)) && { echo "skipped (time budget used up): $*" >&2; return 124; }
  ((want > l)) && want=$l
  timeout -k 5 "$want" "$@"
}
say() { echo "== gpu_check [$(($(date +%s) - T0)) s]: $*" >&2; }
TOOLS=$ROOT/../shared/tools/gpu

# ---- --prepare: the bundle ----------------------------------------------------------------------------------
if [[ $mode == prepare ]]; then
  [[ -x $TOOLS/make_bundle.sh ]] || { echo "gpu_check: $TOOLS/make_bundle.sh not found" >&2; exit 1; }
  "$TOOLS/make_bundle.sh" .gpu || exit 1
  grep -qxF /.gpu/ .git/info/exclude 2> /dev/null || echo /.gpu/ >> .git/info/exclude
  # The bundle stubs BLAS and LAPACK (abort when called); ganbench's Fréchet distance calls LAPACK directly, so
  # the real libraries (Debian's alternatives: OpenBLAS pthread) travel beside it with their runtime closure.
  lib=/usr/lib/x86_64-linux-gnu
  files=()
  for so in libblas.so.3 liblapack.so.3; do
    real=$(readlink -f "$lib/$so") || exit 1
    files+=("$real")
    while read -r dep; do files+=("$dep"); done < <(ldd "$real" | awk '/=> \// {print $3}' | grep -E "openblas|gfortran|quadmath")
  done
  stage=$(mktemp -d)
  for f in "${files[@]}"; do cp -L "$f" "$stage/"; done
  cp -L "$(readlink -f "$lib/libblas.so.3")" "$stage/libblas.so.3"
  cp -L "$(readlink -f "$lib/liblapack.so.3")" "$stage/liblapack.so.3"
  tar -C "$stage" -czf .gpu/blas.tar.gz . && rm -rf "$stage"
  git rev-parse --short HEAD > .gpu/commit
  du -sh .gpu/* >&2
  echo "gpu_check: .gpu/ ready; on the device: bash scripts/gpu_check.sh (carry .gpu)" >&2
  exit 0
fi

OUT=${OUT:-/tmp/gpu_check}
mkdir -p "$OUT"
W=$(mktemp -d /tmp/gpu_check.XXXXXX)
rows=()  # the table's rows, filled as steps finish
row() { rows+=("| $1 | $2 | $3 |"); }

# ---- the build ----------------------------------------------------------------------------------------------
if [[ $mode == dry ]]; then
  say "dry run on the CPU against build/ (toy sizes; CUDA rows cannot run here)"
  [[ -x $TOOLS/make_bundle.sh && -f $TOOLS/torch_fix.cmake ]] || { echo "gpu_check: the bundle tools are missing in $TOOLS" >&2; exit 1; }
  [[ -x build/ganbench && -x build/bench/bench_train_step ]] || ./scripts/build.sh > /dev/null || exit 1
  B=$ROOT/build
  gb() { "$@"; }
  n_fid=16 n_agree=8 cpu_limit=120 arch=dcgan px=32 dev=cpu
  PY=/usr/bin/python3  # Debian's numpy and python3-torch (scripts/setup.sh installs them)
else
  say "environment"
  nvidia-smi -L 2>&1 | head -2 >&2
  [[ -f .gpu/deps.tar.xz && -f .gpu/torch_fix.cmake ]] || { echo "gpu_check: no .gpu/ bundle; run scripts/gpu_check.sh --prepare here and carry .gpu" >&2; exit 1; }
  PY=python3  # the machine's pip PyTorch and its numpy
  TORCH_PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2> /dev/null | tail -1)
  TORCH_LIB=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2> /dev/null | tail -1)
  [[ -n $TORCH_PREFIX ]] || { echo "gpu_check: no pip torch (python3 -c 'import torch' failed)" >&2; exit 1; }
  NVCC=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2> /dev/null || true)
  R=$W/root/usr RL=$W/root/usr/lib/x86_64-linux-gnu B=$W/build
  mkdir -p "$W/root"
  tar -xJf .gpu/deps.tar.xz -C "$W/root" || exit 1
  [[ -f .gpu/blas.tar.gz ]] && tar -xzf .gpu/blas.tar.gz -C "$RL"  # the real BLAS/LAPACK over the stubs
  CM=(-G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=$TORCH_PREFIX;$R;$RL/cmake"
      -DGANBENCH_BUILD_TESTS=OFF -DGANBENCH_BUILD_BENCH=ON
      "-DOpenCV_DIR=$RL/cmake/opencv4" "-Dyaml-cpp_DIR=$RL/cmake/yaml-cpp" "-Dfmt_DIR=$RL/cmake/fmt"
      "-DEigen3_DIR=$R/share/eigen3/cmake" "-Dbenchmark_DIR=$RL/cmake/benchmark"
      "-DSQLite3_INCLUDE_DIR=$R/include" "-DSQLite3_LIBRARY=$RL/libsqlite3.so"
      "-DNIFTI2_INCLUDE_DIR=$R/include/nifti" "-DNIFTI2_LIBRARY=$RL/libnifti2.so"
      "-DZLIB_INCLUDE_DIR=$R/include" "-DZLIB_LIBRARY=$RL/libz.so"
      "-DCMAKE_EXE_LINKER_FLAGS=-Wl,--no-as-needed" "-DCMAKE_PROJECT_INCLUDE=$ROOT/.gpu/torch_fix.cmake"
      -DTORCH_CUDA_ARCH_LIST=9.0 -DCAFFE2_USE_CUDNN=OFF -DUSE_CUDNN=OFF -DCAFFE2_USE_CUSPARSELT=OFF
      -DUSE_CUSPARSELT=OFF -DUSE_CUDSS=OFF -DUSE_CUFILE=OFF -DUSE_KINETO=OFF)
  if [[ -n $NVCC ]]; then
    cuda_root=$(dirname "$(dirname "$(readlink -f "$NVCC")")")
    CM+=("-DCMAKE_CUDA_COMPILER=$NVCC" "-DCUDAToolkit_ROOT=$cuda_root" -DCMAKE_CUDA_ARCHITECTURES=90)
  fi
  say "configure and build against $TORCH_PREFIX"
  tb 120 cmake -S "$ROOT" -B "$B" "${CM[@]}" > "$OUT/build.log" 2>&1 &&
    tb 240 ninja -C "$B" ganbench ganbench-core bench_train_step >> "$OUT/build.log" 2>&1 ||
    { echo "gpu_check: the build failed; the tail of $OUT/build.log:" >&2; tail -30 "$OUT/build.log" >&2; exit 1; }
  # The system's newer libz.so.1 at run time; the bundle's was for linking.
  [[ -e /lib/x86_64-linux-gnu/libz.so.1 ]] && mkdir -p "$W/root/unused" && mv "$RL"/libz.so.1* "$W/root/unused/"
  row "build (configure + ninja, $(nproc) cores)" "$(($(date +%s) - T0)) s" "LibTorch $(python3 -c 'import torch; print(torch.__version__)')"
  gb() { LD_LIBRARY_PATH="$RL:$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"; }
  n_fid=5000 n_agree=500 cpu_limit=150 arch=stylegan2 px=128 dev=cuda
fi
gb "$B/ganbench" --version >&2 || exit 1
"$PY" -c 'import numpy' 2> /dev/null || { echo "gpu_check: python3 with numpy is needed to draw the PNGs" >&2; exit 1; }

# ---- bench_train_step ---------------------------------------------------------------------------------------
# bench ROW_NAME LIMIT FILTER: one Google Benchmark row, as JSON, then "ms per step, images/s" into the table.
bench() {
  local name=$1 limit=$2 filter=$3 json=$W/bench_$RANDOM.json
  say "bench_train_step $filter (limit $limit s)"
  if ! gb "$B/bench/bench_train_step" --benchmark_list_tests | grep -q -- "^${filter}"; then
    row "$name" "not registered" "no benchmark matches $filter"
    return
  fi
  if gb tb "$limit" "$B/bench/bench_train_step" "--benchmark_filter=^${filter}" --benchmark_min_time=0.5 \
      --benchmark_format=json --benchmark_out="$json" > /dev/null 2> "$W/bench.err"; then
    local result notes
    IFS=$'\t' read -r result notes < <("$PY" - "$json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["benchmarks"][0]
print(f'{b["real_time"]:.1f} ms/step, {b["items_per_second"]:.1f} images/s\t{b.get("label", "")}, {b["iterations"]} steps')
PY
)
    row "$name" "$result" "$notes"
  else
    row "$name" "stopped after $limit s" "more than $((limit / 2)) s per step (a warm-up and one step did not finish)"
  fi
}
cuda_flag=1
[[ $mode == dry ]] && cuda_flag=0
bench "train step, $arch $px px, batch 32, $dev fp32" 120 "train_step/$arch/px:$px/cuda:$cuda_flag/bf16:0/"
bench "train step, $arch $px px, batch 32, $dev bf16" 120 "train_step/$arch/px:$px/cuda:$cuda_flag/bf16:1/"
if [[ $mode == device ]]; then
  bench "train step, $arch $px px, batch 32, cpu fp32 ($(nproc) threads)" "$cpu_limit" "train_step/$arch/px:$px/cuda:0/bf16:0/"
  bench "train step, $arch $px px, batch 32, cpu bf16" 40 "train_step/$arch/px:$px/cuda:0/bf16:1/"
fi

# ---- ganbench fid ---------------------------------------------------------------------------------------------
say "drawing 2 x $n_fid PNGs and the formula Inception weights"
"$PY" - "$W/fidA" "$W/fidB" "$n_fid" <<'PY' || exit 1
import os, sys, zlib, struct
import numpy as np
def png(path, a):  # RGB uint8, no PIL or OpenCV needed
    raw = b"".join(b"\x00" + a[y].tobytes() for y in range(a.shape[0]))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    hdr = struct.pack(">IIBBBBB", a.shape[1], a.shape[0], 8, 2, 0, 0, 0)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", hdr) + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))
rng = np.random.default_rng(0)
yy, xx = np.mgrid[:128, :128]
n = int(sys.argv[3])
for k, d in enumerate(sys.argv[1:3]):
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        cx, cy, r = rng.uniform(36, 92, 2).tolist() + [rng.uniform(12, 40)]
        img = rng.uniform(0, 70, (128, 128)) + (140 + 40 * k) * (((xx - cx) ** 2 + (yy - cy) ** 2) < r * r)
        png(os.path.join(d, f"{i:05d}.png"), np.repeat(img.clip(0, 255).astype(np.uint8)[:, :, None], 3, 2))
PY
"$PY" "$ROOT/tools/make_pth_fixtures.py" --formula "$W/pth" > /dev/null || exit 1
gb "$B/ganbench" weights import "$W"/pth/pt_inception-formula-zip-*.pth --out "$W/fid.safetensors" > /dev/null 2>&1 ||
  { echo "gpu_check: weights import failed" >&2; exit 1; }
# fid_run DEVICE A B LOG: prints "<FID> <seconds>"
fid_run() {
  local t=$(date +%s%N)
  gb tb 200 "$B/ganbench" fid "$2" "$3" --weights "$W/fid.safetensors" --device "$1" --no-cache > "$4" 2>&1 || { echo "failed -"; return; }
  echo "$(sed -n 's/^FID: *//p' "$4") $(( ($(date +%s%N) - t) / 1000000 ))"
}
say "ganbench fid on 2 x $n_fid images ($dev)"
read -r fid_all ms_all < <(fid_run "$dev" "$W/fidA" "$W/fidB" "$OUT/fid_all.log")
rate=$(sed -n 's/^ganbench fid: .*: \([0-9]*\)\/\1 images, \([0-9.]*\) images\/s$/\2/p' "$OUT/fid_all.log" | paste -sd/ -)  # each folder's last line
row "ganbench fid, 2 x $n_fid PNGs (128 px RGB), $dev, 2048-d" \
    "$("$PY" -c "print(f'{2 * $n_fid / ($ms_all / 1000):.1f} images/s' if '$ms_all' != '-' else 'failed')")" \
    "whole command $ms_all ms, FID $fid_all; per folder (stderr) $rate images/s"
mkdir -p "$W/agreeA" "$W/agreeB"
for k in A B; do ls "$W/fid$k" | head -n "$n_agree" | while read -r f; do cp "$W/fid$k/$f" "$W/agree$k/"; done; done
say "agreement: 2 x $n_agree images on cpu and $dev"
read -r fid_cpu _ < <(fid_run cpu "$W/agreeA" "$W/agreeB" "$OUT/fid_agree_cpu.log")
read -r fid_dev _ < <(fid_run "$dev" "$W/agreeA" "$W/agreeB" "$OUT/fid_agree_$dev.log")
row "FID agreement, 2 x $n_agree PNGs, cpu vs $dev (TF32 off)" "cpu $fid_cpu, $dev $fid_dev" \
    "$("$PY" -c "a, b = '$fid_cpu', '$fid_dev'
print(f'relative difference {abs(float(a) - float(b)) / abs(float(a)):.2e}' if a not in ('', 'failed') and b not in ('', 'failed') else 'a run failed: see the logs')")"

# ---- the table ------------------------------------------------------------------------------------------------
{
  echo "gpu_check: $( [[ $mode == dry ]] && echo "DRY RUN on the CPU (toy sizes, not figures)" || nvidia-smi -L 2> /dev/null | head -1)"
  echo "commit $(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || cat .gpu/commit 2> /dev/null || echo unknown), $(date -u +%F), $(nproc) CPU cores ($(lscpu | sed -n 's/^Model name: *//p'))"
  echo
  echo "| measure | result | notes |"
  echo "|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "elapsed $(($(date +%s) - T0)) s"
} | tee "$OUT/gpu_check.md"
rm -rf "$W"
