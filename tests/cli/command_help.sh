#!/usr/bin/env bash
# Every command that `ganbench --help` lists answers `--help` and `-h` with its own usage alone, exit 0;
# a wrong option prints that command's usage (not every command's) with exit 2.
set -uo pipefail
g=$1
cmds=$("$g" --help | sed -n 's/^  ganbench \([a-z-]*\).*/\1/p' | grep -v -- '^--' | sort -u)
[[ $(wc -w <<< "$cmds") -ge 13 ]] || { echo "too few commands in ganbench --help: $cmds"; exit 1; }
for c in $cmds; do
  for flag in --help -h; do
    out=$("$g" "$c" $flag); rc=$?
    (( rc == 0 )) || { echo "ganbench $c $flag: exit $rc"; exit 1; }
    grep -q "^  ganbench $c" <<< "$out" || { echo "ganbench $c $flag: no synopsis of $c"; echo "$out"; exit 1; }
    others=$(sed -n 's/^  ganbench \([a-z-]*\).*/\1/p' <<< "$out" | grep -vx -- "$c" | grep -v -- '^--')
    [[ -z $others ]] || { echo "ganbench $c $flag also shows: $others"; exit 1; }
  done
done
out=$("$g" turing --no-such-option 2>&1); rc=$?
(( rc == 2 )) || { echo "turing --no-such-option: exit $rc, want 2"; exit 1; }
grep -q "turing: unknown option '--no-such-option'" <<< "$out" || { echo "$out"; exit 1; }
grep -q "^  ganbench run" <<< "$out" && { echo "a usage error printed every command's usage"; exit 1; }
out=$("$g" no-such-command 2>&1); rc=$?
(( rc == 2 )) && grep -q "unknown command 'no-such-command'" <<< "$out" || { echo "unknown command: exit $rc"; exit 1; }
echo "$(wc -w <<< "$cmds") commands answer --help and -h"
