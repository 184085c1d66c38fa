#!/usr/bin/env bash
# The Slurm executor against a real single-node cluster (scripts/slurm_local.sh): submit and wait, the merged
# results equal to a local run's bit for bit, a failing cell FAILED while the others finish, and scancel of a
# task followed by a resubmission that completes only the missing cell. The daemons stop on any exit.
#   tests/cli/slurm.sh GANBENCH CONFIG
set -u
g=$(realpath "$1")
cfg=$(realpath "$2")
root=$(cd "$(dirname "$0")/../.." && pwd)
name=$(sed -n 's/^name: *//p' "$cfg")
work=$(mktemp -d)
cluster="$work/cluster"
trap '"$root/scripts/slurm_local.sh" stop "$cluster"; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; for f in "$cluster"/log/*.log; do [[ -f $f ]] && { echo "== $f"; tail -5 "$f"; }; done; exit 1; }
cd "$work"
if [[ $(id -u) -ne 0 ]] || ! command -v slurmctld > /dev/null; then
  echo "SKIP: needs root and Debian's slurmctld, slurmd, slurm-client and munge (scripts/setup.sh installs them)"
  exit 77
fi

t0=$(date +%s)
exports=$("$root/scripts/slurm_local.sh" start "$cluster") || fail "starting the local cluster"
eval "$exports"
[[ -n ${SLURM_CONF:-} ]] || fail "the local cluster printed no SLURM_CONF"
echo "cluster up in $(($(date +%s) - t0)) s: $(sinfo --noheader --format='%P %D %c CPUs %t')"

# The reference: the same config run locally.
"$g" run "$cfg" --out ref --quiet > /dev/null 2> ref.log || { cat ref.log; fail "the local reference run"; }
"$g" export "ref/$name" --reproducible > ref.csv || fail "export of the reference"

# 1. Submit, wait; the merged folder must equal the local run.
t0=$(date +%s)
"$g" submit "$cfg" --out cl --wait > submit.log 2>&1
rc=$?
[[ $rc == 0 ]] || { cat submit.log; tail -20 cl/$name/slurm/submit-001/logs/* 2>/dev/null; fail "submit --wait exited $rc"; }
echo "4-cell sweep on Slurm (at most 2 tasks at once) done and merged in $(($(date +%s) - t0)) s"
grep -q "submitted 4 cells as job array" submit.log || { cat submit.log; fail "submit did not report 4 cells"; }
"$g" export "cl/$name" --reproducible > cl.csv || fail "export of the merged run"
diff -q ref.csv cl.csv > /dev/null || { diff ref.csv cl.csv | head; fail "merged results differ from the local run's"; }
[[ -f "cl/$name/report.md" ]] || fail "the merge job wrote no report"
"$g" status "cl/$name" > status.txt || fail "status"
grep -q "4 cells: 4 done" status.txt || { cat status.txt; fail "status after the sweep"; }
"$g" verify "cl/$name" > /dev/null || fail "verify of the merged run folder"
array=$(cut -f1 "cl/$name/slurm/submissions.tsv")
ok=$(grep "ArrayJobId=$array " "$cluster/log/jobcomp.txt" | grep -c "JobState=COMPLETED")
[[ $ok == 4 ]] || { grep "ArrayJobId=$array " "$cluster/log/jobcomp.txt"; fail "jobcomp: $ok of 4 tasks COMPLETED"; }
grep -q "GANBENCH_TEST_SETUP" "cl/$name/slurm/submit-001/array.sbatch" || fail "cluster.setup is not in the job script"
echo "merged export equals the local run ($(($(wc -l < cl.csv) - 1)) values); jobcomp: 4 tasks COMPLETED"

# Submitting again submits nothing.
"$g" submit "$cfg" --out cl > again.log 2>&1 || { cat again.log; fail "second submit"; }
grep -q "nothing to submit" again.log || { cat again.log; fail "a second submit of a finished sweep submitted work"; }

# 2. A failing cell (DCGAN at Adam lr 1 diverges) ends FAILED; the other cell finishes and is merged.
sed -e 's/^seeds: .*/seeds: [0]/' -e 's/dcgan: {z_dim: 16, base_channels: 8}/dcgan: {z_dim: 16, base_channels: 8, lr: 1}/' \
  -e 's/batch_size: 8,/batch_size: 16,/' -e 's/count: 40/count: 60/' "$cfg" > failing.yaml  # loss_g 166 at step 2
"$g" submit failing.yaml --out fl --wait > fl.log 2>&1
rc=$?
[[ $rc == 3 ]] || { cat fl.log; fail "submit --wait with a failing cell exited $rc, not 3"; }
"$g" status "fl/$name" > fl_status.txt
grep -E "^dcgan-cardiac-s0 +failed .*diverged" fl_status.txt > /dev/null || { cat fl_status.txt; fail "the failing cell's state or error"; }
grep -E "^multiscale-cardiac-s0 +done +merged" fl_status.txt > /dev/null || { cat fl_status.txt; fail "the healthy cell"; }
farray=$(cut -f1 "fl/$name/slurm/submissions.tsv")
grep "ArrayJobId=$farray " "$cluster/log/jobcomp.txt" | grep "ArrayTaskId=0 " | grep -q "JobState=FAILED" ||
  { grep "ArrayJobId=$farray " "$cluster/log/jobcomp.txt"; fail "Slurm did not record the failing task as FAILED"; }
echo "a diverging cell: FAILED in Slurm, 'failed' with its error in ganbench status; the other cell done"

# 3. scancel of one task, then a resubmission that runs only that cell.
"$g" submit "$cfg" --out cn > cn.log 2>&1 || { cat cn.log; fail "submit for the scancel case"; }
carray=$(cut -f1 "cn/$name/slurm/submissions.tsv")
scancel "${carray}_3" || fail "scancel ${carray}_3"
for _ in $(seq 300); do  # until the array and its merge job have left the queue
  [[ -z $(squeue --noheader) ]] && break
  sleep 0.5
done
"$g" status "cn/$name" > cn_status.txt
grep -q "4 cells: 3 done, 1 pending" cn_status.txt || { cat cn_status.txt; fail "status after scancel"; }
"$g" submit "$cfg" --out cn --wait > cn2.log 2>&1 || { cat cn2.log; fail "resubmission after scancel"; }
grep -q "submitted 1 cells as job array" cn2.log || { cat cn2.log; fail "the resubmission did not submit exactly the cancelled cell"; }
"$g" export "cn/$name" --reproducible > cn.csv || fail "export after the resubmission"
diff -q ref.csv cn.csv > /dev/null || { diff ref.csv cn.csv | head; fail "results after scancel + resubmission differ from the local run's"; }
echo "scancel of task 3, resubmission: 1 cell submitted; results equal the local run"
echo "PASS"
