#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cross-validation of the promptable lesion model through the product's own engine: each fold's
# weights (the `cv` mode of train_promptable_lesion.py, WORK/cvF.json.pt) are exported to
# TorchScript with /usr/bin/python3's torch 1.13 into a models folder of their own (with the nodule
# model beside them, so CT clicks in aerated lung are routed as shipped), and `lightbox eval-clicks`
# runs on the fold's held-out sarcoma images only (cases sorted by name, every FOLDS-th). So the
# numbers include every rule of PromptableLesionEngine (the wider look, PET's first pass, the leak
# guards), which the Python mirror of train_promptable_lesion.py does not have.
# usage: ai/training/evaluate_promptable_cv.sh WORK_DIR [BUILD_DIR] [FOLDS]
#   then: /usr/bin/python3 ai/training/summarise_promptable_cv.py --eval-clicks WORK_DIR/eval-fold*.json
#   LIGHTBOX_ENSEMBLE_WITH=OTHER_WORK_DIR: each fold run as the ensemble of WORK_DIR/cvF.json.pt and
#   OTHER_WORK_DIR/cvF.json.pt (export-ensemble: the mean of their logits); it writes over
#   WORK_DIR's fold*-models and eval-fold*, so give it a WORK_DIR of its own.
#   LIGHTBOX_EVAL_BOX_MARGIN=F: the first prompt also has a box, the reference's bounding box F of
#   its extent looser on every side (`eval-clicks --box-margin`); it also writes over WORK_DIR's
#   eval-fold* (their JSON says "box_margin"), so give it a WORK_DIR of its own.
set -euo pipefail
WORK=$(realpath -m "${1:?work folder holding cv0.json.pt ...}")
OTHER=${LIGHTBOX_ENSEMBLE_WITH:+$(realpath -m "$LIGHTBOX_ENSEMBLE_WITH")}
cd "$(dirname "$0")/../.."
BUILD=${2:-build}
FOLDS=${3:-3}
DATA=$(realpath -m "${LIGHTBOX_SHARED_DATA:-../shared/data}")
SARCOMA=$DATA/lesions/sarcoma_ibsi_sts
# The trainer's split: case folders sorted by name (byte order), every FOLDS-th held out.
mapfile -t cases < <(cd "$SARCOMA" && ls -d STS_* | LC_ALL=C sort)
for ((fold = 0; fold < FOLDS; ++fold)); do
  state=$WORK/cv$fold.json.pt
  [[ -f $state ]] || { echo "missing $state (train_promptable_lesion.py cv $fold $FOLDS ...)" >&2; exit 1; }
  models=$WORK/fold$fold-models
  rm -rf "$models"
  mkdir -p "$models"
  if [[ -n $OTHER ]]; then
    # The fold as an ensemble with the same fold of another run (the mean of their logits).
    other=$OTHER/cv$fold.json.pt
    [[ -f $other ]] || { echo "missing $other" >&2; exit 1; }
    /usr/bin/python3 ai/training/train_promptable_lesion.py export-ensemble "$models" "$models/golden.txt" "$state" \
      "$other" > /dev/null
  else
    /usr/bin/python3 ai/training/train_promptable_lesion.py export "$state" "$models" "$models/golden.txt" > /dev/null
  fi
  rm "$models/golden.txt"
  # The shipped manifest with this fold's weights' hash; the nodule model as shipped.
  /usr/bin/python3 - "$models" <<'EOF'
import hashlib, json, sys
models = sys.argv[1]
m = json.load(open("resources/models/lightbox-lesion-prompt.json"))
m["weights"]["sha256"] = hashlib.sha256(open(f"{models}/lightbox-lesion-prompt.pt", "rb").read()).hexdigest()
m["version"] += "-cv"
json.dump(m, open(f"{models}/lightbox-lesion-prompt.json", "w"), indent=2)
EOF
  cp resources/models/lightbox-lesion.json resources/models/lightbox-lesion.pt "$models/"
  pairs=()
  for ((k = 0; k < ${#cases[@]}; ++k)); do
    ((k % FOLDS == fold)) || continue
    dir=$SARCOMA/${cases[k]}
    for m in CT MR_T1 PET; do
      [[ -f $dir/${m}_image.nii.gz ]] && pairs+=("$dir/${m}_image.nii.gz=$dir/${m}_mask.nii.gz")
    done
  done
  echo "fold $fold: ${#pairs[@]} held-out images"
  LIGHTBOX_MODELS_BUILTIN=$models LIGHTBOX_MODELS=$models "$BUILD/app/lightbox" eval-clicks "${pairs[@]}" \
    --engine model --clicks 3 --threads "${LIGHTBOX_THREADS:-1}" --json "$WORK/eval-fold$fold.json" \
    ${LIGHTBOX_EVAL_BOX_MARGIN:+--box-margin "$LIGHTBOX_EVAL_BOX_MARGIN"} \
    > "$WORK/eval-fold$fold.txt"
  tail -n 4 "$WORK/eval-fold$fold.txt"
done
/usr/bin/python3 ai/training/summarise_promptable_cv.py --eval-clicks "$WORK"/eval-fold*.json
