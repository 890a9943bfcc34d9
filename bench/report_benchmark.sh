#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Report export speed: `lightbox report` as a whole process on a real chest CT with 5 accepted
# findings (target: under 3 s), in one run with
#   (a) the same export when every finding already has its mask (--no-auto-mask), and
#   (b) the peer: DCMTK's pdf2dcm wrapping the same PDF (the one object of the five that a
#       standard tool on this machine also writes), as a floor for process start + one object.
# The findings come from `lightbox detect` (not timed), accepted with `lightbox review`.
# usage: bench/report_benchmark.sh [SERIES_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
series="${1:-../shared/data/ct/chest_cptac-luad_c3n-00247_contrast}"
runs="${2:-3}"
lb=build/app/lightbox
[ -x $lb ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v pdf2dcm > /dev/null || { echo "pdf2dcm missing: scripts/setup.sh installs dcmtk" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export LIGHTBOX_ANNOTATIONS="$out/annotations" LIGHTBOX_INDEX="$out/index.sqlite"
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

echo "== setup (not timed): detect, accept 5 findings =="
$lb detect "$series" --fp-per-scan 8 --json "$out/det.json" > /dev/null
n=$(python3 -c "import json;print(len(json.load(open('$out/det.json'))['findings']))")
[ "$n" -ge 5 ] || { echo "only $n findings: need 5" >&2; exit 1; }
$lb review "$series" --import "$out/det.json" --fp-per-scan 8 --accept F1,F2,F3,F4,F5 > /dev/null

for mode in auto-mask no-auto-mask; do
  : > "$out/wall"
  flag=""; [ $mode = no-auto-mask ] && flag="--no-auto-mask"
  for r in $(seq "$runs"); do
    t0=$EPOCHREALTIME
    $lb report "$series" -o "$out/reports-$mode" --reader "Bench^Reader" $flag > "$out/log" 2>&1
    t1=$EPOCHREALTIME
    echo "$t1 - $t0" | bc -l >> "$out/wall"
  done
  median < "$out/wall" > "$out/median_$mode"
  printf "lightbox report (%s), 5 findings, whole command: median %.2f s of %d runs\n" "$mode" "$(cat "$out/median_$mode")" "$runs"
done
pdf=$(ls "$out"/reports-auto-mask/v1/report.pdf)
src=$(python3 - "$series" <<'PY'
import os,sys
for root,_,files in os.walk(sys.argv[1]):
    for f in sorted(files):
        p=os.path.join(root,f)
        with open(p,'rb') as fh:
            fh.seek(128)
            if fh.read(4)==b'DICM': print(p); sys.exit()
PY
)
: > "$out/peer"
for r in $(seq "$runs"); do
  t0=$EPOCHREALTIME
  pdf2dcm --study-from "$src" "$pdf" "$out/peer.dcm" > /dev/null 2>&1
  t1=$EPOCHREALTIME
  echo "$t1 - $t0" | bc -l >> "$out/peer"
done
peer=$(median < "$out/peer")
printf "peer: pdf2dcm of the same PDF (one object): median %.3f s\n" "$peer"
printf "ratio lightbox report (5 objects, auto-mask) / pdf2dcm (1 object): %.1f\n" "$(echo "$(cat "$out/median_auto-mask") / $peer" | bc -l)"
printf "target: lightbox report under 3 s: %s\n" "$(echo "$(cat "$out/median_auto-mask") < 3" | bc -l | sed 's/1/met/;s/0/NOT met/')"
ls -la "$out"/reports-auto-mask/v1
