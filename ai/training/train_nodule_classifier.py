#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Trains the two-scale nodule candidate classifier (lightbox-nodule 2) on datasets written by
`lightbox make-nodule-dataset`, calibrates it on scans no training case comes from, measures it on
a background no training run used, and exports TorchScript + manifest + golden values + a
calibration report.

  /usr/bin/python3 ai/training/train_nodule_classifier.py TRAIN_DS HELDOUT_DS OUT_MODELS_DIR GOLDEN_JSON REPORT_JSON

TRAIN_DS: the training backgrounds (its "val" copies: same backgrounds, other insertions; reported).
HELDOUT_DS: every copy of a background never trained on (every candidate kept). Its even copies
calibrate and set the operating points; its odd copies are the test set nothing was fitted on.
LIGHTBOX_TRAINED_WEIGHTS=TRAIN_DS/weights.pth skips training (recalibration, re-export;
ai/training/recalibrate_nodule.sh does it for the shipped weights); LIGHTBOX_NODULE_VERSION names
the version written to the manifest (2.0.0 unless set).

CPU only, deterministic (seed 20261205), Debian's torch 1.13 (export with this version only).
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

SEED = 20261205
WINDOW = (-1000.0, 400.0)
EPOCHS = int(os.environ.get("LIGHTBOX_EPOCHS", "8"))
RATES = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
PREVIOUS_MODEL = os.environ.get("LIGHTBOX_PREVIOUS_NODULE_MODEL", "")
# Positives of these types are drawn this many times as often (LIGHTBOX_SUBSOLID_WEIGHT, default
# 1: as drawn): the model rejected most ground-glass and part-solid nodules under 10 mm.
SUBSOLID_WEIGHT = float(os.environ.get("LIGHTBOX_SUBSOLID_WEIGHT", "1"))


def normalise(hu):
    lo, hi = WINDOW
    return (np.clip(hu, lo, hi) - lo) / (hi - lo) * 2.0 - 1.0


class Dataset:
    def __init__(self, folder):
        meta = json.load(open(os.path.join(folder, "dataset.json")))
        self.scales = meta["scales"]
        p = meta["patch"]
        self.rows = list(csv.DictReader(open(os.path.join(folder, "patches.csv"))))
        raw = np.memmap(os.path.join(folder, "patches.i16"), dtype=np.int16, mode="r")
        self.patches = raw.reshape(-1, len(self.scales), p, p, p)
        assert len(self.rows) == self.patches.shape[0], folder + ": patches.csv and patches.i16 disagree"
        self.nodules = list(csv.DictReader(open(os.path.join(folder, "nodules.csv"))))

    def batch(self, idx, hu=False):
        x = np.asarray(self.patches[np.sort(idx)], dtype=np.float32)
        return torch.from_numpy(x if hu else normalise(x))


def augment(x, g):
    """x: (B, C, D, H, W) in HU -> normalised. Scanner variation the two training backgrounds lack
    (both are non-contrast, soft kernels): iodinated contrast (tissue above 0 HU brightened by up
    to 250 HU, so enhanced vessels and the mediastinum look as on a contrast CT) and noise of a
    sharp kernel (up to 40 HU in the 1.25 mm patch, less in the averaged context); then the same
    random flips and in-plane transpose for all channels."""
    b = x.shape[0]
    contrast = torch.rand(b, 1, 1, 1, 1, generator=g) * 250.0 * (torch.rand(b, 1, 1, 1, 1, generator=g) < 0.5)
    x = x + contrast * torch.clamp(x / 100.0, 0.0, 1.0)
    sigma = torch.rand(b, 1, 1, 1, 1, generator=g) * 40.0 * (torch.rand(b, 1, 1, 1, 1, generator=g) < 0.5)
    scale = torch.tensor([1.0, 1.0 / math.sqrt(8.0)]).reshape(1, 2, 1, 1, 1)
    x = x + torch.randn(x.shape, generator=g) * sigma * scale
    lo, hi = WINDOW
    x = (torch.clamp(x, lo, hi) - lo) / (hi - lo) * 2.0 - 1.0
    for dim in (2, 3, 4):
        if torch.rand(1, generator=g).item() < 0.5:
            x = x.flip(dim)
    if torch.rand(1, generator=g).item() < 0.5:
        x = x.transpose(3, 4)
    return x.contiguous()


def logits_of(model, ds, idx, batch=64, channels=None):
    model.eval()
    out = []
    idx = np.sort(idx)
    with torch.no_grad():
        for s in range(0, len(idx), batch):
            x = ds.batch(idx[s:s + batch])
            if channels is not None:
                x = x[:, channels]
            out.append(model(x).reshape(-1).detach())
    return torch.cat(out).numpy() if out else np.zeros(0)


