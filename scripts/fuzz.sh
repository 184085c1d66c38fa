#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with Debian's clang (ASan + UBSan) into build-fuzz/ and runs each for
# SECONDS (default 30) from its seed corpus. Exits non-zero when a target finds a crash, a leak, undefined
# behaviour or an exception other than the reader's documented std::runtime_error.
#   scripts/fuzz.sh [SECONDS] [TARGET ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"; shift || true
targets=("$@"); ((${#targets[@]})) || targets=(fuzz_pth fuzz_safetensors fuzz_npy fuzz_nifti)
if ! command -v clang++ > /dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev
fi
out=build-fuzz
mkdir -p "$out"
flags=(-std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I.)
for t in "${targets[@]}"; do
  case "$t" in
    fuzz_nifti)  # libnifti2 itself stays uninstrumented (Debian's build)
      readers=(datasets/nifti.cpp); libs=(-I/usr/include/nifti -lnifti2 -lfmt -lz -lm) ;;
    *)
      readers=(common/pth.cpp common/zip.cpp common/npy.cpp common/safetensors.cpp common/atomic_file.cpp)
      libs=(-lfmt -lyaml-cpp -lz) ;;
  esac
  if [[ ! -x "$out/$t" || -n "$(find fuzz/$t.cpp "${readers[@]}" common/*.h datasets/nifti.h -newer "$out/$t" 2>/dev/null)" ]]; then
    echo "fuzz: building $t" >&2
    clang++ "${flags[@]}" "fuzz/$t.cpp" "${readers[@]}" "${libs[@]}" -o "$out/$t"
  fi
  mkdir -p "$out/corpus-$t"
  echo "fuzz: running $t for ${seconds}s" >&2
  (cd "$out" && "./$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
     -artifact_prefix="crash-$t-" -print_final_stats=1 "corpus-$t" "../fuzz/corpus/$t" 2>&1 |
     grep -E "DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY|uncaught" || true)
  if ls "$out"/crash-"$t"-* > /dev/null 2>&1; then echo "fuzz: $t found a failing input: $(ls "$out"/crash-"$t"-*)" >&2; exit 1; fi
done
