#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Summarises the cross-validation files of train_promptable_lesion.py: per modality and per size
(tumour volume from the reference) the mean Dice after 0-3 clicks and the cases below 0.5."""
import json
import sys

rows = [r for path in sys.argv[1:] for r in json.load(open(path))]
print(f"{'images':<10} {'n':>3} {'Dice 0':>7} {'1':>6} {'2':>6} {'3':>6} {'<0.5 at 0':>10} {'<0.5 at 3':>10} {'s/image':>8}")
for name in ("CT", "MR_T1", "PET", "all"):
    sel = [r for r in rows if name in ("all", r["image"])]
    if not sel:
        continue
    mean = [sum(r["dice"][k] for r in sel) / len(sel) for k in range(4)]
    low0 = sum(r["dice"][0] < 0.5 for r in sel)
    low3 = sum(r["dice"][3] < 0.5 for r in sel)
    sec = sum(r["seconds"] for r in sel) / len(sel)
    print(f"{name:<10} {len(sel):>3} {mean[0]:>7.3f} {mean[1]:>6.3f} {mean[2]:>6.3f} {mean[3]:>6.3f} {low0:>10} {low3:>10} {sec:>8.1f}")
print("worst (0 clicks):", ", ".join(f"{r['case']} {r['image']} {r['dice'][0]:.2f}" for r in sorted(rows, key=lambda r: r["dice"][0])[:8]))
