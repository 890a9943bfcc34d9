#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Trains the learned registration network (RegNet) on synthetic deformations of real volumes and
exports TorchScript + manifest + golden values.

  /usr/bin/python3 ai/training/train_registration.py OUT_MODELS_DIR GOLDEN_JSON ct:A.nii.gz mr:B.nii.gz ...

Each volume (exported by `lightbox convert`) is resampled to 2 mm along its own axes and
normalised (registration_model.normalise). A training pair is a 128 mm cube of one volume: the
prior is the cube as it is, the current is the same anatomy moved by a known map u (what is left
after an affine registration: a residual affine of up to 1 degree, 1.5 mm and 1 % scale, plus a
smooth random field of one to three scales, 16-64 mm, up to 8 mm), warped at 2 mm and both
averaged to 4 mm, with noise and a gamma change; random flips. The network learns u (end-point
error in mm, body-weighted). CPU only, deterministic (seed
20261202), Debian's torch 1.13 (export with this version only). Pairs from a separate seed measure
the end-point error of u after training.
"""
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
from registration_model import GRID_MM, RegNet, golden_input, normalise  # noqa: E402
from synth_deform import read_nifti  # noqa: E402

SEED = 20261202
STEPS = int(os.environ.get("LIGHTBOX_REG_STEPS", "1000"))
BATCH = 4
CUBE = 64          # 2 mm voxels per side of a training cube (32 at 4 mm)
BASE_MM = 2.0


def to_base(path, is_ct):
    """The volume normalised and resampled to 2 mm along its own axes, as a (1, 1, D, H, W) tensor."""
    vol = read_nifti(path)
    data = normalise(vol.data, is_ct)
    spacing = vol.spacing()  # (x, y, z)
    nz, ny, nx = data.shape
    size = [max(2, int(np.floor((n - 1) * s / BASE_MM)) + 1) for n, s in zip((nx, ny, nz), spacing)]
    axes = [torch.arange(m, dtype=torch.float32) * BASE_MM / float(s) for m, s in zip(size, spacing)]
    norm = [a / max(1, n - 1) * 2 - 1 for a, n in zip(axes, (nx, ny, nz))]
    gz, gy, gx = torch.meshgrid(norm[2], norm[1], norm[0], indexing="ij")
    grid = torch.stack([gx, gy, gz], -1)[None]
    src = torch.from_numpy(data)[None, None]
    out = F.grid_sample(src, grid, mode="bilinear", padding_mode="border", align_corners=True)
    return out


def smooth_field(shape, g, max_mm):
    """Built at 4 mm (smoothed there), then trilinear to the 2 mm shape."""
    half = [n // 2 for n in shape]
    total = torch.zeros(1, 3, *half)
    for _ in range(int(torch.randint(1, 4, (1,), generator=g))):
        scale_mm = 16.0 + 48.0 * float(torch.rand(1, generator=g))
        coarse = [max(2, int(np.ceil(n * BASE_MM / scale_mm)) + 1) for n in shape]
        noise = torch.randn(1, 3, *coarse, generator=g)
        up = F.interpolate(noise, size=half, mode="trilinear", align_corners=True)
        total += up * (0.3 + 0.7 * float(torch.rand(1, generator=g)))
    total = F.avg_pool3d(total, 3, stride=1, padding=1, count_include_pad=False)
    total = F.interpolate(total, size=shape, mode="trilinear", align_corners=True)
    peak = float(total.norm(dim=1).max())
    return total * (max_mm / max(peak, 1e-6))


def rotation(angles):
    ax, ay, az = angles
    rx = torch.tensor([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]], dtype=torch.float32)
    ry = torch.tensor([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]], dtype=torch.float32)
    rz = torch.tensor([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]], dtype=torch.float32)
    return rz @ ry @ rx


def make_pair(base, g):
    """One (input (2, 32, 32, 32), target u (3, 32, 32, 32), weight (1, 32, 32, 32)) example."""
    _, _, D, H, W = base.shape
    start = []
    for n in (D, H, W):
        lo, hi = min(0, n - CUBE), max(0, n - CUBE)
        start.append(lo + int(torch.randint(0, hi - lo + 1, (1,), generator=g)))
    shape = (CUBE, CUBE, CUBE)
    # Crop-local mm coordinates (x, y, z) of the 2 mm voxel centres, relative to the cube centre.
    r = (torch.arange(CUBE, dtype=torch.float32) - (CUBE - 1) / 2) * BASE_MM
    zz, yy, xx = torch.meshgrid(r, r, r, indexing="ij")
    pts = torch.stack([xx, yy, zz], 0)  # (3, D, H, W)
    angles = (torch.rand(3, generator=g) * 2 - 1) * np.deg2rad(1.0)
    scale = 1.0 + (torch.rand(3, generator=g) * 2 - 1) * 0.01
    trans = (torch.rand(3, generator=g) * 2 - 1) * 1.5
    a = rotation(angles.tolist()) @ torch.diag(scale)
    affine_u = torch.einsum("ij,jdhw->idhw", a - torch.eye(3), pts) + trans.view(3, 1, 1, 1)
    max_mm = 8.0 * float(torch.rand(1, generator=g))
    u = affine_u[None] + smooth_field(shape, g, max_mm)  # (1, 3, D, H, W) mm
    # Sample the base volume at the crop's voxel + u (index space of the whole base volume).
    idx = [torch.arange(CUBE, dtype=torch.float32) + s for s in start]  # z, y, x
    kz, ky, kx = torch.meshgrid(idx[0], idx[1], idx[2], indexing="ij")
    where = torch.stack([kx, ky, kz], -1)[None] + u[0].permute(1, 2, 3, 0)[None] / BASE_MM
    size = torch.tensor([W, H, D], dtype=torch.float32)
    current = F.grid_sample(base, where / (size - 1).clamp(min=1) * 2 - 1, mode="bilinear",
                            padding_mode="zeros", align_corners=True)
    # The prior is the cube itself (zero outside the volume).
    pad = []
    for s, n in zip(start[::-1], (W, H, D)):
        pad += [max(0, -s), max(0, s + CUBE - n)]
    prior = F.pad(base, pad)[:, :, max(0, start[0]):max(0, start[0]) + CUBE,
                             max(0, start[1]):max(0, start[1]) + CUBE, max(0, start[2]):max(0, start[2]) + CUBE]
    c4 = F.avg_pool3d(current, 2)[0]
    p4 = F.avg_pool3d(prior, 2)[0]
    u4 = F.avg_pool3d(u, 2)[0]
    # Contrast and noise: the two studies differ a little (gain, gamma, noise).
    for t in (c4, p4):
        gamma = float(torch.exp((torch.rand(1, generator=g) * 2 - 1) * 0.3))
        gain = 0.92 + 0.16 * float(torch.rand(1, generator=g))
        t.copy_(t.clamp(min=0).pow(gamma) * gain + 0.02 * float(torch.rand(1, generator=g)) *
                torch.randn(t.shape, generator=g))
    x = torch.cat([c4, p4], 0)
    weight = 0.2 + 0.8 * ((F.max_pool3d(x.amax(0, keepdim=True)[None], 3, stride=1, padding=1)[0] > 0.05).float())
    for dim in (1, 2, 3):
        if float(torch.rand(1, generator=g)) < 0.5:
            x, u4, weight = x.flip(dim), u4.flip(dim), weight.flip(dim)
            u4[3 - dim] = -u4[3 - dim]  # dim 1 = D = z (component 2), 2 = y (1), 3 = x (0)
    return x.contiguous(), u4.contiguous(), weight.contiguous()


def batch(bases, weights, g, n):
    xs, us, ws = [], [], []
    for _ in range(n):
        k = int(torch.multinomial(weights, 1, generator=g))
        x, u, w = make_pair(bases[k], g)
        xs.append(x)
        us.append(u)
        ws.append(w)
    return torch.stack(xs), torch.stack(us), torch.stack(ws)


def epe(model, pairs):
    model.eval()
    errs, before = [], []
    with torch.no_grad():
        for x, u, w in pairs:
            p = model(x[None])[0]
            m = w[0] > 0.5
            errs.append(float((p - u).norm(dim=0)[m].mean()))
            before.append(float(u.norm(dim=0)[m].mean()))
    model.train()
    return float(np.mean(before)), float(np.mean(errs))


def main(out_dir, golden_path, specs):
    torch.manual_seed(SEED)
    torch.set_num_threads(int(os.environ.get("LIGHTBOX_TRAIN_THREADS", "2")))
    t0 = time.time()
    bases, names, kinds = [], [], []
    for spec in specs:
        kind, path = spec.split(":", 1)
        b = to_base(path, kind == "ct")
        bases.append(b)
        names.append(os.path.basename(path))
        kinds.append(kind)
        print(f"{kind} {path}: 2 mm grid {tuple(b.shape[2:])}", flush=True)
    # Sample volumes in proportion to the cube root of their voxel count (big chest CTs more often,
    # small MR slabs still seen).
    weights = torch.tensor([float(b.numel()) ** (1 / 3) for b in bases])
    g = torch.Generator().manual_seed(SEED)
    val_g = torch.Generator().manual_seed(SEED + 1)
    val = [make_pair(bases[i % len(bases)], val_g) for i in range(2 * len(bases))]
    print(f"volumes ready in {time.time() - t0:.0f} s; validation pairs {len(val)}; mean |u| "
          f"{epe(RegNet(), val)[0]:.2f} mm", flush=True)

    model = RegNet()
    torch.jit.script(model)  # fail now, not after training, if TorchScript cannot compile it
    state = os.environ.get("LIGHTBOX_REG_STATE")
    if state:
        # Re-export trained weights (e.g. after an equivalent rewrite of forward): no training.
        model.load_state_dict(torch.load(state))
        print(f"weights from {state}; not training", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-5)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=STEPS, pct_start=0.1)
    running = 0.0
    for step in range(0 if state else STEPS):
        x, u, w = batch(bases, weights, g, BATCH)
        p = model(x)
        # End-point error (mm), body-weighted.
        loss = (((p - u).pow(2).sum(1, keepdim=True) + 1e-6).sqrt() * w).sum() / w.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        sched.step()
        running = 0.98 * running + 0.02 * float(loss) if step else float(loss)
        if (step + 1) % 100 == 0 or step + 1 == STEPS:
            before, after = epe(model, val)
            print(f"step {step + 1}/{STEPS}: loss {running:.3f}; validation end-point error {after:.2f} mm "
                  f"(|u| {before:.2f}); {time.time() - t0:.0f} s", flush=True)

    model.eval()
    before, after = epe(model, val)
    os.makedirs(out_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(os.environ.get("TMPDIR", "/tmp"), "lightbox-registration-state.pt"))
    scripted = torch.jit.script(model)
    weights_path = os.path.join(out_dir, "lightbox-registration.pt")
    scripted.save(weights_path)
    digest = hashlib.sha256(open(weights_path, "rb").read()).hexdigest()
    manifest = {
        "schema": "lightbox-model/1",
        "name": "lightbox-registration",
        "version": "1.0.0",
        "task": "deformable-registration",
        "licence": "Apache-2.0",
        "intended_use": "Decision support: the residual deformation between a prior and a current study of the "
                        "same patient and modality after Lightbox's affine stage, refined by instance "
                        "optimisation; drives linked reading, fusion and nodule matching, which the reader "
                        "checks. Not validated on patients; not for diagnosis or treatment planning.",
        "training_data": "Synthetic deformations (residual affine up to 1 degree / 1.5 mm / 1 %, smooth random "
                         "fields up to 8 mm) of real volumes from ../shared/data: " + ", ".join(
                             f"{k}:{n}" for k, n in zip(kinds, names)) + ". Never trained on the CPTAC-LUAD "
                         "contrast chest CT or the Siemens XA30 T1w brain MR (held out). See MODEL_CARD.md.",
        "weights": {"file": "lightbox-registration.pt", "sha256": digest, "format": "torchscript"},
        "input": {
            "modality": ["CT", "MR"],
            "orientation": "tensor (1, 2, D, H, W) = (k, j, i) of a 4 mm grid along the current image's axes "
                           "covering it, each side a multiple of 8; channel 0 the current, channel 1 the prior "
                           "through the affine stage; each voxel the mean of 8 trilinear samples at +-1 mm",
            "target_spacing_xyz_mm": [GRID_MM, GRID_MM, GRID_MM],
            "intensity": {"method": "window", "window": [-1000.0, 600.0], "normalised_range": [0.0, 1.0],
                          "non_ct": "divide by the 99.5th percentile, clip to 0..1.5"},
            "patch_xyz": [32, 32, 32],
            "overlap": 0.0,
            "channels": 2,
        },
        "output": {
            "type": "displacement-field",
            "labels": ["u_i_mm", "u_j_mm", "u_k_mm"],
            "threshold": 0.0,
            "calibration": {"method": "none"},
        },
        "validation": {"synthetic_pairs": len(val), "mean_displacement_mm": round(before, 3),
                       "end_point_error_mm": round(after, 3), "steps": STEPS, "batch": BATCH,
                       "seed": SEED},
    }
    with open(os.path.join(out_dir, "lightbox-registration.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    xin = torch.from_numpy(golden_input())
    with torch.no_grad():
        out = scripted(xin)[0].numpy()
    probes = [[0, 8, 12, 16], [1, 8, 12, 16], [2, 8, 12, 16], [0, 3, 5, 7], [1, 12, 20, 28], [2, 0, 0, 0]]
    golden = {"model": "lightbox-registration.pt", "sha256": digest,
              "input": "registration_model.golden_input(): (1, 2, 16, 24, 32)",
              "sum_abs": float(np.abs(out).astype(np.float64).sum()),
              "probes_czyx": probes, "probe_mm": [float(out[c, z, y, x]) for c, z, y, x in probes]}
    with open(golden_path, "w") as f:
        json.dump(golden, f, indent=2)
        f.write("\n")
    print(f"exported {weights_path} (sha256 {digest[:12]}...): validation end-point error {after:.2f} mm "
          f"(mean |u| {before:.2f} mm); {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