def candidate_froc(rows, probs, nodules, thresholds=None):
    """Candidate-level FROC: each negative candidate is a false positive; a nodule is found when
    any of its positive candidates passes. With `thresholds` given (per rate), measures at those;
    otherwise chooses them here (just above the allowed number of negatives)."""
    scans = sorted({n["scan"] for n in nodules} | {r["scan"] for r in rows})
    neg = np.sort(np.array([p for r, p in zip(rows, probs) if r["label"] == "0"]))[::-1]
    best = {}
    for r, p in zip(rows, probs):
        if r["label"] == "1" and r["source"] == "candidate":
            best[r["nodule"]] = max(best.get(r["nodule"], 0.0), p)
    points = []
    for i, rate in enumerate(RATES):
        if thresholds is None:
            allowed = int(math.floor(rate * len(scans)))
            thr = float(neg[allowed]) + 1e-9 if allowed < len(neg) else 0.0
        else:
            thr = thresholds[i]
        sens = sum(1 for v in best.values() if v >= thr) / max(1, len(nodules))
        fps = float((neg >= thr).sum()) / max(1, len(scans))
        points.append({"fp_per_scan": rate, "threshold": thr, "sensitivity": sens, "measured_fp_per_scan": fps})
    cpm = sum(p["sensitivity"] for p in points) / len(points)
    return points, cpm


