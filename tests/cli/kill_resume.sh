#!/usr/bin/env bash
# Crash consistency (issue 15): SIGKILL `ganbench run` at about 20 moments of a small sweep, resume each time,
# and check that every file stays readable and that the final database equals an uninterrupted run's, bit
# for bit (loss curves included; wall times and memory left out by `export --reproducible`).
# The moments: named crash points (GANBENCH_CRASH_AT=NAME:N kills the process at the Nth call: a checkpoint,
# sample array, config or report file complete in its temp file but not yet renamed, or a database
# transaction written but not committed), then kills at random times.
# Usage: kill_resume.sh GANBENCH CONFIG [SEED]
seed=${3:-$$}
source "$(dirname "$0")/common.sh"

points="write.pt:2 db_commit:1 write.npy:3 db_commit:4 write.pt:7 write.yaml:2 db_commit:9 write.npy:14 write.pt:12
        db_commit:17 write.md:1 write.png:1 write.html:1"
RANDOM=$seed
randoms=""
for i in $(seq 12); do randoms="$randoms random:$((RANDOM % 1700 + 100))"; done
echo "random kill times (ms) from seed $seed:$randoms"

landed=0
for moment in $points $randoms; do
  if [ "${moment%%:*}" = random ]; then
    "$g" run "$cfg" --out "$dir" --resume --quiet > /dev/null 2> "$work/log" &
    pid=$!
    ms=${moment#random:}
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -KILL $pid 2> /dev/null
    wait $pid
    rc=$?
  else
    GANBENCH_CRASH_AT=$moment "$g" run "$cfg" --out "$dir" --resume --quiet > /dev/null 2> "$work/log"
    rc=$?
  fi
  if [ $rc -eq 137 ] && [ ! -d "$dir/$name" ]; then
    landed=$((landed + 1))
    echo "killed at $moment: before the run folder was made"
  elif [ $rc -eq 137 ]; then
    landed=$((landed + 1))
    "$g" verify "$dir/$name" > "$work/verify" 2>&1 || { cat "$work/verify"; fail "a file is unreadable after the kill at $moment"; }
    echo "killed at $moment: $(cat "$work/verify" | tail -1)"
  elif [ $rc -eq 0 ]; then  # the sweep ended before the moment came: check it, start afresh
    compare "$moment (not reached)"
    echo "finished before $moment: equal to the reference; starting afresh"
    rm -rf "$dir"
  else
    cat "$work/log"
    fail "ganbench run exited $rc at $moment"
  fi
done
"$g" run "$cfg" --out "$dir" --resume --quiet > /dev/null 2> "$work/log" || { cat "$work/log"; fail "the final resume"; }
compare "the final resume"
"$g" verify "$dir/$name" > /dev/null || fail "verify after the final resume"
echo "$landed kills landed; $finished runs finished, each equal to the uninterrupted run bit for bit"
[ $landed -ge 15 ] || fail "only $landed kills landed (want >= 15)"
