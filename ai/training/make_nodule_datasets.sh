#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Writes the nodule model's two datasets with the C++ pipeline, as train.sh and
# recalibrate_nodule.sh use them:
#   WORK/train:   POPI 4D-CT phase 00 and the LIDC-IDRI-0001 slab (its real nodule avoided),
#                 30 copies each with 10 nodules, every fifth copy held back;
#   WORK/heldout: CPTAC-LUAD C3N-00247 (its mass avoided), 20 copies with 10 nodules, every
#                 candidate kept (even copies calibrate, odd copies test).
# usage: ai/training/make_nodule_datasets.sh BUILD_DIR WORK_DIR (run from the repository root)
set -euo pipefail
BUILD=${1:?usage: make_nodule_datasets.sh BUILD_DIR WORK_DIR}
WORK=${2:?usage: make_nodule_datasets.sh BUILD_DIR WORK_DIR}
DATA=${LIGHTBOX_SHARED_DATA:-../shared/data}
LIDC=$DATA/ct/chest_lidc-idri-0001_nodule_slab
CPTAC=$DATA/ct/chest_cptac-luad_c3n-00247_contrast/dicom
"$BUILD/app/lightbox" make-nodule-dataset "$WORK/train" "$DATA/ct/chest_4dct_popi_phase00" \
  "$LIDC/dicom=$LIDC/annotations/069.xml" --copies 30 --nodules 10 --every 5 --seed 7
"$BUILD/app/lightbox" make-nodule-dataset "$WORK/heldout" "$CPTAC=ai/training/references/cptac-luad-c3n-00247.json" \
  --copies 20 --nodules 10 --every 1 --seed 2024 --val-scans
