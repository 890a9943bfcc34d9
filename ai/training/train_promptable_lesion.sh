#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Rebuilds the shipped promptable lesion model (lightbox-lesion-prompt) from ../shared/data with
# Debian's torch (/usr/bin/python3, 1.13: the exporter LibTorch 1.13 loads):
#   1. the POPI chest CT as NIfTI (`lightbox convert`): the lung the synthetic nodules are painted in;
#   2. 3-fold cross-validation by case over the shared sarcomas (folds run two at a time, one
#      thread each), each fold's held-out cases evaluated with the engine's procedure;
#   3. the final model on every case (800 iterations, then 700 more; fold 0 gets the same 700 more and
#      is evaluated again), exported to resources/models with its golden values.
# About 2 hours on 2 cores.
# usage: ai/training/train_promptable_lesion.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
WORK=${2:-/tmp/lightbox-lesion-prompt}
DATA=${LIGHTBOX_SHARED_DATA:-../shared/data}
SARCOMA=$DATA/lesions/sarcoma_ibsi_sts
mkdir -p "$WORK/models"
"$BUILD/app/lightbox" convert "$DATA/ct/chest_4dct_popi_phase00" "$WORK/popi.nii"
train=ai/training/train_promptable_lesion.py
export LIGHTBOX_THREADS=1
LIGHTBOX_ITERS=${FOLD_ITERS:-500} /usr/bin/python3 $train cv 0 3 "$SARCOMA" "$WORK/popi.nii" "$WORK/cv0.json" > "$WORK/cv0.log" 2>&1 &
LIGHTBOX_ITERS=${FINAL_ITERS:-800} /usr/bin/python3 $train final "$SARCOMA" "$WORK/popi.nii" "$WORK/models" \
  "$WORK/models/golden.json" > "$WORK/final.log" 2>&1 &
wait
# 700 more iterations from the final weights (what shipped), then the export with its golden values.
LIGHTBOX_MORE_ITERS=700 /usr/bin/python3 $train continue "$WORK/models/lightbox-lesion-prompt.state.pt" -1 3 "$SARCOMA" \
  "$WORK/popi.nii" "$WORK/final-more" > "$WORK/final-more.log" 2>&1 &
LIGHTBOX_MORE_ITERS=700 /usr/bin/python3 $train continue "$WORK/cv0.json.pt" 0 3 "$SARCOMA" "$WORK/popi.nii" \
  "$WORK/cv0-more.json" > "$WORK/cv0-more.log" 2>&1 &
wait
/usr/bin/python3 $train export "$WORK/final-more.pt" resources/models tests/ai/golden/lightbox-lesion-prompt.json
LIGHTBOX_ITERS=${FOLD_ITERS:-500} /usr/bin/python3 $train cv 1 3 "$SARCOMA" "$WORK/popi.nii" "$WORK/cv1.json" > "$WORK/cv1.log" 2>&1 &
LIGHTBOX_ITERS=${FOLD_ITERS:-500} /usr/bin/python3 $train cv 2 3 "$SARCOMA" "$WORK/popi.nii" "$WORK/cv2.json" > "$WORK/cv2.log" 2>&1 &
wait
/usr/bin/python3 ai/training/summarise_promptable_cv.py "$WORK"/cv0.json "$WORK"/cv1.json "$WORK"/cv2.json
/usr/bin/python3 ai/training/summarise_promptable_cv.py "$WORK"/cv0-more.json
# The same folds through the product's engine (lightbox eval-clicks on each fold's held-out images).
ai/training/evaluate_promptable_cv.sh "$WORK" "$BUILD"
echo "now update the sha256 in resources/models/lightbox-lesion-prompt.json:"
sha256sum resources/models/lightbox-lesion-prompt.pt
