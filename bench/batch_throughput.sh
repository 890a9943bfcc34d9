#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Throughput of `lightbox batch` (issue 29), the real command as a site runs it, side by side in one
# run on the same series: --jobs 1, --jobs 2, and a single-node Slurm with 2 task slots
# (tests/batch/slurm_single_node.sh; needs root, slurm-wlm and munge). Each mode starts from an empty
# output folder and review store, all steps. Prints series per hour, the ratios to --jobs 1, the
# worker's peak memory, and the cost per series that the README's projection uses.
# usage: bench/batch_throughput.sh [LIGHTBOX_BINARY] [SHARED_DATA_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lb=${1:-$here/../build/app/lightbox}
data=${2:-$here/../../shared/data}
[ -x "$lb" ] || { echo "no lightbox binary at $lb (build first)" >&2; exit 1; }
work=$(mktemp -d)
source "$here/../tests/batch/slurm_single_node.sh"
trap 'slurm_down; rm -rf "$work"' EXIT

export XDG_CACHE_HOME=$work/cache
"$lb" make-phantom "$work/patient/prior" --study-date 20250101 >/dev/null
"$lb" make-phantom "$work/patient/followup" --study-date 20260101 >/dev/null
inputs=("$data/ct/chest_lidc-idri-0001_nodule_slab" "$data/ct/chest_cptac-luad_c3n-00247_contrast"
        "$data/ct/chest_4dct_popi_phase00" "$work/patient")

declare -A seconds
run_local() { # NAME JOBS
  export HOME=$work/home-$1 XDG_DATA_HOME=$work/share-$1 LIGHTBOX_ANNOTATIONS=$work/annotations-$1
  mkdir -p "$HOME"
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/$1.rss" "$lb" batch "${inputs[@]}" -o "$work/out-$1" --jobs "$2" >"$work/$1.log" 2>&1
  end=$(date +%s.%N)
  seconds[$1]=$(echo "$end - $start" | bc)
}
run_local jobs1 1
run_local jobs2 2

slurm_up "$work/slurm" >/dev/null
export HOME=$work/home-slurm XDG_DATA_HOME=$work/share-slurm LIGHTBOX_ANNOTATIONS=$work/annotations-slurm
mkdir -p "$HOME"
start=$(date +%s.%N)
"$lb" batch "${inputs[@]}" -o "$work/out-slurm" --slurm --max-tasks 2 >"$work/slurm.log" 2>&1
while [ -n "$(squeue -h -o %i)" ]; do sleep 0.5; done
end=$(date +%s.%N)
seconds[slurm]=$(echo "$end - $start" | bc)
"$lb" batch status "$work/out-slurm" >/dev/null

series=$(python3 -c "import json; print(len(json.load(open('$work/out-jobs1/batch.json'))['series']))")
echo "lightbox batch, $series series (LIDC slab 16, CPTAC 99, POPI 141 slices; a 120-slice patient and its prior), all steps"
printf "%-26s %9s %13s %12s\n" mode seconds "series/hour" "vs --jobs 1"
for mode in jobs1 jobs2 slurm; do
  label=$mode
  [ $mode = jobs1 ] && label="--jobs 1"
  [ $mode = jobs2 ] && label="--jobs 2"
  [ $mode = slurm ] && label="Slurm, 2 task slots"
  python3 -c "
s=${seconds[$mode]}; b=${seconds[jobs1]}
print('%-26s %9.1f %13.0f %11.2fx' % ('$label', s, $series*3600/s, b/s))"
done
for mode in jobs1 jobs2 slurm; do
  python3 - "$work/out-$mode" "$mode" <<'EOF'
import json, glob, sys
recs = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/series/*/state.json")]
done = [r for r in recs if r["state"] == "done"]
assert len(done) == len(recs), [(r["path"], r["state"], r["reason"]) for r in recs if r["state"] != "done"]
print("%-6s worker seconds per series: %s (sum %.1f)" % (sys.argv[2], ", ".join("%.1f" % r["seconds"] for r in sorted(done, key=lambda r: r["path"])),
      sum(r["seconds"] for r in done)))
EOF
done
echo "peak worker memory (--jobs 1, largest series): $(( $(cat "$work/jobs1.rss") / 1024 )) MiB"
