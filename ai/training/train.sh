#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Rebuilds the shipped nodule model from scratch: writes the dataset with the C++ pipeline,
# trains and calibrates with Debian's torch (/usr/bin/python3), exports resources/models and the
# golden values, then evaluates end to end. About 15 minutes on a 2-core machine.
# usage: ai/training/train.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
WORK=${2:-/tmp/lightbox-nodule-dataset}
DATA=${LIGHTBOX_SHARED_DATA:-../shared/data}
LIDC=$DATA/ct/chest_lidc-idri-0001_nodule_slab
rm -rf "$WORK"
"$BUILD/app/lightbox" make-nodule-dataset "$WORK" "$DATA/ct/chest_4dct_popi_phase00" \
  "$LIDC/dicom=$LIDC/annotations/069.xml" --copies 30 --nodules 10 --every 5 --seed 7 --val-scans
/usr/bin/python3 ai/training/train_nodule_classifier.py "$WORK" resources/models tests/ai/golden/lightbox-nodule.json
ai/training/evaluate_detection.sh "$BUILD" "$WORK"
