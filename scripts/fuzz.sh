#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with Debian's clang (ASan + UBSan) into build-fuzz/ and runs each for
# SECONDS (default 30) from its seed corpus. Exits non-zero when a target finds a crash, a leak, undefined
# behaviour or an exception other than the reader's documented std::runtime_error.
#   scripts/fuzz.sh [SECONDS] [TARGET ...]
#   scripts/fuzz.sh --build-only [TARGET ...]   builds the targets and runs nothing (CI times the two apart)
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=0
if [[ "${1:-}" == --build-only ]]; then build_only=1; shift; seconds=0; else seconds="${1:-30}"; shift || true; fi
targets=("$@"); ((${#targets[@]})) || targets=(fuzz_pth fuzz_safetensors fuzz_npy fuzz_nifti fuzz_config fuzz_folder)
if ! command -v clang++ > /dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev
fi
out=build-fuzz
mkdir -p "$out"
flags=(-std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I.)
# fuzz_config and fuzz_folder instrument the reader under test and link the rest of ganbench from build/
# (gcc, uninstrumented: same ABI), so they need the main build first.
ganbench_libs() {
  [[ -f build/libganbench_common.a ]] || ./scripts/build.sh > /dev/null
  local lib=/usr/lib/x86_64-linux-gnu
  libs=(-DFMT_SHARED -I/usr/include/nifti -isystem /usr/include/opencv4 -isystem /usr/include/torch/csrc/api/include
        -isystem /usr/include/eigen3 -Wl,--start-group build/libganbench_*.a -Wl,--end-group
        -lsqlite3 -lnifti2 -lz -llapack -lblas -lopencv_imgcodecs -lopencv_imgproc -lopencv_core -lfmt -lyaml-cpp
        "$lib/libtorch.so.1.13" -Wl,--no-as-needed,"$lib/libtorch_cpu.so.1.13" -Wl,--as-needed
        "$lib/libc10.so.1.13" -lprotobuf -lglog -lgflags -lpthread)
}
for t in "${targets[@]}"; do
  case "$t" in
    fuzz_nifti)  # libnifti2 itself stays uninstrumented (Debian's build)
      readers=(datasets/nifti.cpp common/atomic_file.cpp); libs=(-I/usr/include/nifti -lnifti2 -lfmt -lz -lm) ;;
    fuzz_config) readers=(experiments/config.cpp experiments/config_keys.cpp experiments/config_validate.cpp); ganbench_libs ;;
    fuzz_folder) readers=(datasets/data_source.cpp); ganbench_libs ;;
    *)
      readers=(common/pth.cpp common/zip.cpp common/npy.cpp common/safetensors.cpp common/atomic_file.cpp)
      libs=(-lfmt -lyaml-cpp -lz) ;;
  esac
  if [[ ! -x "$out/$t" || -n "$(find fuzz/$t.cpp "${readers[@]}" common/*.h datasets/*.h experiments/config.h -newer "$out/$t" 2>/dev/null)" ]]; then
    echo "fuzz: building $t" >&2
    clang++ "${flags[@]}" "fuzz/$t.cpp" "${readers[@]}" "${libs[@]}" -o "$out/$t"
  fi
  ((build_only)) && continue
  mkdir -p "$out/corpus-$t"
  dict=()
  if [[ $t == fuzz_config ]]; then  # every key name of the config table, so mutations reach validate()
    build/ganbench check-config --help-keys | awk '/^[a-z]/ {n = split($1, p, "."); for (i = 1; i <= n; ++i) print "\"" p[i] ":\""}' |
      sort -u > "$out/fuzz_config.dict"
    dict=(-dict=fuzz_config.dict)
  fi
  echo "fuzz: running $t for ${seconds}s" >&2
  # fuzz_folder: OpenCV reserves what an image header claims, up to OPENCV_IO_MAX_IMAGE_PIXELS (2^30 by default,
  # i.e. 12 GB for a float RGB claim) before finding the data short; 2^27 keeps that under the 2 GB limit below.
  export OPENCV_IO_MAX_IMAGE_PIXELS=134217728
  (cd "$out" && "./$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
     -artifact_prefix="crash-$t-" -print_final_stats=1 "${dict[@]}" "corpus-$t" "../fuzz/corpus/$t" 2>&1 |
     grep -E "DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY|uncaught" || true)
  if ls "$out"/crash-"$t"-* > /dev/null 2>&1; then echo "fuzz: $t found a failing input: $(ls "$out"/crash-"$t"-*)" >&2; exit 1; fi
done
