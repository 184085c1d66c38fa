#!/usr/bin/env bash
# A real single-node Slurm cluster in a temp folder, for the tests (Debian's slurmctld, slurmd and munge,
# started by hand: no systemd). Needs root (slurmd runs jobs as their owner; munged runs as user munge).
#   eval "$(scripts/slurm_local.sh start DIR)"   # prints the exports clients need (SLURM_CONF)
#   scripts/slurm_local.sh stop DIR              # cancels jobs, stops the daemons by their PID files
set -euo pipefail
cmd=${1:?start or stop}
dir=$(realpath -m "${2:?state folder}")

stop() {
  [[ -f "$dir/slurm.conf" ]] && SLURM_CONF="$dir/slurm.conf" scancel --full --quiet --user="$(id -un)" 2> /dev/null || true
  for p in slurmd slurmctld munged; do  # slurmd leaves running steps alone: jobs were cancelled first
    if [[ -f "$dir/$p.pid" ]]; then
      pid=$(cat "$dir/$p.pid")
      kill "$pid" 2> /dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2> /dev/null || true
      rm -f "$dir/$p.pid"
    fi
  done
  if [[ -f "$dir/munge_dir" ]]; then rm -rf "$(cat "$dir/munge_dir")" "$dir/munge_dir"; fi
}

if [[ $cmd == stop ]]; then stop; exit 0; fi
[[ $cmd == start ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "slurm_local.sh: needs root (slurmd, munged as user munge)" >&2; exit 2; }
for b in slurmctld slurmd munged mungekey sbatch; do
  command -v "$b" > /dev/null || { echo "slurm_local.sh: $b missing; scripts/setup.sh installs it" >&2; exit 2; }
done

mkdir -p "$dir"/{spool,state,log}
# munged runs as user munge, which must reach its folder: one of its own under /tmp (DIR may sit in a
# private temp folder), mode 0755 (munged refuses a socket folder that others can write).
munge=$(mktemp -d /tmp/ganbench-munge.XXXXXX)
echo "$munge" > "$dir/munge_dir"
chown munge:munge "$munge"
chmod 0755 "$munge"
mungekey -c -k "$munge/munge.key" > /dev/null
chown munge:munge "$munge/munge.key"
chmod 0600 "$munge/munge.key"
sock="$munge/munge.socket"
su -s /bin/sh munge -c "munged --key-file='$munge/munge.key' --socket='$sock' \
  --pid-file='$munge/munged.pid' --log-file='$munge/munged.log' --seed-file='$munge/munged.seed'"
cp "$munge/munged.pid" "$dir/munged.pid"

host=$(hostname -s)
# slurmd -C: this node's CPUs, sockets and memory; RealMemory a little under the measured figure.
node=$(slurmd -C | head -1)
mem=$(sed -nE 's/.*RealMemory=([0-9]+).*/\1/p' <<< "$node")
node=$(sed -E "s/RealMemory=[0-9]+/RealMemory=$((mem * 9 / 10))/" <<< "$node")
cat > "$dir/slurm.conf" <<EOF
ClusterName=ganbench
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
SlurmctldPort=$((6817 + RANDOM % 1000 * 2))
SlurmdPort=$((7817 + RANDOM % 1000 * 2))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MailProg=/bin/true
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
ReturnToService=2
SchedulerParameters=defer_batch=0
MinJobAge=2
${node/NodeName=$host/NodeName=$host NodeAddr=127.0.0.1} State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do  # to an idle node: under a second here
  sinfo --noheader --format=%t 2> /dev/null | grep -q idle && { echo "export SLURM_CONF=$SLURM_CONF"; exit 0; }
  sleep 0.2
done
echo "slurm_local.sh: the node did not become idle; logs in $dir/log" >&2
tail -5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
stop
exit 1