def fit_scaling(logits, labels, with_bias):
    a = torch.ones(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=with_bias)
    x = torch.from_numpy(logits.astype(np.float64)).float()
    y = torch.from_numpy(labels.astype(np.float32))
    params = [a, b] if with_bias else [a]
    opt = torch.optim.LBFGS(params, lr=0.5, max_iter=500)

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(a * x + b, y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(a.item()), float(b.item())


def nll(p, y):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def reliability(p, y, bins=10):
    """Equal-width reliability diagram and expected calibration error."""
    table, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = (p >= lo) & ((p < hi) if b + 1 < bins else (p <= hi))
        if sel.sum() == 0:
            table.append({"bin": [lo, hi], "count": 0})
            continue
        conf, acc = float(p[sel].mean()), float(y[sel].mean())
        ece += sel.sum() / len(p) * abs(conf - acc)
        table.append({"bin": [lo, hi], "count": int(sel.sum()), "mean_probability": round(conf, 4),
                      "observed_fraction": round(acc, 4)})
    return float(ece), table


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


TAIL_P = 0.9999  # ModelManifest::kTailProbability


def score(z):
    """The product's score of a calibrated logit (ModelManifest::probability): the logistic, with its
    tail above 0.9999 compressed (1 - p = 1e-4 * z0 / z) so that different logits never read the same."""
    z = np.asarray(z, dtype=np.float64)
    z0 = np.log(TAIL_P / (1.0 - TAIL_P))
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(z >= z0, 1.0 - (1.0 - TAIL_P) * z0 / np.where(z >= z0, z, 1.0), sigmoid(z))


def main(train_dir, heldout_dir, out_dir, golden_path, report_path):
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(int(os.environ.get("LIGHTBOX_TRAIN_THREADS", "2")))
    t0 = time.time()
    tr = Dataset(train_dir)
    assert tr.scales == [1, 2], "the model takes a patch and its context at twice the extent"

    def labelled(ds, pick):
        return np.array([i for i, r in enumerate(ds.rows) if r["label"] in ("0", "1") and pick(r)], dtype=np.int64)

    def copy_of(r):
        return int(r["scan"].rsplit("#", 1)[1])

    train = labelled(tr, lambda r: r["split"] == "train")
    val_seen = labelled(tr, lambda r: r["split"] == "val")
    ytrain = np.array([1.0 if tr.rows[i]["label"] == "1" else 0.0 for i in train], dtype=np.float32)
    print(f"train patches {len(train)} ({int(ytrain.sum())} positive); seen-background val {len(val_seen)}",
          flush=True)

    # Hard negatives: the training negatives the previous model scores highest are drawn three
    # times as often (it called them nodules; vessels, hilum, walls).
    weights = np.ones(len(train))
    if PREVIOUS_MODEL:
        old = torch.jit.load(PREVIOUS_MODEL)
        # 1.0.0 took the 40 mm patch alone; 2.x takes the patch and its context.
        old.eval()
        try:
            with torch.no_grad():
                old(tr.batch(train[:1]))
            channels = None
        except RuntimeError:
            channels = [0]
        old_p = sigmoid(logits_of(old, tr, train, channels=channels))
        order = np.argsort(train)  # logits_of sorts its indices
        old_sorted = np.empty(len(train))
        old_sorted[order] = old_p
        hard = (ytrain == 0) & (old_sorted > 0.5)
        weights[hard] = 3.0
        print(f"hard negatives (previous model > 0.5): {int(hard.sum())} of {int((ytrain == 0).sum())}", flush=True)
    if SUBSOLID_WEIGHT != 1.0:
        subsolid = np.array([tr.rows[i]["type"] in ("ground-glass", "part-solid") for i in train]) & (ytrain == 1)
        weights[subsolid] *= SUBSOLID_WEIGHT
        print(f"ground-glass and part-solid positives drawn {SUBSOLID_WEIGHT:g} times as often: {int(subsolid.sum())}",
              flush=True)

    model = NoduleNet()
    trained = os.environ.get("LIGHTBOX_TRAINED_WEIGHTS", "")
    epochs = 0 if trained else EPOCHS
    if trained:
        model.load_state_dict(torch.load(trained))
        print(f"weights from {trained}: no training", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    per_epoch = len(train)
    steps_per_epoch = math.ceil(per_epoch / 32)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=max(1, epochs) * steps_per_epoch)
    g = torch.Generator().manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    pos_weight = torch.tensor([(len(ytrain) - ytrain.sum()) / max(1.0, ytrain.sum()) / 2.0])
    for epoch in range(epochs):
        model.train()
        draw = rng.choice(len(train), size=per_epoch, replace=True, p=weights / weights.sum())
        total = 0.0
        for s in range(0, len(draw), 32):
            pick = np.sort(draw[s:s + 32])
            x = augment(tr.batch(train[pick], hu=True), g)
            y = torch.from_numpy(ytrain[pick])
            loss = F.binary_cross_entropy_with_logits(model(x).reshape(-1), y, pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(pick)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / per_epoch:.4f}, {time.time() - t0:.0f} s", flush=True)
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    if not trained:
        # Kept beside the dataset: LIGHTBOX_TRAINED_WEIGHTS=.../weights.pth recalibrates without training.
        torch.save(model.state_dict(), os.path.join(train_dir, "weights.pth"))

    ho = Dataset(heldout_dir)
    assert ho.scales == tr.scales, "both datasets must have the same scales"
    cal_ho = labelled(ho, lambda r: copy_of(r) % 2 == 0)
    test_ho = labelled(ho, lambda r: copy_of(r) % 2 == 1)
    print(f"held-out background: calibration {len(cal_ho)} patches, test {len(test_ho)}", flush=True)

    def rows_logits(ds, idx):
        idx = np.sort(idx)
        return [ds.rows[i] for i in idx], logits_of(model, ds, idx)

    seen_rows, seen_logits = rows_logits(tr, val_seen)
    cal_rows, cal_logits = rows_logits(ho, cal_ho)
    test_rows, test_logits = rows_logits(ho, test_ho)
    lab = lambda rows: np.array([1.0 if r["label"] == "1" else 0.0 for r in rows])  # noqa: E731

    # Calibration: temperature (a only) or temperature with bias (Platt), the one with the lower
    # log loss on the calibration scans: the held-out background's even copies (a background the
    # model never saw, as a new patient's scan is; the training backgrounds' own val copies make
    # it overconfident there, and are only reported).
    fit_logits = cal_logits
    fit_labels = lab(cal_rows)
    choices = {}
    for name, bias in (("temperature", False), ("platt", True)):
        a, b = fit_scaling(fit_logits, fit_labels, bias)
        choices[name] = (a, b, nll(sigmoid(a * fit_logits + b), fit_labels))
    method = min(choices, key=lambda k: choices[k][2])
    a, b, _ = choices[method]
    cal = lambda z: score(a * np.asarray(z, np.float64) + b)  # noqa: E731  (in double, as the C++)
    print(f"calibration: {method} a={a:.4f} b={b:.4f} (log loss " +
          ", ".join(f"{k} {v[2]:.4f}" for k, v in choices.items()) + ")", flush=True)

    # Operating points on the calibration scans, in calibrated probability.
    cal_nodules = [n for n in ho.nodules if copy_of(n) % 2 == 0]
    points, cal_cpm = candidate_froc(cal_rows, cal(cal_logits), cal_nodules)
    thresholds = [p["threshold"] for p in points]
    test_nodules = [n for n in ho.nodules if copy_of(n) % 2 == 1]
    test_points, test_cpm = candidate_froc(test_rows, cal(test_logits), test_nodules, thresholds)
    test_ece, test_table = reliability(cal(test_logits), lab(test_rows))
    test_ece_raw, _ = reliability(sigmoid(test_logits), lab(test_rows))
    seen_ece, _ = reliability(cal(seen_logits), lab(seen_rows))
    raw = sigmoid(test_logits)
    print(f"held-out test ({len(test_nodules)} nodules): candidate-level CPM {test_cpm:.3f}, ECE {test_ece:.4f} "
          f"(uncalibrated {test_ece_raw:.4f}); seen-background val ECE {seen_ece:.4f}; raw sigmoid >= 0.995 on "
          f"{int((raw >= 0.995).sum())} patches", flush=True)
    for p, q in zip(points, test_points):
        print(f"  {p['fp_per_scan']:6.3f} FP/scan: threshold {p['threshold']:.4f}, calibration-set sensitivity "
              f"{p['sensitivity']:.3f}; test sensitivity {q['sensitivity']:.3f} at {q['measured_fp_per_scan']:.2f} FP/scan")

    scripted = torch.jit.script(model)
    weights_path = os.path.join(out_dir, "lightbox-nodule.pt")
    scripted.save(weights_path)
    digest = hashlib.sha256(open(weights_path, "rb").read()).hexdigest()
    by_type = {}
    for n in test_nodules:
        by_type[n["type"]] = by_type.get(n["type"], 0) + 1
    found = sum(1 for n in test_nodules if n["candidate_found"] == "1") / max(1, len(test_nodules))
    manifest = {
        "schema": "lightbox-model/1",
        "name": "lightbox-nodule",
        "version": os.environ.get("LIGHTBOX_NODULE_VERSION", "2.0.0"),
        "task": "lung-nodule-candidate-classification",
        "licence": "Apache-2.0",
        "intended_use": "Decision support for adult chest CT (slices <= 2.5 mm): ranks lung-nodule candidates "
                        "for a radiologist to review. Not validated on patients; not for diagnosis.",
        "training_data": "Synthetic nodules (solid, part-solid, ground-glass; isolated, juxta-vascular, "
                         "juxta-pleural; 3-30 mm) inserted into two real chest CT backgrounds from ../shared/data "
                         "(the POPI 4D-CT phase 00 and the LIDC-IDRI-0001 slab, its real nodule kept away), with "
                         "the previous model's false positives drawn three times as often. Calibrated and measured "
                         "on the CPTAC-LUAD C3N-00247 CT, a background no training run used. See MODEL_CARD.md.",
        "weights": {"file": "lightbox-nodule.pt", "sha256": digest, "format": "torchscript"},
        "input": {
            "modality": ["CT"],
            "orientation": "tensor (N, 2, D, H, W) = (z, y, x) of an isotropic grid along the scan's own axes; "
                           "channel 0 the patch centred on the candidate, channel 1 its context at twice the extent",
            "target_spacing_xyz_mm": [1.25, 1.25, 1.25],
            "max_slice_thickness_mm": 2.5,
            "min_coverage_z_mm": 100,
            "intensity": {"window": list(WINDOW), "normalised_range": [-1.0, 1.0]},
            "patch_xyz": [32, 32, 32],
            "overlap": 0.0,
            "channels": 2,
            "scales": [1, 2],
        },
        "output": {
            "type": "logit",
            "labels": ["nodule"],
            "threshold": next(p["threshold"] for p in points if p["fp_per_scan"] == 1.0),
            "calibration": {"method": "platt", "a": a, "b": b, "fitted_as": method},
            "operating_points": [{"fp_per_scan": p["fp_per_scan"], "threshold": p["threshold"],
                                  "sensitivity": round(p["sensitivity"], 4)} for p in points],
        },
        "validation": {
            "calibration_scans": len({r["scan"] for r in cal_rows}),
            "test_scans": len({r["scan"] for r in test_rows}),
            "test_nodules": len(test_nodules),
            "test_nodules_by_type": by_type,
            "test_candidate_recall": round(found, 4),
            "test_cpm_candidate_level": round(test_cpm, 4),
            "test_expected_calibration_error": round(test_ece, 4),
        },
    }
    with open(os.path.join(out_dir, "lightbox-nodule.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    with torch.no_grad():
        golden = scripted(golden_input()).reshape(-1).tolist()
    with open(golden_path, "w") as f:
        json.dump({"model": "lightbox-nodule.pt", "sha256": digest, "input": "nodule_model.golden_input()",
                   "logits": golden}, f, indent=2)
        f.write("\n")
    report = {"calibration": {"method": method, "a": a, "b": b,
                              "log_loss": {k: v[2] for k, v in choices.items()}},
              "test": {"nodules": len(test_nodules), "candidate_recall": found, "cpm_candidate_level": test_cpm,
                       "ece": test_ece, "ece_uncalibrated": test_ece_raw, "reliability": test_table,
                       "operating_points": test_points},
              "seen_background_val_ece": seen_ece,
              "calibration_set": {"cpm_candidate_level": cal_cpm, "operating_points": points}}
    with open(report_path, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print(f"wrote {weights_path} (sha256 {digest}), golden logits {golden}, total {time.time() - t0:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
