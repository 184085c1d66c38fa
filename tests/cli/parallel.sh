#!/usr/bin/env bash
# The local parallel executor (parallel_cells): four cells two at a time, each a child process into its own
# shard, merged after. Its database must equal a one-cell-at-a-time run's bit for bit (both one thread per
# cell); a second run without --resume refuses, with --resume has nothing to do; a diverging cell fails
# while the other is merged (exit 3); SIGTERM reaches the children, which checkpoint and stop (exit 143),
# and --resume then finishes the sweep.
# Usage: parallel.sh GANBENCH CONFIG
source "$(dirname "$0")/common.sh"

sed 's/^threads: 1/threads: 1\nparallel_cells: 2/' "$cfg" > "$work/par.yaml"
grep -q '^parallel_cells: 2' "$work/par.yaml" || fail "could not write the parallel config"
"$g" run "$work/par.yaml" --out "$dir" --no-report 2> "$work/log" || { cat "$work/log"; fail "parallel run"; }
grep -q "4 cells to run, 2 at a time (1 threads each)" "$work/log" || { cat "$work/log"; fail "not 2 at a time"; }
[ "$(ls "$dir/$name/parallel/"*.log | wc -l)" -eq 4 ] || fail "a log per cell"
compare "the parallel run"

out=$("$g" run "$work/par.yaml" --out "$dir" --no-report 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "already holds cell .*pass --resume" || { echo "$out"; fail "no --resume: exit $rc"; }
"$g" run "$work/par.yaml" --out "$dir" --no-report --resume 2> "$work/log" || fail "resume of a finished sweep"
grep -q "0 cells to run" "$work/log" || { cat "$work/log"; fail "a finished sweep ran again"; }
compare "the second --resume"

# A diverging DCGAN cell (Adam lr 1) fails; the multiscale cell is done and merged.
sed -e 's/^seeds: .*/seeds: [0]/' -e 's/dcgan: {z_dim: 16, base_channels: 8}/dcgan: {z_dim: 16, base_channels: 8, lr: 1}/' \
  -e 's/batch_size: 8,/batch_size: 16,/' -e 's/count: 40/count: 60/' "$work/par.yaml" > "$work/fail.yaml"  # as slurm.sh
"$g" run "$work/fail.yaml" --out "$work/f" --no-report 2> "$work/log"; rc=$?
[ $rc -eq 3 ] || { cat "$work/log"; fail "a failed cell: exit $rc, want 3"; }
st=$("$g" status "$work/f/$name"); echo "$st"
echo "$st" | grep -Eq "^dcgan-cardiac-s0 +failed .*diverged" && echo "$st" | grep -Eq "^multiscale-cardiac-s0 +done +merged" ||
  fail "states after a failure"

# SIGTERM to the parent while the children train: passed on, each checkpoints; --resume finishes.
sed -e 's/steps: 10,/steps: 300,/' -e 's/checkpoint_every: 5/checkpoint_every: 20/' "$work/par.yaml" > "$work/long.yaml"
"$g" run "$work/long.yaml" --out "$work/s" --no-report 2> "$work/log" & pid=$!
for i in $(seq 600); do compgen -G "$work/s/$name/shards/*/cells/*/checkpoints/*.pt" > /dev/null && break; sleep 0.1; done
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 143 ] || { cat "$work/log"; fail "SIGTERM: exit $rc, want 143"; }
grep -q "interrupted after" "$work/log" || { cat "$work/log"; fail "children not interrupted"; }
"$g" run "$work/long.yaml" --out "$work/s" --no-report --resume 2> "$work/log" || { cat "$work/log"; fail "resume after SIGTERM"; }
[ "$("$g" status "$work/s/$name" | grep -Ec '^[a-z0-9-]+ +done +merged')" -eq 4 ] || { "$g" status "$work/s/$name"; fail "not all done after resume"; }
echo "parallel: ok ($finished comparisons)"
