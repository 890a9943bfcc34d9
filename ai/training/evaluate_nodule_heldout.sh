#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end detection on the test half of a held-out background (the odd copies a
# `make-nodule-dataset --every 1 --val-scans` folder holds; the even ones calibrate), one model
# folder after another in the same run, so models are compared on the same scans:
#   ai/training/evaluate_nodule_heldout.sh BUILD_DIR HELDOUT_DS MODELS_DIR [MODELS_DIR ...]
# Prints, per model, the FROC (LUNA16 rules, lightbox eval-detection) and how many findings of a
# scan share a displayed score. The nodule model comes from each MODELS_DIR; the lesion models
# that size the findings always from the repository's resources/models.
set -euo pipefail
BUILD=${1:?usage: evaluate_nodule_heldout.sh BUILD_DIR HELDOUT_DS MODELS_DIR [MODELS_DIR ...]}
DATASET=${2:?usage: evaluate_nodule_heldout.sh BUILD_DIR HELDOUT_DS MODELS_DIR [MODELS_DIR ...]}
shift 2
[ $# -ge 1 ] || { echo "evaluate_nodule_heldout.sh: name at least one models folder" >&2; exit 2; }
LIGHTBOX="$BUILD/app/lightbox"
# The shipped lesion models size and merge the findings (ai/nodule/MaskSizing) for every nodule
# model compared: a models folder holding only a nodule model would otherwise be measured on
# radial-profile centres and duplicates while the shipped one is not. Each run sees one folder:
# links to the compared nodule model and to the repository's lesion models, nothing else.
LESION_MODELS=$(cd "$(dirname "$0")/../../resources/models" && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
scans=()
for scan in "$DATASET"/val_*.nii.gz; do
  copy=$(basename "$scan" .nii.gz); copy=${copy##*_}
  if [ $((copy % 2)) -eq 1 ]; then scans+=("$scan"); fi
done
[ ${#scans[@]} -gt 0 ] || { echo "$DATASET: no odd-numbered val_*.nii.gz scans (written with --every 1 --val-scans?)" >&2; exit 1; }
run=0
for models in "$@"; do
  [ -f "$models/lightbox-nodule.json" ] && [ -f "$models/lightbox-nodule.pt" ] ||
    { echo "$models: no lightbox-nodule.json and .pt" >&2; exit 1; }
  run=$((run + 1))
  folder="$OUT/models-$run"
  mkdir -p "$folder"
  ln -s "$(cd "$models" && pwd)"/lightbox-nodule.json "$(cd "$models" && pwd)"/lightbox-nodule.pt "$folder"/
  for f in "$LESION_MODELS"/lightbox-lesion*; do ln -s "$f" "$folder"/; done
  pairs=()
  for scan in "${scans[@]}"; do
    name=$(basename "$scan" .nii.gz)
    LIGHTBOX_MODELS_BUILTIN="$folder" LIGHTBOX_MODELS=/nonexistent \
      "$LIGHTBOX" detect "$scan" --modality CT --fp-per-scan 8 --json "$OUT/$name.json" > "$OUT/$name.txt" 2>&1
    pairs+=("$OUT/$name.json" "$DATASET/$name.json")
  done
  version=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["version"])' "${pairs[0]}")
  echo "== $models (lightbox-nodule $version): ${#scans[@]} held-out scans =="
  "$LIGHTBOX" eval-detection "${pairs[@]}" | sed -n '/^FROC/,$p'
  /usr/bin/python3 - "$OUT" <<'PY'
import glob, json, sys
ties = total = 0
for path in sorted(glob.glob(sys.argv[1] + "/val_*.json")):
    scores = [f["score"] for f in json.load(open(path))["findings"]]
    total += len(scores)
    ties += sum(1 for s in scores if any(f"{o:.2f}" == f"{s:.2f}" and o != s for o in scores))
print(f"findings kept (down to 8 FP/scan): {total}; sharing a 2-decimal score with a different one: {ties}")
PY
done
