#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Trains the nodule candidate classifier on a dataset written by `lightbox make-nodule-dataset`,
calibrates it on the held-out scans, and exports TorchScript + manifest + golden values.

  /usr/bin/python3 ai/training/train_nodule_classifier.py DATASET_DIR OUT_MODELS_DIR GOLDEN_JSON

CPU only, deterministic (seed 20261121), Debian's torch 1.13 (export with this version only).
"""
import csv
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodule_model import NoduleNet, golden_input  # noqa: E402

SEED = 20261121
PATCH = 32
WINDOW = (-1000.0, 400.0)
EPOCHS = int(os.environ.get("LIGHTBOX_EPOCHS", "8"))
RATES = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]


def normalise(hu):
    lo, hi = WINDOW
    return (np.clip(hu, lo, hi) - lo) / (hi - lo) * 2.0 - 1.0


def load(ds):
    rows = list(csv.DictReader(open(os.path.join(ds, "patches.csv"))))
    raw = np.fromfile(os.path.join(ds, "patches.i16"), dtype=np.int16)
    patches = raw.reshape(-1, PATCH, PATCH, PATCH)
    assert len(rows) == patches.shape[0], "patches.csv and patches.i16 disagree"
    nodules = list(csv.DictReader(open(os.path.join(ds, "nodules.csv"))))
    return rows, patches, nodules


def augment(x, g):
    # x: (B, 1, D, H, W); random flips on every axis and an in-plane transpose.
    for dim in (2, 3, 4):
        if torch.rand(1, generator=g).item() < 0.5:
            x = x.flip(dim)
    if torch.rand(1, generator=g).item() < 0.5:
        x = x.transpose(3, 4)
    return x.contiguous()


def scores_of(model, patches, idx, batch=64):
    model.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(idx), batch):
            x = torch.from_numpy(normalise(patches[idx[s:s + batch]].astype(np.float32))).unsqueeze(1)
            out.append(model(x).squeeze(1))
    return torch.cat(out).numpy() if out else np.zeros(0)


def froc(val_rows, logits, val_nodules, n_scans):
    """Candidate-level FROC on the held-out scans: each negative candidate is a false positive,
    a nodule is found when any of its positive candidates passes the threshold."""
    probs = 1 / (1 + np.exp(-logits))
    neg = np.array([p for r, p in zip(val_rows, probs) if r["label"] == "0"])
    best = {}
    for r, p in zip(val_rows, probs):
        if r["label"] == "1":
            best[r["nodule"]] = max(best.get(r["nodule"], 0.0), p)
    total = len(val_nodules)
    points = []
    for rate in RATES:
        allowed = int(math.floor(rate * n_scans))
        srt = np.sort(neg)[::-1]
        # Threshold just above the (allowed+1)-th highest negative score.
        thr = float(srt[allowed]) + 1e-6 if allowed < len(srt) else 0.0
        thr = min(max(thr, 1e-4), 0.9999)
        sens = sum(1 for v in best.values() if v >= thr) / max(1, total)
        points.append({"fp_per_scan": rate, "threshold": round(thr, 6), "sensitivity": round(sens, 4)})
    cpm = sum(p["sensitivity"] for p in points) / len(points)
    return points, cpm


def platt(logits, labels):
    a = torch.ones(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    x = torch.from_numpy(logits.astype(np.float32))
    y = torch.from_numpy(labels.astype(np.float32))
    opt = torch.optim.LBFGS([a, b], lr=0.5, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(a * x + b, y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(a.item()), float(b.item())


def main(ds, out_dir, golden_path):
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(int(os.environ.get("LIGHTBOX_TRAIN_THREADS", "2")))
    t0 = time.time()
    rows, patches, nodules = load(ds)
    train = np.array([i for i, r in enumerate(rows) if r["split"] == "train" and r["label"] in ("0", "1")])
    val = np.array([i for i, r in enumerate(rows) if r["split"] == "val" and r["label"] in ("0", "1")])
    ytrain = np.array([1.0 if rows[i]["label"] == "1" else 0.0 for i in train], dtype=np.float32)
    val_nodules = [n for n in nodules if n["split"] == "val"]
    val_scans = sorted({n["scan"] for n in val_nodules})
    print(f"train patches {len(train)} ({int(ytrain.sum())} positive), val patches {len(val)}, "
          f"val scans {len(val_scans)}, val nodules {len(val_nodules)}", flush=True)

    model = NoduleNet()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps_per_epoch = math.ceil(len(train) / 32)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=EPOCHS * steps_per_epoch)
    g = torch.Generator().manual_seed(SEED)
    pos_weight = torch.tensor([(len(ytrain) - ytrain.sum()) / max(1.0, ytrain.sum()) / 2.0])
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train), generator=g).numpy()
        total = 0.0
        for s in range(0, len(order), 32):
            idx = train[order[s:s + 32]]
            x = torch.from_numpy(normalise(patches[idx].astype(np.float32))).unsqueeze(1)
            x = augment(x, g)
            y = torch.from_numpy(ytrain[order[s:s + 32]])
            loss = F.binary_cross_entropy_with_logits(model(x).squeeze(1), y, pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
        print(f"epoch {epoch + 1}/{EPOCHS}: loss {total / len(train):.4f}, {time.time() - t0:.0f} s", flush=True)

    model.eval()
    val_logits = scores_of(model, patches, val)
    val_rows = [rows[i] for i in val]
    points, cpm = froc(val_rows, val_logits, val_nodules, len(val_scans))
    labels = np.array([1.0 if r["label"] == "1" else 0.0 for r in val_rows])
    a, b = platt(val_logits, labels)
    found = sum(1 for n in val_nodules if n["candidate_found"] == "1") / max(1, len(val_nodules))
    print(f"validation: candidate recall {found:.3f}, CPM {cpm:.3f}, Platt a={a:.4f} b={b:.4f}", flush=True)
    for p in points:
        print(f"  {p['fp_per_scan']:6.3f} FP/scan: sensitivity {p['sensitivity']:.3f} at score >= {p['threshold']:.4f}")

    os.makedirs(out_dir, exist_ok=True)
    scripted = torch.jit.script(model)
    weights = os.path.join(out_dir, "lightbox-nodule.pt")
    scripted.save(weights)
    digest = hashlib.sha256(open(weights, "rb").read()).hexdigest()
    by_type = {}
    for n in val_nodules:
        by_type.setdefault(n["type"], 0)
        by_type[n["type"]] += 1
    manifest = {
        "schema": "lightbox-model/1",
        "name": "lightbox-nodule",
        "version": "1.0.0",
        "task": "lung-nodule-candidate-classification",
        "licence": "Apache-2.0",
        "intended_use": "Decision support for adult chest CT (slices <= 2.5 mm): ranks lung-nodule candidates "
                        "for a radiologist to review. Not validated on patients; not for diagnosis.",
        "training_data": "Synthetic nodules (solid, part-solid, ground-glass; isolated, juxta-vascular, "
                         "juxta-pleural; 3-30 mm) inserted into two real chest CT backgrounds from ../shared/data: "
                         "the POPI 4D-CT phase 00 and the LIDC-IDRI-0001 16-slice slab (its real nodule kept "
                         "25 mm away from every insertion and negative). See MODEL_CARD.md.",
        "weights": {"file": "lightbox-nodule.pt", "sha256": digest, "format": "torchscript"},
        "input": {
            "modality": ["CT"],
            "orientation": "tensor (N, 1, D, H, W) = (z, y, x) of an isotropic grid along the scan's own axes, "
                           "patch centred on the candidate",
            "target_spacing_xyz_mm": [1.25, 1.25, 1.25],
            "max_slice_thickness_mm": 2.5,
            "min_coverage_z_mm": 100,
            "intensity": {"window": list(WINDOW), "normalised_range": [-1.0, 1.0]},
            "patch_xyz": [PATCH, PATCH, PATCH],
            "overlap": 0.0,
            "channels": 1,
        },
        "output": {
            "type": "logit",
            "labels": ["nodule"],
            "threshold": next(p["threshold"] for p in points if p["fp_per_scan"] == 1.0),
            "calibration": {"method": "platt", "a": round(a, 6), "b": round(b, 6)},
            "operating_points": points,
        },
        "validation": {
            "scans": len(val_scans), "nodules": len(val_nodules), "nodules_by_type": by_type,
            "candidate_recall": round(found, 4), "cpm_candidate_level": round(cpm, 4),
        },
    }
    with open(os.path.join(out_dir, "lightbox-nodule.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    with torch.no_grad():
        golden = scripted(golden_input()).squeeze(1).tolist()
    with open(golden_path, "w") as f:
        json.dump({"model": "lightbox-nodule.pt", "sha256": digest, "input": "nodule_model.golden_input()",
                   "logits": golden}, f, indent=2)
        f.write("\n")
    print(f"wrote {weights} (sha256 {digest}), golden logits {golden}, total {time.time() - t0:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
