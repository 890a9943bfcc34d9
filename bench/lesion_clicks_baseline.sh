#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 23's yardstick: `lightbox eval-clicks` on every sarcoma case and modality present
# (CT, T1 MR, SUV PET, NIfTI with reference masks) and on LIDC-IDRI-0001 (readers' consensus):
# one click at the lesion's most interior point, then up to 3 simulated corrections.
# Usage: bench/lesion_clicks_baseline.sh ENGINE [OUTDIR] (ENGINE: model | classical); one thread.
set -euo pipefail
engine=${1:?engine: model or classical}
out=${2:-build/bench-lesion-clicks}
here=$(cd "$(dirname "$0")/.." && pwd)
data=${LIGHTBOX_SHARED_DATA:-$here/../shared/data}
lightbox=${LIGHTBOX:-$here/build/app/lightbox}
mkdir -p "$out"
cases=()
for dir in "$data"/lesions/sarcoma_ibsi_sts/STS_*; do
  for m in CT MR_T1 PET; do
    [[ -f $dir/${m}_image.nii.gz ]] && cases+=("$dir/${m}_image.nii.gz=$dir/${m}_mask.nii.gz")
  done
done
lidc=$data/ct/chest_lidc-idri-0001_nodule_slab
cases+=("$lidc/dicom=$lidc/annotations/069.xml")
"$lightbox" eval-clicks "${cases[@]}" --engine "$engine" --clicks 3 --threads 1 --json "$out/$engine.json" \
  | tee "$out/$engine.txt"
