# SPDX-License-Identifier: Apache-2.0
"""Training and evaluation data for the promptable lesion model (lightbox-lesion-prompt).

Real lesions: the shared soft-tissue sarcomas (CT, T1 MR, PET in SUV; clinicians' masks), read from
NIfTI. Synthetic lesions with exact masks, painted into the sampled cube: solid, part-solid and
wall-attached nodules in the aerated lung of a real chest CT (POPI), and masses in the sarcoma
backgrounds on CT, MR and PET. Everything is sampled as the engine samples it: a cube of EDGE^3
samples along the scan's axes, `spacing` mm apart, the spacing drawn so that the lesion fills
8-140 % of the cube, the cube off-centre around the click (the sarcoma images are cropped 5 cm
around the tumour: the tumour must not be "the thing in the middle").
"""
import glob
import gzip
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

from promptable_lesion_model import EDGE, model_input


def read_nifti(path):
    """(array (z, y, x) float32, voxel spacing (x, y, z) mm) of a NIfTI-1 file (.nii or .nii.gz)."""
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    e = "<" if struct.unpack("<i", raw[:4])[0] == 348 else ">"
    dim = struct.unpack(e + "8h", raw[40:56])
    dt = struct.unpack(e + "h", raw[70:72])[0]
    pixdim = struct.unpack(e + "8f", raw[76:108])
    off = int(struct.unpack(e + "f", raw[108:112])[0])
    slope, inter = struct.unpack(e + "2f", raw[112:120])
    types = {2: "u1", 4: "i2", 8: "i4", 16: "f4", 64: "f8", 256: "i1", 512: "u2", 768: "u4"}
    if dt not in types:
        raise ValueError(f"{path}: NIfTI datatype {dt} is not read here")
    n = dim[1] * dim[2] * dim[3]
    a = np.frombuffer(raw, dtype=np.dtype(e + types[dt]), count=n, offset=off).astype(np.float32)
    if slope != 0.0 and (slope != 1.0 or inter != 0.0):
        a = a * slope + inter
    return a.reshape(dim[3], dim[2], dim[1]), tuple(abs(float(p)) for p in pixdim[1:4])


def modality_of(name):
    return {"CT": "CT", "MR_T1": "MR", "PET": "PT"}[name]


def interior_points(mask, spacing, keep=400, rng=None):
    """Mask voxels (x, y, z) with their depth in mm (distance to the outside, approximated by
    erosions on a ~2 mm grid), the deepest first. Also the lesion's extent (largest bounding-box side, mm)."""
    m = torch.from_numpy((mask > 0.5).astype(np.float32))[None, None]
    z, y, x = m.shape[2:]
    step = 2.0
    size = [max(2, int(round(d * s / step))) for d, s in zip((z, y, x), spacing[::-1])]
    small = (F.interpolate(m, size=size, mode="trilinear", align_corners=False) > 0.5).float()
    depth = torch.zeros_like(small)
    cur = small
    k = 0
    while cur.sum() > 0 and k < 200:
        depth += cur
        cur = -F.max_pool3d(-cur, 3, 1, 1)
        k += 1
    idx = torch.nonzero(small[0, 0] > 0)
    if idx.numel() == 0:
        return None
    d = depth[0, 0][idx[:, 0], idx[:, 1], idx[:, 2]].numpy() * step
    # small-grid index -> native voxel index (x, y, z)
    scale = np.array([x / size[2], y / size[1], z / size[0]])
    pts = (idx.numpy()[:, ::-1] + 0.5) * scale - 0.5
    order = np.argsort(-d)
    pts, d = pts[order], d[order]
    nz = np.nonzero(mask > 0.5)
    ext = max((nz[2].max() - nz[2].min() + 1) * spacing[0], (nz[1].max() - nz[1].min() + 1) * spacing[1],
              (nz[0].max() - nz[0].min() + 1) * spacing[2])
    return pts.astype(np.float32), d.astype(np.float32), float(ext)


class Image:
    def __init__(self, case, name, image, spacing, mask=None):
        self.case, self.name, self.modality = case, name, modality_of(name) if name in ("CT", "MR_T1", "PET") else name
        self.v = torch.from_numpy(image)[None, None]
        self.spacing = spacing
        self.shape = image.shape
        self.mask = torch.from_numpy((mask > 0.5).astype(np.float32))[None, None] if mask is not None else None
        self.points = interior_points(mask, spacing) if mask is not None else None


