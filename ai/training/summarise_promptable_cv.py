#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Summarises cross-validation results of the promptable lesion model: per modality and per size
(tumour volume from the reference mask) the mean Dice after 0-3 correction clicks and the cases
below 0.5.

  summarise_promptable_cv.py CV.json ...                 files of train_promptable_lesion.py (cv mode)
  summarise_promptable_cv.py --eval-clicks EVAL.json ... files of `lightbox eval-clicks --json`
                                                         (evaluate_promptable_cv.sh: the C++ engine)
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from promptable_lesion_data import read_nifti  # noqa: E402

SIZES = ((0, 50, "< 50 mL"), (50, 200, "50-200 mL"), (200, 500, "200-500 mL"), (500, 1e9, ">= 500 mL"))


def from_eval_clicks(path):
    rows = []
    for c in json.load(open(path))["cases"]:
        image = os.path.basename(c["image"]).replace("_image.nii.gz", "")
        dice = [s["dice"] for s in c["steps"]]
        dice += [dice[-1]] * (4 - len(dice))
        seconds = sum(s["seconds"] for s in c["steps"])
        rows.append({"case": os.path.basename(os.path.dirname(c["image"])), "image": image, "dice": dice,
                     "seconds": seconds, "reference": c["reference"]})
    return rows


def volume_ml(path):
    mask, spacing = read_nifti(path)
    return float((mask > 0.5).sum()) * float(np.prod(spacing)) / 1000.0


def line(name, sel):
    mean = [sum(r["dice"][k] for r in sel) / len(sel) for k in range(4)]
    low0 = sum(r["dice"][0] < 0.5 for r in sel)
    low3 = sum(r["dice"][3] < 0.5 for r in sel)
    sec = sum(r["seconds"] for r in sel) / len(sel)
    print(f"{name:<12} {len(sel):>3} {mean[0]:>7.3f} {mean[1]:>6.3f} {mean[2]:>6.3f} {mean[3]:>6.3f} {low0:>10} {low3:>10} {sec:>8.1f}")


def main():
    args = sys.argv[1:]
    if args and args[0] == "--eval-clicks":
        rows = [r for path in args[1:] for r in from_eval_clicks(path)]
    else:
        rows = [r for path in args for r in json.load(open(path))]
    if not rows:
        raise SystemExit(__doc__)
    print(f"{'images':<12} {'n':>3} {'Dice 0':>7} {'1':>6} {'2':>6} {'3':>6} {'<0.5 at 0':>10} {'<0.5 at 3':>10} {'s/image':>8}")
    for name in ("CT", "MR_T1", "PET", "all"):
        sel = [r for r in rows if name in ("all", r["image"])]
        if sel:
            line(name, sel)
    if all("reference" in r for r in rows):
        for r in rows:
            r["ml"] = volume_ml(r["reference"])
        for lo, hi, name in SIZES:
            sel = [r for r in rows if lo <= r["ml"] < hi]
            if sel:
                line(name, sel)
    print("worst (0 clicks):", ", ".join(f"{r['case']} {r['image']} {r['dice'][0]:.2f}"
                                        for r in sorted(rows, key=lambda r: r["dice"][0])[:8]))


if __name__ == "__main__":
    main()
