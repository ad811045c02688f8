#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for the Slurm executor's tests (and for trying it by hand).
#
#   test/e2e/slurm/cluster.sh start    install slurm-wlm and munge if missing, write the configuration, start munged,
#                                  slurmctld and slurmd, wait until the node is idle (idempotent: a running cluster
#                                  is left as it is)
#   test/e2e/slurm/cluster.sh stop     cancel every job, then stop exactly the daemons that start started (by PID)
#   test/e2e/slurm/cluster.sh status   whether it runs: the daemons' PIDs, sinfo and squeue
#
# Debian's packages (slurm-wlm 22.05 on bookworm), as root, without systemd or cgroups: process tracking by
# /proc (proctrack/linuxproc), no task plugin, no accounting database. Finished jobs stay visible to
# `scontrol show job` for MinJobAge seconds and are recorded in the jobcomp file (jobcomp/filetxt).
# Everything lives under $RUN_EXP_SLURM_DIR (default /tmp/run-exp-slurm); /etc/slurm/slurm.conf is a symlink to
# the configuration there (so that sbatch, squeue … find it), made only where no other slurm.conf exists.
set -euo pipefail

STATE=${RUN_EXP_SLURM_DIR:-/tmp/run-exp-slurm}
CONF=$STATE/slurm.conf
SYSTEM_CONF=/etc/slurm/slurm.conf
MUNGE_SOCKET=/run/munge/munge.socket.2 # munge's default, where Slurm's auth/munge looks
MARK='# run-exp test cluster'

log() { printf 'cluster.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The PID in a daemon's pid file when that process is alive and is that daemon (a recycled PID is not ours).
daemon_pid() { # NAME
  local file=$STATE/$1.pid pid
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] || return 1
  echo "$pid"
}

running() { daemon_pid munged >/dev/null && daemon_pid slurmctld >/dev/null && daemon_pid slurmd >/dev/null; }

install_packages() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "slurm-wlm and munge are missing and installing them needs root"
  log "installing slurm-wlm and munge (Debian packages)"
  local t0=$SECONDS made_policy=''
  # No daemon may start from the package scripts: this script starts them, and knows their PIDs.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # An update only when the package lists do not know slurm-wlm yet (a fresh machine).
  apt-cache show slurm-wlm >/dev/null 2>&1 || apt-get update -qq
  local ok=1
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >"$STATE/apt.log" 2>&1 || ok=''
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
  [ -n "$ok" ] || { tail -20 "$STATE/apt.log" >&2; die "apt-get install failed (whole log: $STATE/apt.log)"; }
  log "installed in $((SECONDS - t0)) s"
}

write_config() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc --all)
  mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo) # MB, what slurmd finds itself
  mkdir -p "$STATE/ctld" "$STATE/spool" "$STATE/log" "$STATE/munge"
  chmod 700 "$STATE/munge"
  [ -s "$STATE/munge/munge.key" ] || { mungekey --create --keyfile="$STATE/munge/munge.key" && chmod 400 "$STATE/munge/munge.key"; }
  cat >"$CONF" <<EOF
$MARK: written by test/e2e/slurm/cluster.sh, one node on 127.0.0.1
ClusterName=run-exp-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No systemd, no cgroups: processes are tracked through /proc, tasks are not bound to CPUs.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
# CPUs are the consumable resource (a task of --cpus-per-task=1 takes one of the $cpus).
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
# No accounting database; memory use is sampled from /proc so that --mem is enforced (OverMemoryKill).
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
# Every finished job leaves a line here (job id, state, exit code …); scontrol forgets it after MinJobAge.
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.log
MinJobAge=900
DefMemPerCPU=1024
# Schedule at once (a test submits and waits), kill quickly on scancel or a time limit.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SchedulerType=sched/backfill
KillWait=10
OverTimeLimit=0
InactiveLimit=0
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  if [ -L "$SYSTEM_CONF" ] && [ "$(readlink "$SYSTEM_CONF")" = "$CONF" ]; then
    :
  elif [ -e "$SYSTEM_CONF" ] && ! grep -q "^$MARK" "$SYSTEM_CONF"; then
    die "$SYSTEM_CONF belongs to another Slurm configuration; not replacing it"
  else
    mkdir -p "$(dirname "$SYSTEM_CONF")"
    ln -sfn "$CONF" "$SYSTEM_CONF"
  fi
}

