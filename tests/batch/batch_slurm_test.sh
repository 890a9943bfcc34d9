#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `lightbox batch --slurm` against a real Slurm (issue 29): a single-node cluster (Debian's slurm-wlm
# and munge, slurmctld + slurmd on loopback, 2 CPUs, a temporary configuration; see
# slurm_single_node.sh) runs the array job over the shared chest CTs and a synthetic patient with a
# prior. One task is cancelled mid-series with scancel; `batch status` says it was interrupted and
# the others are done; a rerun with --slurm submits only that series, and then everything is done.
# Missing Slurm, munge or data fails the test.
# usage: batch_slurm_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR
set -euo pipefail
lb=${1:?usage: batch_slurm_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR}
data=${2:?usage: batch_slurm_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$lb" ] || fail "lightbox binary missing: $lb"
for tool in sbatch squeue scancel sinfo /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged python3; do
  command -v "$tool" >/dev/null || fail "$tool missing (apt-get install slurm-wlm munge: scripts/setup.sh)"
done
[ "$(id -u)" = 0 ] || fail "the single-node Slurm needs root (slurmd starts jobs as their user)"
for d in chest_lidc-idri-0001_nodule_slab chest_cptac-luad_c3n-00247_contrast chest_4dct_popi_phase00; do
  [ -d "$data/ct/$d" ] || fail "test data missing: $data/ct/$d"
done

work=$(mktemp -d)
# shellcheck source=slurm_single_node.sh
source "$here/slurm_single_node.sh"
trap 'slurm_down; rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache XDG_DATA_HOME=$work/share
unset LIGHTBOX_ANNOTATIONS
mkdir -p "$HOME"
slurm_up "$work/slurm" || fail "the single-node Slurm did not start"
sinfo

"$lb" make-phantom "$work/patient/prior" --study-date 20250101 >/dev/null
"$lb" make-phantom "$work/patient/followup" --study-date 20260101 >/dev/null
inputs=("$data/ct/chest_lidc-idri-0001_nodule_slab" "$data/ct/chest_cptac-luad_c3n-00247_contrast"
        "$data/ct/chest_4dct_popi_phase00" "$work/patient")
out=$work/out

status_json() { "$lb" batch status "$out" --json; }
state_of() { # PATH_FRAGMENT -> state
  status_json | python3 -c "import json,sys; print([r['state'] for r in json.load(sys.stdin) if '$1' in r['path']][0])"
}
wait_queue_empty() {
  for _ in $(seq 1 600); do
    if [ -z "$(squeue -h -o %i)" ]; then return 0; fi
    sleep 1
  done
  fail "Slurm jobs still queued after 10 minutes: $(squeue)"
}

echo "== submit"
"$lb" batch "${inputs[@]}" -o "$out" --slurm --max-tasks 2 --time 00:20:00 | tee "$work/submit.log"
grep -q "submitted Slurm array job" "$work/submit.log" || fail "nothing submitted"
job=$(sed -n 's/.*array job \([0-9]*\):.*/\1/p' "$work/submit.log")

# The POPI CT is the longest; cancel its task once its worker is busy on it.
victim=""
for _ in $(seq 1 300); do
  if [ "$(state_of chest_4dct_popi)" = running ]; then
    victim=$(status_json | python3 -c "import json,sys; print([r['slurm_job'] for r in json.load(sys.stdin) if 'chest_4dct_popi' in r['path']][0])")
    break
  fi
  sleep 1
done
[ -n "$victim" ] || fail "the POPI task never ran: $(squeue; status_json)"
sleep 3 # mid-series
echo "scancel $victim"
scancel "$victim"
wait_queue_empty
"$lb" batch status "$out"
status_json >"$work/status1.json"
python3 - "$work/status1.json" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))
popi = [r for r in rows if "chest_4dct_popi" in r["path"]][0]
assert popi["state"] == "failed" and popi["interrupted"], popi
others = [r for r in rows if r is not popi]
assert len(others) == 4 and all(r["state"] == "done" for r in others), [(r["path"], r["state"], r["reason"]) for r in others]
assert all(r["attempts"] == 1 and r["slurm_job"] for r in others)
print("after scancel: POPI interrupted, 4 done")
EOF

echo "== rerun: only the cancelled series"
"$lb" batch "${inputs[@]}" -o "$out" --slurm --max-tasks 2 | tee "$work/resubmit.log"
grep -q "submitted Slurm array job .*: 1 tasks" "$work/resubmit.log" || fail "the rerun did not submit exactly one task"
wait_queue_empty
"$lb" batch status "$out"
status_json >"$work/status2.json"
python3 - "$work/status2.json" "$out" <<'EOF'
import csv, json, sys
rows = json.load(open(sys.argv[1]))
assert all(r["state"] == "done" for r in rows), [(r["path"], r["state"], r["reason"]) for r in rows]
popi = [r for r in rows if "chest_4dct_popi" in r["path"]][0]
assert popi["attempts"] == 2, popi
assert all(r["attempts"] == 1 for r in rows if r is not popi)
follow = [r for r in rows if "patient/followup" in r["path"]][0]
assert any(n.startswith("register: prior 20250101") for n in follow["notes"]), follow["notes"]
findings = list(csv.DictReader(open(f"{sys.argv[2]}/findings.csv")))
assert len(findings) == sum(r["findings"] for r in rows), "findings.csv is not gathered from every series"
print("after the rerun: all", len(rows), "done,", len(findings), "findings")
EOF
ls "$out"/slurm/*.log >/dev/null || fail "no Slurm task logs in $out/slurm"
echo "PASS"
