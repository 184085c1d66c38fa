#!/usr/bin/env bash
# ganbench sample from the command line (issue 32): StyleGAN2's EMA generator with truncation, exported as
# nnU-Net and .npy; killed mid-export (GANBENCH_CRASH_AT) it leaves whole cases only, refuses to go on
# without --resume, and --resume completes it to the bytes of an uninterrupted export. (A full disk is
# test_sample_export.cpp's: a file-size limit here would also stop SQLite's shared-memory file.) Usage: sample.sh GANBENCH CONFIG (tests/configs/kill.yaml)
set -uo pipefail
g=$1 cfg=$2
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$g" run "$cfg" --out "$w/runs" --quiet > /dev/null 2> "$w/log" || { cat "$w/log"; fail "the sweep"; }
run="$w/runs/$(sed -n 's/^name: *//p' "$cfg")"
cell=stylegan2-cardiac-s0
opts=(--cell "$cell" --n 24 --seed 3 --batch 5 --truncation 0.7)
cases() { (cd "$1" && find . -type f ! -name provenance.json ! -name README.txt | sort | xargs sha256sum); }
for fmt in nnunet npy; do
  "$g" sample "$run" "${opts[@]}" --format $fmt --out "$w/ref_$fmt/Dataset501_S" > /dev/null || fail "the $fmt export"
  grep -q '"truncation_psi": 0.7' "$w/ref_$fmt/Dataset501_S/provenance.json" || fail "psi not recorded"
  grep -q '"ema": true' "$w/ref_$fmt/Dataset501_S/provenance.json" || fail "EMA not recorded"
  # Killed (SIGKILL) after its 13th case: every case present is whole, and no temporary file is left.
  d="$w/killed_$fmt/Dataset501_S"
  GANBENCH_CRASH_AT=sample_case:13 "$g" sample "$run" "${opts[@]}" --format $fmt --out "$d" > /dev/null 2>&1
  rc=$?
  [ $rc -eq 137 ] || fail "$fmt: exit $rc at the crash point (want 137, SIGKILL)"
  n=$(ls "$d"/label*/ | wc -l)
  echo "$fmt: killed after $n of 24 cases"
  [ "$n" -eq 13 ] || fail "$fmt: $n label files after the kill (want 13)"
  for lab in "$d"/label*/*; do  # every case present is whole: its image files are there too
    c=$(basename "$lab"); c=${c%%.*}
    ls "$d"/images*/"$c"* > /dev/null 2>&1 || fail "$fmt: $c has labels without its image"
  done
  [ ! -e "$d/provenance.json" ] || fail "$fmt: a provenance record for an unfinished export"
  "$g" sample "$run" "${opts[@]}" --format $fmt --out "$d" > /dev/null 2> "$w/err" && fail "$fmt: a second run without --resume went on"
  grep -q -- "--resume" "$w/err" || fail "$fmt: the refusal does not name --resume"
  "$g" sample "$run" "${opts[@]}" --format $fmt --out "$d" --resume > /dev/null || fail "$fmt: the resume"
  diff <(cases "$w/ref_$fmt/Dataset501_S") <(cases "$d") > /dev/null || fail "$fmt: the resumed export differs from the uninterrupted one"
done
"$g" sample "$run" --cell dcgan-cardiac-s0 --n 2 --truncation 0.5 --out "$w/x/Dataset501_X" 2> "$w/err" && fail "truncation on DCGAN"
grep -q "style mapping" "$w/err" || fail "the truncation refusal"
echo "sample: exports, kills and resumes agree byte for byte"
