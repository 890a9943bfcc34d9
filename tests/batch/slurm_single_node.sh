#!/bin/bash
# A throwaway single-node Slurm on loopback for the batch tests: munged with its own key and socket,
# slurmctld and slurmd with a temporary configuration (2 CPUs, no cgroups, no accounting), all under
# one folder. Source it, then call slurm_up DIR / slurm_down. Needs root (slurmd runs jobs as their
# user) and Debian's slurm-wlm and munge (scripts/setup.sh installs them).
# SPDX-License-Identifier: Apache-2.0

slurm_up() {
  SLURM_DIR=$1
  mkdir -p "$SLURM_DIR"/{state,spool,log,munge}
  chmod 700 "$SLURM_DIR/munge"
  local host
  host=$(hostname -s)
  # A fresh key: nothing outside this folder is used or changed.
  dd if=/dev/urandom of="$SLURM_DIR/munge/munge.key" bs=1 count=1024 status=none
  chmod 400 "$SLURM_DIR/munge/munge.key"
  /usr/sbin/munged --force --key-file="$SLURM_DIR/munge/munge.key" --socket="$SLURM_DIR/munge/munge.sock" \
    --pid-file="$SLURM_DIR/munge/munged.pid" --log-file="$SLURM_DIR/log/munged.log" --seed-file="$SLURM_DIR/munge/seed" \
    || { echo "munged did not start" >&2; return 1; }
  local port=$((17000 + RANDOM % 2000))
  cat > "$SLURM_DIR/slurm.conf" <<CONF
ClusterName=lightboxtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$SLURM_DIR/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=lightbox Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$SLURM_DIR/slurm.conf"
  /usr/sbin/slurmctld -f "$SLURM_CONF" || { echo "slurmctld did not start" >&2; return 1; }
  /usr/sbin/slurmd -f "$SLURM_CONF" || { echo "slurmd did not start" >&2; return 1; }
  for _ in $(seq 1 60); do
    if sinfo -h -o %T 2>/dev/null | grep -q idle; then return 0; fi
    sleep 1
  done
  echo "the Slurm node did not become idle:" >&2
  sinfo >&2
  tail -20 "$SLURM_DIR/log/slurmctld.log" "$SLURM_DIR/log/slurmd.log" >&2
  return 1
}

slurm_down() {
  [ -n "$SLURM_DIR" ] || return 0
  for pidfile in slurmd.pid slurmctld.pid munge/munged.pid; do
    if [ -f "$SLURM_DIR/$pidfile" ]; then
      kill "$(cat "$SLURM_DIR/$pidfile")" 2>/dev/null
    fi
  done
  sleep 1
}
