#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Trains the click-to-segment lesion model on a dataset written by
`lightbox make-segmentation-dataset`, and exports TorchScript + manifest + golden values.

  /usr/bin/python3 ai/training/train_lesion_segmenter.py DATASET_DIR OUT_MODELS_DIR GOLDEN_JSON

CPU only, deterministic (seed 20261201), Debian's torch 1.13 (export with this version only).
Every eighth augmented copy of each background is held out to watch for over-fitting; the
held-out evaluation on unseen backgrounds is `lightbox eval-lesion-set` (ai/training/train_lesion.sh).
"""
import csv
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lesion_model import EDGE, FACTORS, LesionNet, ct_intensity, golden_samples, model_input  # noqa: E402

SEED = 20261201
EPOCHS = int(os.environ.get("LIGHTBOX_EPOCHS", "14"))
BATCH = 16


def clicks(text):
    return [tuple(float(v) for v in c.split()) for c in text.split(";") if c.strip()]


def load(ds):
    rows = list(csv.DictReader(open(os.path.join(ds, "samples.csv"))))
    images = np.fromfile(os.path.join(ds, "images.f32"), dtype=np.float32).reshape(-1, EDGE, EDGE, EDGE)
    targets = np.fromfile(os.path.join(ds, "targets.u8"), dtype=np.uint8).reshape(-1, EDGE, EDGE, EDGE)
    assert len(rows) == images.shape[0] == targets.shape[0], "samples.csv, images.f32 and targets.u8 disagree"
    maps = np.stack([model_input(np.zeros((EDGE, EDGE, EDGE), np.float32), 0.0, 1.0, clicks(r["positive"]),
                                 clicks(r["negative"]))[4:] for r in rows])
    y = (targets.astype(np.float32) / 255.0)[:, None]
    ref = np.array([[float(r["click_value"]), float(r["scale"]), float(r["is_ct"])] for r in rows], np.float32)
    return rows, images, maps, ref, y


def inputs(images, maps, ref, idx, g=None):
    """The model input of samples idx; with a generator, augmented: the contrast against the click
    value scaled by 0.75-1.35 (other kernels, contrast phases, field strengths) and noise added
    (CT: SD up to 20 HU; MR: up to 3 % of the click value)."""
    raw = torch.from_numpy(images[idx])
    v = torch.from_numpy(ref[idx, 0]).view(-1, 1, 1, 1)
    s = torch.from_numpy(ref[idx, 1]).view(-1, 1, 1, 1)
    d = (raw - v) / s
    if g is not None:
        n = len(idx)
        gain = 0.75 + 0.6 * torch.rand(n, 1, 1, 1, generator=g)
        ct = torch.from_numpy(ref[idx, 2]).view(-1, 1, 1, 1)
        sd = torch.rand(n, 1, 1, 1, generator=g) * (ct * 20.0 / s + (1 - ct) * 0.03 * v.abs() / s)
        d = d * gain + sd * torch.randn(raw.shape, generator=g)
    chans = [torch.tanh(d * f) for f in FACTORS]
    # The absolute view of the (augmented) values: CT in HU, other modalities relative to the click.
    x = d * s + v
    ct = torch.from_numpy(ref[idx, 2]).view(-1, 1, 1, 1)
    absolute = ct * ((x.clamp(-1000.0, 400.0) + 1000.0) / 1400.0 * 2.0 - 1.0) + \
        (1 - ct) * (x / v.abs().clamp(min=1e-6) - 1.0).clamp(-1.0, 2.0)
    chans.append(absolute)
    return torch.cat([torch.stack(chans, 1), torch.from_numpy(maps[idx])], 1).contiguous()


def augment(x, y, g):
    for dim in (2, 3, 4):
        if torch.rand(1, generator=g).item() < 0.5:
            x, y = x.flip(dim), y.flip(dim)
    if torch.rand(1, generator=g).item() < 0.5:
        x, y = x.transpose(3, 4), y.transpose(3, 4)
    return x.contiguous(), y.contiguous()


def loss_of(logits, y):
    bce = F.binary_cross_entropy_with_logits(logits, y)
    p = torch.sigmoid(logits)
    inter = (p * y).flatten(1).sum(1)
    dice = 1 - (2 * inter + 1) / (p.flatten(1).sum(1) + y.flatten(1).sum(1) + 1)
    return bce + dice.mean()


def dice_by_kind(model, data, y, rows, idx):
    model.eval()
    out = {}
    with torch.no_grad():
        for s in range(0, len(idx), 32):
            b = idx[s:s + 32]
            p = torch.sigmoid(model(inputs(*data, b))).numpy() >= 0.5
            t = y[b] >= 0.5
            for k, i in enumerate(b):
                inter = (p[k] & t[k]).sum()
                d = 2 * inter / max(1, p[k].sum() + t[k].sum())
                out.setdefault(rows[i]["kind"], []).append(float(d))
    return {k: (round(float(np.mean(v)), 4), len(v)) for k, v in sorted(out.items())}


def main(ds, out_dir, golden_path):
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(int(os.environ.get("LIGHTBOX_TRAIN_THREADS", "2")))
    t0 = time.time()
    rows, images, maps, ref, y = load(ds)
    data = (images, maps, ref)
    held = np.array([i for i, r in enumerate(rows) if int(r["scan"].rsplit("#", 1)[1]) % 8 == 7])
    train = np.array([i for i in range(len(rows)) if i not in set(held.tolist())])
    print(f"samples {len(rows)}: train {len(train)}, held-out copies {len(held)}; inputs built in "
          f"{time.time() - t0:.0f} s", flush=True)

    model = LesionNet()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = EPOCHS * ((len(train) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    g = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        order = train[torch.randperm(len(train), generator=g).numpy()]
        total = 0.0
        for s in range(0, len(order), BATCH):
            b = order[s:s + BATCH]
            xb, yb = augment(inputs(*data, b, g), torch.from_numpy(y[b]), g)
            loss = loss_of(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(b)
        print(f"epoch {epoch + 1}/{EPOCHS}: loss {total / len(train):.4f}, {time.time() - t0:.0f} s", flush=True)
        if epoch == EPOCHS - 1 or epoch % 2 == 1:
            print("  held-out copies, patch Dice by kind:", dice_by_kind(model, data, y, rows, held), flush=True)

    model.eval()
    held_dice = dice_by_kind(model, data, y, rows, held)
    os.makedirs(out_dir, exist_ok=True)
    scripted = torch.jit.script(model)
    weights = os.path.join(out_dir, "lightbox-lesion.pt")
    scripted.save(weights)
    digest = hashlib.sha256(open(weights, "rb").read()).hexdigest()
    kinds = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    manifest = {
        "schema": "lightbox-model/1",
        "name": "lightbox-lesion",
        "version": "1.0.0",
        "task": "click-to-segment-lesion",
        "licence": "Apache-2.0",
        "intended_use": "Decision support: proposes the 3D outline of a lesion a reader clicked (lung nodules "
                        "on chest CT, hypodense liver lesions, bright lesions on MR) for the reader to review "
                        "and correct. Not validated on patients; not for diagnosis.",
        "training_data": "Synthetic lesions (lung nodules solid / part-solid / ground-glass, isolated / "
                         "juxta-vascular / juxta-pleural, 3-30 mm; hypodense liver-side soft-tissue lesions and "
                         "bright MR brain lesions, 6-30 mm) with exact masks, inserted into three real backgrounds "
                         "from ../shared/data: POPI 4D-CT phase 00, the LIDC-IDRI-0001 slab (its real nodule kept "
                         "25 mm away) and the Siemens XA30 T1w brain MR. See MODEL_CARD.md.",
        "weights": {"file": "lightbox-lesion.pt", "sha256": digest, "format": "torchscript"},
        "input": {
            "modality": ["CT", "MR"],
            "orientation": "tensor (1, 6, D, H, W) = (z, y, x) of a cube along the scan's own axes centred on "
                           "the click; sample spacing chosen per pass (1.5 mm first, then 0.5-2.5 mm so the "
                           "lesion is 4-22 samples wide)",
            "target_spacing_xyz_mm": [1.5, 1.5, 1.5],
            "intensity": {"method": "click-relative-tanh/2", "ct_scale_hu": 300.0, "factors": [3.0, 1.0, 0.3]},
            "patch_xyz": [EDGE, EDGE, EDGE],
            "overlap": 0.0,
            "channels": 6,
        },
        "output": {
            "type": "probability-map",
            "labels": ["lesion"],
            "threshold": 0.5,
            "calibration": {"method": "none"},
            "uncertainty_band": [0.3, 0.7],
        },
        "validation": {"held_out_copies_patch_dice": held_dice, "training_samples_by_kind": kinds,
                       "epochs": EPOCHS},
    }
    with open(os.path.join(out_dir, "lightbox-lesion.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    # Golden: the formula input with one click at the centre, CT intensity; C++ rebuilds the input.
    s = golden_samples()
    v, scale = ct_intensity(s)
    h = EDGE / 2 - 0.5
    xin = torch.from_numpy(model_input(s, v, scale, [(h, h, h)], [], True)[None])
    with torch.no_grad():
        p = torch.sigmoid(scripted(xin))[0, 0].numpy()
    probes = [[16, 16, 16], [10, 16, 16], [16, 10, 20], [4, 4, 4], [22, 16, 12], [16, 22, 16]]  # (x, y, z)
    golden = {"model": "lightbox-lesion.pt", "sha256": digest,
              "input": "lesion_model.golden_samples(), CT intensity, one positive click at the centre",
              "click_value": v, "sum_probability": float(p.astype(np.float64).sum()),
              "voxels_at_least_half": int((p >= 0.5).sum()),
              "probes_xyz": probes, "probe_probability": [float(p[z, y, xx]) for xx, y, z in probes]}
    with open(golden_path, "w") as f:
        json.dump(golden, f, indent=2)
        f.write("\n")
    print(f"held-out copies: {held_dice}")
    print(f"wrote {weights} (sha256 {digest}), golden sum {golden['sum_probability']:.3f}, "
          f"total {time.time() - t0:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
