#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Rebuilds the shipped learned registration model (lightbox-registration) from scratch: exports the
# training volumes with `lightbox convert`, trains on synthetic deformations of them with Debian's
# torch (/usr/bin/python3, ai/training/train_registration.py), writes resources/models/
# lightbox-registration.{pt,json} and tests/ai/golden/lightbox-registration.json. The CPTAC-LUAD
# contrast chest CT and the Siemens XA30 T1w brain MR are never trained on: bench/registration_tre.sh
# cptac mr measures the engine on them. About 17 minutes on a 2-core machine (1000 steps).
# usage: ai/training/train_registration.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
WORK=${2:-/tmp/lightbox-registration-training}
DATA=${LIGHTBOX_SHARED_DATA:-../shared/data}
mkdir -p "$WORK"
specs=()
for entry in \
    "ct:popi:$DATA/ct/chest_4dct_popi_phase00" \
    "ct:head:$DATA/ct/head_ge_gantry_tilt_variable_spacing/dicom" \
    "ct:lidc:$DATA/ct/chest_lidc-idri-0001_nodule_slab/dicom" \
    "mr:mprage:$DATA/mr/phantom_ge_3d_t1_mprage_oblique/dicom" \
    "mr:tsfixed:$DATA/registration/mr_philips_table_shift_60mm/fixed_1301_Dual-echo_iso" \
    "mr:tsmoving:$DATA/registration/mr_philips_table_shift_60mm/moving_2201_Dual-echo_FH-60_table_moved"; do
  kind=${entry%%:*}; rest=${entry#*:}; name=${rest%%:*}; src=${rest#*:}
  [ -e "$src" ] || { echo "missing training series $src" >&2; exit 1; }
  [ -s "$WORK/$name.nii.gz" ] || "$BUILD/app/lightbox" convert "$src" "$WORK/$name.nii.gz" > /dev/null
  specs+=("$kind:$WORK/$name.nii.gz")
done
/usr/bin/python3 ai/training/train_registration.py resources/models tests/ai/golden/lightbox-registration.json "${specs[@]}"