def load_sarcomas(root, cases=None):
    out = []
    for d in sorted(glob.glob(os.path.join(root, "STS_*"))):
        case = os.path.basename(d)
        if cases is not None and case not in cases:
            continue
        for name in ("CT", "MR_T1", "PET"):
            p = os.path.join(d, f"{name}_image.nii.gz")
            if not os.path.exists(p):
                continue
            img, sp = read_nifti(p)
            msk, _ = read_nifti(os.path.join(d, f"{name}_mask.nii.gz"))
            out.append(Image(case, name, img, sp, msk))
    return out


def sample_cube(img, centre_vox, spacing_mm, flips=(False, False, False), swap_xy=False, mask=True):
    """Trilinear samples of the image (and mask) on the cube: returns v, valid, target (E, E, E)
    (z, y, x) and the function that maps a native voxel (x, y, z) to the patch index (a, b, c)."""
    e = EDGE
    z, y, x = img.shape
    t = (torch.arange(e, dtype=torch.float32) - e / 2 + 0.5) * spacing_mm
    sx, sy, sz = img.spacing
    ox = t / sx * (-1 if flips[0] else 1)
    oy = t / sy * (-1 if flips[1] else 1)
    oz = t / sz * (-1 if flips[2] else 1)
    gz, gy, gx = torch.meshgrid(oz, oy, ox, indexing="ij")
    if swap_xy:  # the patch's a-axis runs along the image's y (scaled to y's spacing)
        gx, gy = gy * sy / sx, gx * sx / sy
    px = centre_vox[0] + gx
    py = centre_vox[1] + gy
    pz = centre_vox[2] + gz
    grid = torch.stack([px / max(x - 1, 1) * 2 - 1, py / max(y - 1, 1) * 2 - 1, pz / max(z - 1, 1) * 2 - 1], -1)[None]
    v = F.grid_sample(img.v, grid, mode="bilinear", padding_mode="border", align_corners=True)[0, 0]
    valid = ((px >= -0.5) & (px <= x - 0.5) & (py >= -0.5) & (py <= y - 0.5) & (pz >= -0.5) & (pz <= z - 0.5)).float()
    target = None
    if mask and img.mask is not None:
        target = (F.grid_sample(img.mask, grid, mode="bilinear", padding_mode="zeros", align_corners=True)[0, 0] >= 0.5).float()

    def to_patch(p):
        d = [(p[0] - centre_vox[0]) * sx, (p[1] - centre_vox[1]) * sy, (p[2] - centre_vox[2]) * sz]
        d = [-dd if f else dd for dd, f in zip(d, flips)]
        if swap_xy:
            d[0], d[1] = d[1], d[0]
        return tuple(dd / spacing_mm + e / 2 - 0.5 for dd in d)

    return v, valid, target, to_patch


def lobulated_blob(e, centre, radius_samples, rng, elong=(1, 1, 1)):
    """A lobulated ellipsoid in patch space: soft occupancy (0-1, partial volume) and its binary mask."""
    r = torch.arange(e, dtype=torch.float32)
    zz, yy, xx = torch.meshgrid(r - centre[2], r - centre[1], r - centre[0], indexing="ij")
    xx, yy, zz = xx / elong[0], yy / elong[1], zz / elong[2]
    rho = torch.sqrt(xx * xx + yy * yy + zz * zz) + 1e-6
    th = torch.acos(torch.clamp(zz / rho, -1, 1))
    ph = torch.atan2(yy, xx)
    lob = torch.ones_like(rho)
    for _ in range(int(rng.integers(1, 4))):
        k, l = int(rng.integers(2, 6)), int(rng.integers(1, 4))
        lob = lob + float(rng.uniform(0.02, 0.18)) * torch.sin(k * ph + float(rng.uniform(0, 6.3))) * torch.sin(l * th + float(rng.uniform(0, 6.3)))
    d = rho / (radius_samples * lob)
    occ = torch.sigmoid((1.0 - d) * radius_samples * 2.5)
    return occ, (occ >= 0.5).float()