# Wait until CONDITION (a command) succeeds, up to SECONDS; die with MESSAGE otherwise.
wait_for() { # SECONDS MESSAGE COMMAND...
  local limit=$1 message=$2 t0=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $((SECONDS - t0)) -lt "$limit" ] || die "$message (logs: $STATE/log)"
    sleep 0.2
  done
}

node_idle() { [ "$(sinfo -h -N -o %t 2>/dev/null)" = idle ]; }

start() {
  mkdir -p "$STATE"
  if running; then
    log "already running (munged $(daemon_pid munged), slurmctld $(daemon_pid slurmctld), slurmd $(daemon_pid slurmd))"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "start needs root (the daemons run as root here)"
  # Part of a cluster (a daemon that died, or one started by hand): stop what is ours and start clean.
  stop_daemons
  install_packages
  write_config
  local t0=$SECONDS
  mkdir -p "$(dirname "$MUNGE_SOCKET")"
  munged --force --key-file="$STATE/munge/munge.key" --socket="$MUNGE_SOCKET" --pid-file="$STATE/munged.pid" \
    --log-file="$STATE/log/munged.log" --seed-file="$STATE/munge/munged.seed"
  wait_for 10 "munged did not start" daemon_pid munged
  # -c: no jobs or node states from an earlier cluster; -i: ignore unreadable state files.
  slurmctld -c -i
  wait_for 20 "slurmctld did not answer" scontrol ping
  slurmd
  wait_for 10 "slurmd did not start" daemon_pid slurmd
  wait_for 30 "the node did not become idle: $(sinfo -N 2>&1 | tail -1)" node_idle
  log "running in $((SECONDS - t0)) s: munged $(daemon_pid munged), slurmctld $(daemon_pid slurmctld), slurmd $(daemon_pid slurmd); $(sinfo -h -N -o '%N %t %c CPUs %m MB')"
}

# SIGTERM to a daemon by its recorded PID, SIGKILL after 10 s; nothing when it is not running.
stop_daemon() { # NAME
  local pid t0=$SECONDS
  pid=$(daemon_pid "$1") || { rm -f "$STATE/$1.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  while [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ]; do
    if [ $((SECONDS - t0)) -ge 10 ]; then
      log "$1 ($pid) did not stop on SIGTERM; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  rm -f "$STATE/$1.pid"
  log "stopped $1 ($pid)"
}

stop_daemons() {
  stop_daemon slurmd
  stop_daemon slurmctld
  stop_daemon munged
}

stop() {
  # Jobs first, while the daemons that end them are still there: no task outlives the cluster.
  if daemon_pid slurmctld >/dev/null && [ -n "$(squeue -h -o %A 2>/dev/null)" ]; then
    log "cancelling $(squeue -h -o %A | wc -l) job(s)"
    scancel $(squeue -h -o %A) 2>/dev/null || true
    local t0=$SECONDS # squeue lists pending, running and completing jobs: wait until none is left
    while [ -n "$(squeue -h -o %A 2>/dev/null)" ] && [ $((SECONDS - t0)) -lt 30 ]; do sleep 0.2; done
  fi
  stop_daemons
  if [ -L "$SYSTEM_CONF" ] && [ "$(readlink "$SYSTEM_CONF")" = "$CONF" ]; then rm -f "$SYSTEM_CONF"; fi
}

status() {
  local name pid up=0
  for name in munged slurmctld slurmd; do
    if pid=$(daemon_pid "$name"); then echo "$name: running, pid $pid"; else echo "$name: not running"; up=1; fi
  done
  if [ "$up" = 0 ]; then
    sinfo -N -o '%N %t %c %m'
    squeue
  fi
  return "$up"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
