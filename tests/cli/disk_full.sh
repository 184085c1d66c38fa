#!/usr/bin/env bash
# A full disk (issue 15), simulated by a file-size limit (ulimit -f: writes past it fail with EFBIG, as they do
# with ENOSPC on a full disk): at each limit the run must stop cleanly, naming the path (never a crash or a
# half-written file), leave every file readable, and `--resume` without the limit must finish the sweep with
# a database equal to an uninterrupted run's. The limits hit, in turn (measured): the StyleGAN2 checkpoint
# (that cell fails, the DCGAN cell finishes), every checkpoint, a database commit, the database's first pages.
# Usage: disk_full.sh GANBENCH CONFIG
source "$(dirname "$0")/common.sh"

for kb in 300 100 60 20; do
  (ulimit -f $kb; exec "$g" run "$cfg" --out "$dir" --resume --quiet > /dev/null 2> "$work/log")
  rc=$?
  reason=$(grep -m1 -o "[^ ]*$name[^ ]*: .*\(File too large\|disk I/O error\).*" "$work/log")
  echo "limit $kb KiB: exit $rc: $reason"
  [ $rc -eq 1 ] || [ $rc -eq 3 ] || { cat "$work/log"; fail "exit $rc at $kb KiB (want 1: stopped, or 3: cells failed)"; }
  [ -n "$reason" ] || { cat "$work/log"; fail "no error naming a path and the reason at $kb KiB"; }
  "$g" verify "$dir/$name" > "$work/verify" 2>&1 || { cat "$work/verify"; fail "a file is unreadable at $kb KiB"; }
  "$g" run "$cfg" --out "$dir" --resume --quiet > /dev/null 2> "$work/log" || { cat "$work/log"; fail "the resume after $kb KiB"; }
  compare "the resume after the $kb KiB limit"
  rm -rf "$dir"
done
echo "$finished limited runs stopped cleanly and resumed to the uninterrupted run's database, bit for bit"
