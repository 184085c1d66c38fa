#!/usr/bin/env bash
# The torch-free front end (apps/ganbench_front.cpp): `fid A.npz B.npz` is answered without LibTorch and
# equals ganbench-core's answer and pytorch-fid's (the frechet fixture); every other command reaches
# ganbench-core with its exit codes; OpenBLAS's generic fallback kernels are replaced on a CPU that has
# AVX2/AVX-512, unless OPENBLAS_CORETYPE says otherwise.
# Usage: front_end.sh GANBENCH FIXTURE_DIR
set -uo pipefail
g=$1 fx=$2
fail() { echo "FAIL: $*"; exit 1; }

ldd "$g" | grep -q libtorch && fail "the front end links LibTorch"
[ -x "$(dirname "$g")/ganbench-core" ] || fail "no ganbench-core beside $g"

front=$("$g" fid "$fx/stats_a.npz" "$fx/stats_b.npz") || fail "front-end fid failed"
core=$("$g" fid --no-cache "$fx/stats_a.npz" "$fx/stats_b.npz") || fail "core fid failed"  # an option: the core
echo "front end: $front; core: $core"
close() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= tol * b) }'; }
# The two may run different BLAS kernels (below), so equal to rounding, not bit for bit.
close "${front#FID:  }" "${core#FID:  }" 1e-12 || fail "front end and core differ"
want=$(sed -n 's/.*"fd_64": \([0-9.e+-]*\).*/\1/p' "$fx/expected.json")
close "${front#FID:  }" "$want" 1e-6 ||
  fail "FID ${front#FID:  } is not pytorch-fid's $want"

out=$("$g" fid /nonexistent/a.npz "$fx/stats_b.npz" 2>&1); rc=$?
echo "$out"; [ $rc -eq 1 ] && echo "$out" | grep -q "cannot read /nonexistent/a.npz" || fail "missing file: exit $rc"
out=$("$g" fid "$fx/README.md.npz" "$fx/stats_b.npz" 2>&1); [ $? -eq 1 ] || fail "missing .npz accepted"

"$g" --version | grep -q "^ganbench .*LibTorch" || fail "--version did not reach the core"
"$g" frobnicate > /dev/null 2>&1; rc=$?; [ $rc -eq 2 ] || fail "unknown command: exit $rc, want 2"

# OPENBLAS_VERBOSE=2 makes OpenBLAS name its kernels ("Core: X") each time it loads; the last one computed.
core_of() { OPENBLAS_VERBOSE=2 "$@" 2>&1 >/dev/null | sed -n 's/^Core: //p' | tail -1; }
ab=("$fx/stats_a.npz" "$fx/stats_b.npz")
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  k=$(env -u OPENBLAS_CORETYPE bash -c "$(declare -f core_of); core_of \"\$@\"" _ "$g" fid "${ab[@]}")
  echo "fid kernels: ${k:-not reported}"
  [ "${k,,}" = prescott ] && fail "fallback kernels kept for the Fréchet distance on an AVX2 CPU"
fi
k=$(OPENBLAS_CORETYPE=Prescott bash -c "$(declare -f core_of); core_of \"\$@\"" _ "$g" fid "${ab[@]}")
[ -z "$k" ] || [ "${k,,}" = prescott ] || fail "OPENBLAS_CORETYPE=Prescott not respected (got $k)"
echo "front end: ok"
