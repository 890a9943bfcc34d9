#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Rebuilds the shipped nodule model (lightbox-nodule 2) from scratch: writes the datasets with the
# C++ pipeline, trains and calibrates with Debian's torch (/usr/bin/python3), exports
# resources/models, the golden values and the calibration report, then evaluates end to end
# side by side with the previous model. About 25 minutes on a 2-core machine.
#   training backgrounds: POPI 4D-CT phase 00, the LIDC-IDRI-0001 slab (its real nodule avoided);
#   held-out background:  CPTAC-LUAD C3N-00247 (its mass avoided), never trained on; its even
#                         copies calibrate, its odd copies are the test set.
# Hard negatives come from the previous model (1.0.0, read from git): the training negatives it
# scored above 0.5 are drawn three times as often.
# usage: ai/training/train.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
WORK=${2:-/tmp/lightbox-nodule-dataset}
PREVIOUS_REV=99d4811 # the last commit with lightbox-nodule 1.0.0
rm -rf "$WORK"
mkdir -p "$WORK/previous"
for f in lightbox-nodule.pt lightbox-nodule.json; do
  git show "$PREVIOUS_REV:resources/models/$f" > "$WORK/previous/$f"
done
# 1.0.0's operating points are thresholds on its raw sigmoid; since 2.0.0 the detector thresholds the
# calibrated probability. "none" makes the calibrated probability the raw sigmoid: 1.0.0 as shipped.
/usr/bin/python3 - "$WORK/previous/lightbox-nodule.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["output"]["calibration"] = {"method": "none"}
json.dump(m, open(sys.argv[1], "w"), indent=2)
PY
ai/training/make_nodule_datasets.sh "$BUILD" "$WORK"
LIGHTBOX_PREVIOUS_NODULE_MODEL="$WORK/previous/lightbox-nodule.pt" /usr/bin/python3 ai/training/train_nodule_classifier.py \
  "$WORK/train" "$WORK/heldout" resources/models tests/ai/golden/lightbox-nodule.json \
  ai/training/reports/lightbox-nodule-2-calibration.json
ai/training/evaluate_nodule_heldout.sh "$BUILD" "$WORK/heldout" resources/models "$WORK/previous"
ai/training/evaluate_detection.sh "$BUILD"