def smooth_noise(e, rng, cells=6):
    n = torch.from_numpy(rng.standard_normal((1, 1, cells, cells, cells)).astype(np.float32))
    return F.interpolate(n, size=(e, e, e), mode="trilinear", align_corners=False)[0, 0]


def paint_lesion(v, valid, modality, rng, lung=False):
    """Paints a synthetic lesion into the cube; returns the new samples, the exact mask and the
    lesion's centre (patch index). lung: into aerated lung only (a nodule, part-solid or not;
    touching whatever is not lung: the pleura, a vessel)."""
    e = EDGE
    radius = float(rng.uniform(0.08, 0.4)) * e
    centre = [float(rng.uniform(e * 0.3, e * 0.7)) for _ in range(3)]
    elong = tuple(float(rng.uniform(0.75, 1.3)) for _ in range(3))
    occ, blob = lobulated_blob(e, centre, radius, rng, elong)
    tex = smooth_noise(e, rng, int(rng.integers(4, 12)))
    if modality == "CT" and lung:
        air = (v < -400).float()
        kind = rng.random()
        if kind < 0.45:  # solid
            val = float(rng.uniform(-60, 80)) + 25 * tex
        else:  # part-solid or ground-glass: GGO with an optional solid core
            ggo = float(rng.uniform(-720, -420)) + 40 * tex
            core_occ, _ = lobulated_blob(e, centre, radius * float(rng.uniform(0.2, 0.6)), rng)
            core = float(rng.uniform(-80, 60)) if kind < 0.85 else ggo
            val = ggo + (core - ggo) * core_occ
        occ = occ * air
        out = v + (val - v) * occ
        mask = blob * air
    elif modality == "CT":
        val = v + float(rng.choice([-1, 1])) * float(rng.uniform(15, 120)) + 15 * tex
        out = v + (val - v) * occ
        mask = blob
    elif modality == "MR":
        contrast = float(rng.choice([-1, 1])) * float(rng.uniform(0.1, 0.8))
        val = v * (1 + contrast) * (1 + 0.1 * tex)
        out = v + (val - v) * occ
        mask = blob
    else:
        uptake = float(rng.uniform(1.0, 15.0))
        necrotic = rng.random() < 0.3
        prof = torch.clamp(1.0 + 0.3 * tex, 0.2, 2.0)
        if necrotic:
            inner, _ = lobulated_blob(e, centre, radius * float(rng.uniform(0.3, 0.7)), rng)
            prof = prof * (1 - 0.8 * inner)
        out = v + uptake * prof * occ
        mask = blob
    mask = mask * valid
    return out, mask, centre


def augment_intensity(v, modality, rng):
    e = EDGE
    if modality == "CT":
        v = v + float(rng.uniform(-15, 15)) + float(rng.uniform(0, 25)) * torch.randn_like(v)
    elif modality == "MR":
        bias = torch.exp(float(rng.uniform(0, 0.35)) * smooth_noise(e, rng, 3))
        v = torch.clamp(v, min=0) * bias * float(np.exp(rng.uniform(-1.5, 1.5)))
        sd = float(rng.uniform(0, 0.04)) * float(v.abs().mean() + 1e-6)
        v = v + sd * torch.randn_like(v)
    else:
        v = torch.clamp(v * float(rng.uniform(0.8, 1.25)) * (1 + float(rng.uniform(0, 0.1)) * torch.randn_like(v)), min=0)
    return v


def box_max(t, k):
    """Max over a k^3 box (k odd), separably: (1, 1, E, E, E) -> same."""
    h = k // 2
    t = F.max_pool3d(t, (k, 1, 1), 1, (h, 0, 0))
    t = F.max_pool3d(t, (1, k, 1), 1, (0, h, 0))
    return F.max_pool3d(t, (1, 1, k), 1, (0, 0, h))


