#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end detection evaluation with the C++ pipeline (lightbox detect + eval-detection):
#   1. the held-out synthetic scans a dataset was written with (--val-scans), if a folder is given;
#   2. the project's phantom (ground truth: phantom.json);
#   3. the real LIDC-IDRI-0001 slab against its four readers' XML.
# Usage: ai/training/evaluate_detection.sh BUILD_DIR [DATASET_DIR]
set -euo pipefail
BUILD=${1:?usage: evaluate_detection.sh BUILD_DIR [DATASET_DIR]}
DATASET=${2:-}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${LIGHTBOX_SHARED_DATA:-$HERE/../shared/data}
LIGHTBOX="$BUILD/app/lightbox"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

if [ -n "$DATASET" ]; then
  pairs=()
  for scan in "$DATASET"/val_*.nii.gz; do
    name=$(basename "$scan" .nii.gz)
    "$LIGHTBOX" detect "$scan" --modality CT --fp-per-scan 8 --json "$OUT/$name.json" > /dev/null 2>&1
    pairs+=("$OUT/$name.json" "$DATASET/$name.json")
  done
  echo "== held-out synthetic scans (${#pairs[@]} files) =="
  "$LIGHTBOX" eval-detection "${pairs[@]}" | sed -n '/^FROC/,$p'
fi

echo "== phantom =="
"$LIGHTBOX" make-phantom "$OUT/phantom" > /dev/null
"$LIGHTBOX" detect "$OUT/phantom" --fp-per-scan 8 --json "$OUT/phantom.json" > /dev/null
"$LIGHTBOX" eval-detection "$OUT/phantom.json" "$OUT/phantom/phantom.json"

echo "== LIDC-IDRI-0001 slab vs 4 readers =="
LIDC="$DATA/ct/chest_lidc-idri-0001_nodule_slab"
"$LIGHTBOX" detect "$LIDC/dicom" --fp-per-scan 8 --json "$OUT/lidc.json" > /dev/null 2>&1
"$LIGHTBOX" eval-detection "$OUT/lidc.json" "$LIDC/annotations/069.xml"
