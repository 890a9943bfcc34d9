#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 23's speed bar, side by side with the earlier engine, 2 threads, as `lightbox eval-clicks`
# runs them (series loaded; the times are click to mask and one correction click, from its JSON):
#   a 3-5 cm tumour (STS_025 CT, 30 mL, 49 mm long) and 15-20 cm ones (STS_049 T1 MR, 1065 mL,
#   196 mm long; STS_005 CT, 585 mL, 154 mm), one click at the most interior point, one correction.
# Targets: click to mask < 1 s (3 cm) and < 3 s (15 cm); a correction < 0.5 s.
# usage: bench/lesion_speed_benchmark.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
data=${LIGHTBOX_SHARED_DATA:-../shared/data}/lesions/sarcoma_ibsi_sts
lightbox=${LIGHTBOX:-build/app/lightbox}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf "%-26s %-24s %14s %14s %7s\n" "case" "model" "click to mask" "correction" "Dice"
for c in STS_025/CT STS_005/CT STS_049/MR_T1; do
  img=$data/${c%/*}/${c#*/}_image.nii.gz
  ref=$data/${c%/*}/${c#*/}_mask.nii.gz
  for model in lightbox-lesion lightbox-lesion-prompt; do
    for r in $(seq "$runs"); do
      LIGHTBOX_LESION_MODEL=$model "$lightbox" eval-clicks "$img=$ref" --engine model --clicks 1 --threads 2 \
        --json "$out/$r.json" > /dev/null
    done
    /usr/bin/python3 - "$c" "$model" "$out" "$runs" <<'PY'
import json, statistics, sys
c, model, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
steps = [json.load(open(f"{out}/{r}.json"))["cases"][0]["steps"] for r in range(1, runs + 1)]
first = statistics.median(s[0]["seconds"] for s in steps)
corr = statistics.median(s[1]["seconds"] for s in steps)
print(f"{c:<26} {model:<24} {first:>12.3f} s {corr:>12.3f} s {steps[0][0]['dice']:>7.3f}")
PY
  done
done