def correction_clicks(target, valid, rng, count):
    """Up to `count` extra clicks in patch space where a first mask is typically wrong: positive in
    the lesion's outer part, negative in a band up to 10 samples around it."""
    out = []
    t = target[None, None]
    inner = -box_max(-t, 5)[0, 0]
    rim_in = torch.nonzero((target > 0.5) & (inner < 0.5))
    band = box_max(t, 21)[0, 0]
    rim_out = torch.nonzero((band > 0.5) & (target < 0.5) & (valid > 0.5))
    for _ in range(count):
        pos = rng.random() < 0.5
        pool = rim_in if pos else rim_out
        if pool.shape[0] == 0:
            continue
        c, b, a = pool[int(rng.integers(pool.shape[0]))].tolist()
        out.append((float(a), float(b), float(c), pos))
    return out


class Sampler:
    """Draws training cubes: real sarcomas (65 %), masses painted in sarcoma backgrounds (20 %),
    nodules painted in the POPI lung (15 %; none when no chest CT is given)."""

    def __init__(self, images, lung_ct=None, seed=0, real_share=0.65, lung_share=0.15):
        self.images = [i for i in images if i.points is not None]
        self.real_share, self.lung_share = real_share, lung_share
        self.lung = lung_ct
        self.rng = np.random.default_rng(seed)
        if lung_ct is not None:
            air = (lung_ct.v < -700).float()
            inner = -F.max_pool3d(-air, 7, 1, 3)
            near = F.max_pool3d(1 - air, 9, 1, 4) * air  # lung within ~4 voxels of something else
            self.lung_any = torch.nonzero(inner[0, 0] > 0.5)
            self.lung_wall = torch.nonzero(near[0, 0] > 0.5)

    def _spacing(self, extent):
        r = self.rng.random()
        rho = self.rng.uniform(0.08, 0.2) if r < 0.1 else self.rng.uniform(0.85, 1.4) if r > 0.82 else self.rng.uniform(0.2, 0.85)
        return float(np.clip(extent / (rho * EDGE), 0.5, 8.0))

    def draw(self):
        rng = self.rng
        r = rng.random()
        flips = tuple(bool(rng.random() < 0.5) for _ in range(3))
        swap = bool(rng.random() < 0.5)
        lung_from = 1.0 - self.lung_share
        if r < self.real_share or (r >= lung_from and self.lung is None):
            img = self.images[int(rng.integers(len(self.images)))]
            pts, depth, ext = img.points
            deep = np.nonzero(depth >= (0.8 if rng.random() < 0.5 else 0.35) * depth[0])[0]
            click = pts[int(rng.choice(deep))] + rng.uniform(-0.5, 0.5, 3)
            s = self._spacing(ext)
            off = rng.uniform(-0.3, 0.3, 3) * EDGE * s / np.array(img.spacing)
            centre = click + off
            v, valid, target, to_patch = sample_cube(img, centre, s, flips, swap)
            first = to_patch(click)
            first = tuple(float(np.clip(c, 3, EDGE - 4)) for c in first)
            modality = img.modality
        else:
            lung = r >= lung_from
            if lung:
                img = self.lung
                pool = self.lung_wall if rng.random() < 0.5 else self.lung_any
                z, y, x = pool[int(rng.integers(pool.shape[0]))].tolist()
                s = float(rng.uniform(0.5, 2.0))
            else:
                img = self.images[int(rng.integers(len(self.images)))]
                z, y, x = [int(rng.integers(n)) for n in img.shape]
                s = float(rng.uniform(0.7, 6.0))
            v, valid, _, _ = sample_cube(img, (x, y, z), s, flips, swap, mask=False)
            v, target, c0 = paint_lesion(v, valid, img.modality, rng, lung=lung)
            if target.sum() < 8:
                return self.draw()
            # the click: a voxel of the lesion near its centre
            idx = torch.nonzero(target > 0.5).float()
            d = ((idx - torch.tensor([c0[2], c0[1], c0[0]])) ** 2).sum(1)
            near = idx[torch.argsort(d)[:max(1, idx.shape[0] // 5)]]
            c, b, a = near[int(rng.integers(near.shape[0]))].tolist()
            first = (a, b, c)
            modality = img.modality
        v = augment_intensity(v, modality, rng)
        clicks = [first + (True,)]
        if rng.random() < 0.5:
            clicks += correction_clicks(target, valid, rng, int(rng.integers(1, 4)))
        return model_input(v, valid, modality, clicks), target[None]
