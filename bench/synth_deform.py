#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Synthetic registration pairs with a known answer, from one real volume (issue 13's TRE proof).

The input volume is the CURRENT (fixed) image. A known map from its LPS space to the PRIOR's is built:

    prior_point = R (x - c) + c + t + d(x)

R a rotation of up to --rot-deg about a random axis, c the volume's centre, t a translation of up to
--trans-mm, d a smooth field (random Gaussian bumps, plus for --kind chest a breathing-like
superior-inferior motion that is largest at the diaphragm) scaled so that max |d| over the image is
--def-mm, sampled on a --field-spacing mm node grid and trilinear in between (that interpolated
field IS the truth). The prior image P satisfies P(map(x)) = C(x): on the current's grid, each voxel y
takes C at x = map^-1(y) (fixed-point iteration x <- R^T (y - c - t - d(x)) + c), trilinear, plus
mild Gaussian noise. Landmarks: local maxima of a Foerstner corner measure (det / trace of the
structure tensor) inside the body, away from the edges, at least --min-dist mm apart; their truth
is map(x). numpy only, with its own NIfTI-1 reader and writer.

Writes OUT/current.nii.gz, OUT/prior.nii.gz (same geometry), OUT/landmarks.csv (x,y,z LPS of the
current), OUT/landmarks_truth.csv (their prior positions) and OUT/truth.json.

usage: synth_deform.py IN.nii[.gz] OUT [--seed N] [--rot-deg D] [--trans-mm T] [--def-mm M]
                        [--kind chest|brain|generic] [--landmarks N] [--crop-z A:B] [--downsample FX,FY,FZ]
                        [--translation X,Y,Z] [--noise SIGMA]
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np

LPS_FROM_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


# ----------------------------------------------------------------------------------------------
# NIfTI-1
# ----------------------------------------------------------------------------------------------

class Volume:
    """Voxels as a [k, j, i] array (z slowest) and the 4x4 ijk -> LPS mm matrix."""

    def __init__(self, data, ijk_to_lps):
        self.data = data
        self.ijk_to_lps = np.asarray(ijk_to_lps, dtype=float)

    @property
    def shape_xyz(self):
        return self.data.shape[::-1]

    def spacing(self):
        return np.linalg.norm(self.ijk_to_lps[:3, :3], axis=0)


_DTYPES = {2: np.uint8, 4: np.int16, 8: np.int32, 16: np.float32, 64: np.float64, 256: np.int8,
           512: np.uint16, 768: np.uint32}


def _quatern_to_mat(b, c, d):
    a = math.sqrt(max(0.0, 1.0 - (b * b + c * c + d * d)))
    return np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                     [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
                     [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]])


def _mat_to_quatern(r):
    """Proper rotation -> (b, c, d) with a >= 0 (as nifti1_io's mat44_to_quatern)."""
    a = r[0, 0] + r[1, 1] + r[2, 2] + 1.0
    if a > 0.5:
        a = 0.5 * math.sqrt(a)
        b = 0.25 * (r[2, 1] - r[1, 2]) / a
        c = 0.25 * (r[0, 2] - r[2, 0]) / a
        d = 0.25 * (r[1, 0] - r[0, 1]) / a
    else:
        xd = 1.0 + r[0, 0] - (r[1, 1] + r[2, 2])
        yd = 1.0 + r[1, 1] - (r[0, 0] + r[2, 2])
        zd = 1.0 + r[2, 2] - (r[0, 0] + r[1, 1])
        if xd > 1.0:
            b = 0.5 * math.sqrt(xd)
            c = 0.25 * (r[0, 1] + r[1, 0]) / b
            d = 0.25 * (r[0, 2] + r[2, 0]) / b
            a = 0.25 * (r[2, 1] - r[1, 2]) / b
        elif yd > 1.0:
            c = 0.5 * math.sqrt(yd)
            b = 0.25 * (r[0, 1] + r[1, 0]) / c
            d = 0.25 * (r[1, 2] + r[2, 1]) / c
            a = 0.25 * (r[0, 2] - r[2, 0]) / c
        else:
            d = 0.5 * math.sqrt(zd)
            b = 0.25 * (r[0, 2] + r[2, 0]) / d
            c = 0.25 * (r[1, 2] + r[2, 1]) / d
            a = 0.25 * (r[1, 0] - r[0, 1]) / d
        if a < 0.0:
            b, c, d = -b, -c, -d
    return b, c, d


def read_nifti(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    e = "<" if struct.unpack("<i", raw[:4])[0] == 348 else ">"
    if struct.unpack(e + "i", raw[:4])[0] != 348:
        raise ValueError(f"{path}: not a NIfTI-1 file")
    dim = struct.unpack(e + "8h", raw[40:56])
    nx, ny, nz = dim[1], dim[2], max(1, dim[3]) if dim[0] >= 3 else 1
    datatype = struct.unpack(e + "h", raw[70:72])[0]
    pixdim = struct.unpack(e + "8f", raw[76:108])
    vox_offset = int(struct.unpack(e + "f", raw[108:112])[0])
    slope, inter = struct.unpack(e + "2f", raw[112:120])
    qform_code, sform_code = struct.unpack(e + "2h", raw[252:256])
    qb, qc, qd, qx, qy, qz = struct.unpack(e + "6f", raw[256:280])
    srow = np.array(struct.unpack(e + "12f", raw[280:328])).reshape(3, 4)
    if datatype not in _DTYPES:
        raise ValueError(f"{path}: NIfTI datatype {datatype} not supported")
    dt = np.dtype(_DTYPES[datatype]).newbyteorder(e)
    n = nx * ny * nz
    data = np.frombuffer(raw, dtype=dt, count=n, offset=vox_offset).reshape(nz, ny, nx)
    if slope not in (0.0, 1.0) or inter != 0.0:
        data = data.astype(np.float32) * (slope if slope != 0.0 else 1.0) + inter
    qfac = -1.0 if pixdim[0] < 0 else 1.0
    qmat = np.eye(4)
    qmat[:3, :3] = _quatern_to_mat(qb, qc, qd) @ np.diag([pixdim[1], pixdim[2], qfac * pixdim[3]])
    qmat[:3, 3] = (qx, qy, qz)
    smat = np.eye(4)
    smat[:3] = srow
    if sform_code > 0:
        ras = smat
        if qform_code > 0 and np.abs(qmat - smat).max() > 1e-3:
            print(f"warning: {path}: qform and sform differ; using the sform", file=sys.stderr)
    elif qform_code > 0:
        ras = qmat
    else:
        ras = np.diag([pixdim[1], pixdim[2], pixdim[3], 1.0])
    return Volume(np.ascontiguousarray(data), LPS_FROM_RAS @ ras)


def write_nifti(path, vol, dtype=None):
    data = vol.data if dtype is None else vol.data.astype(dtype)
    code = {v: k for k, v in _DTYPES.items()}[data.dtype.type]
    ras = LPS_FROM_RAS @ vol.ijk_to_lps
    spacing = np.linalg.norm(ras[:3, :3], axis=0)
    rot = ras[:3, :3] / spacing
    qfac = 1.0
    if np.linalg.det(rot) < 0:
        qfac = -1.0
        rot = rot.copy()
        rot[:, 2] *= -1
    qb, qc, qd = _mat_to_quatern(rot)
    nz, ny, nx = data.shape
    h = bytearray(352)
    struct.pack_into("<i", h, 0, 348)
    struct.pack_into("<8h", h, 40, 3, nx, ny, nz, 1, 1, 1, 1)
    struct.pack_into("<2h", h, 70, code, data.dtype.itemsize * 8)
    struct.pack_into("<8f", h, 76, qfac, *spacing, 1.0, 1.0, 1.0, 1.0)
    struct.pack_into("<f", h, 108, 352.0)
    struct.pack_into("<2f", h, 112, 1.0, 0.0)
    h[123] = 2  # xyzt_units: mm
    struct.pack_into("<2h", h, 252, 1, 1)  # qform_code, sform_code: scanner
    struct.pack_into("<6f", h, 256, qb, qc, qd, *ras[:3, 3])
    struct.pack_into("<12f", h, 280, *ras[:3].ravel())
    h[344:348] = b"n+1\0"
    opener = (lambda p: gzip.open(p, "wb", compresslevel=1)) if path.endswith(".gz") else (lambda p: open(p, "wb"))
    with opener(path) as f:
        f.write(bytes(h))
        f.write(np.ascontiguousarray(data).astype(data.dtype.newbyteorder("<")).tobytes())


# ----------------------------------------------------------------------------------------------
# Sampling helpers
# ----------------------------------------------------------------------------------------------

def voxel_lps(vol, k0=0, k1=None):
    """LPS coordinates (N, 3) of the voxel centres of slices k0..k1-1, i fastest."""
    nx, ny, nz = vol.shape_xyz
    k1 = nz if k1 is None else k1
    k, j, i = np.meshgrid(np.arange(k0, k1), np.arange(ny), np.arange(nx), indexing="ij")
    ijk = np.stack([i.ravel(), j.ravel(), k.ravel()], axis=1).astype(float)
    return ijk @ vol.ijk_to_lps[:3, :3].T + vol.ijk_to_lps[:3, 3]


def trilinear(array, ijk, fill):
    """Samples array[k, j, i] at continuous (i, j, k) rows; points outside get `fill`."""
    nz, ny, nx = array.shape[:3]
    i, j, k = ijk[:, 0], ijk[:, 1], ijk[:, 2]
    inside = (i >= 0) & (i <= nx - 1) & (j >= 0) & (j <= ny - 1) & (k >= 0) & (k <= nz - 1)
    i0 = np.clip(np.floor(i).astype(np.int64), 0, max(nx - 2, 0))
    j0 = np.clip(np.floor(j).astype(np.int64), 0, max(ny - 2, 0))
    k0 = np.clip(np.floor(k).astype(np.int64), 0, max(nz - 2, 0))
    fi, fj, fk = np.clip(i - i0, 0, 1), np.clip(j - j0, 0, 1), np.clip(k - k0, 0, 1)
    i1, j1, k1 = np.minimum(i0 + 1, nx - 1), np.minimum(j0 + 1, ny - 1), np.minimum(k0 + 1, nz - 1)
    if array.ndim == 4:
        fi, fj, fk = fi[:, None], fj[:, None], fk[:, None]
    c00 = array[k0, j0, i0] * (1 - fi) + array[k0, j0, i1] * fi
    c01 = array[k0, j1, i0] * (1 - fi) + array[k0, j1, i1] * fi
    c10 = array[k1, j0, i0] * (1 - fi) + array[k1, j0, i1] * fi
    c11 = array[k1, j1, i0] * (1 - fi) + array[k1, j1, i1] * fi
    out = (c00 * (1 - fj) + c01 * fj) * (1 - fk) + (c10 * (1 - fj) + c11 * fj) * fk
    if fill is not None:
        out[~inside] = fill
    return out


def box_downsample(a, f):
    """Mean over f = (fx, fy, fz) blocks of a [k, j, i] array (trailing partial blocks dropped)."""
    fx, fy, fz = f
    nz, ny, nx = (a.shape[0] // fz) * fz, (a.shape[1] // fy) * fy, (a.shape[2] // fx) * fx
    a = a[:nz, :ny, :nx].astype(np.float32)
    return a.reshape(nz // fz, fz, ny // fy, fy, nx // fx, fx).mean(axis=(1, 3, 5))


def downsampled_geometry(ijk_to_lps, f):
    scale = np.eye(4)
    scale[:3, :3] = np.diag(f)
    scale[:3, 3] = (np.asarray(f, dtype=float) - 1) / 2
    return ijk_to_lps @ scale


def smooth(a, passes=1):
    """Separable binomial [1 4 6 4 1]/16 along each axis (edges replicated), `passes` times."""
    w = np.array([1, 4, 6, 4, 1], dtype=np.float32) / 16
    for _ in range(passes):
        for axis in range(3):
            if a.shape[axis] < 3:
                continue
            p = np.pad(a, [(2, 2) if ax == axis else (0, 0) for ax in range(3)], mode="edge")
            n = a.shape[axis]
            a = sum(w[m] * np.take(p, np.arange(m, m + n), axis=axis) for m in range(5))
    return a


def shift_max(a):
    """3x3x3 maximum filter (edges replicated)."""
    out = a.copy()
    p = np.pad(a, 1, mode="edge")
    nz, ny, nx = a.shape
    for dz in range(3):
        for dy in range(3):
            for dx in range(3):
                np.maximum(out, p[dz:dz + nz, dy:dy + ny, dx:dx + nx], out=out)
    return out


def dilate6(m):
    out = m.copy()
    out[1:] |= m[:-1]
    out[:-1] |= m[1:]
    out[:, 1:] |= m[:, :-1]
    out[:, :-1] |= m[:, 1:]
    out[:, :, 1:] |= m[:, :, :-1]
    out[:, :, :-1] |= m[:, :, 1:]
    return out


def erode6(m, n=1):
    for _ in range(n):
        m = ~dilate6(~m)
    return m


def geodesic_fill(seed, allowed):
    """Voxels of `allowed` connected (6-neighbourhood) to `seed`."""
    region = seed & allowed
    while True:
        grown = dilate6(region) & allowed
        if grown.sum() == region.sum():
            return grown
        region = grown


# ----------------------------------------------------------------------------------------------
# The known map
# ----------------------------------------------------------------------------------------------

class KnownMap:
    """prior = R (x - c) + c + t + d(x), d trilinear on a node grid aligned with the LPS axes."""

    def __init__(self, rot, centre, trans, node_origin, node_spacing, nodes):
        self.rot, self.centre, self.trans = rot, centre, trans
        self.node_origin, self.node_spacing, self.nodes = node_origin, node_spacing, nodes  # nodes [k,j,i,3]

    def displacement(self, x):
        ijk = (x - self.node_origin) / self.node_spacing
        return trilinear(self.nodes, ijk, None)

    def forward(self, x):
        return (x - self.centre) @ self.rot.T + self.centre + self.trans + self.displacement(x)

    def inverse(self, y, iterations=10):
        base = (y - self.centre - self.trans) @ self.rot + self.centre  # R^T (y - c - t) + c
        x = base
        for _ in range(iterations):
            x = base - self.displacement(x) @ self.rot
        return x


def rotation(axis, angle):
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * (k @ k)


def image_corners(vol):
    nx, ny, nz = vol.shape_xyz
    c = np.array([[i, j, k] for i in (0, nx - 1) for j in (0, ny - 1) for k in (0, nz - 1)], dtype=float)
    return c @ vol.ijk_to_lps[:3, :3].T + vol.ijk_to_lps[:3, 3]


def build_field(rng, vol, body_lps, lung_z, args):
    """Node grid of displacement vectors, scaled so that max |d| inside the image is args.def_mm."""
    corners = image_corners(vol)
    margin = 40.0
    lo, hi = corners.min(0) - margin, corners.max(0) + margin
    gs = args.field_spacing
    n = np.ceil((hi - lo) / gs).astype(int) + 1
    gz, gy, gx = np.meshgrid(lo[2] + gs * np.arange(n[2]), lo[1] + gs * np.arange(n[1]),
                             lo[0] + gs * np.arange(n[0]), indexing="ij")
    pts = np.stack([gx, gy, gz], axis=-1)  # [k, j, i, 3] LPS
    field = np.zeros_like(pts)
    if args.def_mm <= 0:
        return lo, gs, field
    bmin, bmax = body_lps.min(0), body_lps.max(0)
    extent = bmax - bmin
    size = float(np.median(extent))
    # Random smooth bumps: centres in the body's box, widths 15-30 % of its size.
    for _ in range(args.bumps):
        mu = bmin + rng.uniform(0.1, 0.9, 3) * extent
        sigma = rng.uniform(0.15, 0.3) * size
        v = rng.normal(size=3)
        v *= rng.uniform(0.5, 1.0) / np.linalg.norm(v)
        g = np.exp(-((pts - mu) ** 2).sum(-1) / (2 * sigma ** 2))
        field += g[..., None] * v
    if np.abs(field).max() > 0:
        field *= 0.5 / np.linalg.norm(field, axis=-1).max()
    if args.kind == "chest" and lung_z is not None:
        # Breathing: superior-inferior motion, largest at and below the diaphragm, fading towards the
        # apex, smaller towards the body's sides; the anterior wall moves a quarter as much.
        z_d, z_apex = lung_z
        fall = max(0.4 * (z_apex - z_d), 30.0)
        zz = pts[..., 2]
        s = np.exp(-np.maximum(0.0, zz - z_d) ** 2 / (2 * fall ** 2))
        cx, cy = 0.5 * (bmin[:2] + bmax[:2])
        wx, wy = 0.6 * extent[0], 0.8 * extent[1]
        g = np.exp(-((pts[..., 0] - cx) ** 2 / (2 * wx ** 2) + (pts[..., 1] - cy) ** 2 / (2 * wy ** 2)))
        sign = rng.choice([-1.0, 1.0])
        field[..., 2] += sign * 1.0 * s * g
        field[..., 1] += sign * 0.25 * s * g
    # Scale to max |d| = def_mm over the image's own voxels (probe a coarse subset of them).
    probe = voxel_lps(vol)[:: max(1, int(np.prod(vol.shape_xyz) // 400000))]
    m = KnownMap(np.eye(3), np.zeros(3), np.zeros(3), lo, gs, field)
    dmax = np.linalg.norm(m.displacement(probe), axis=1).max()
    field *= args.def_mm / dmax
    return lo, gs, field


def jacobian_min(kmap):
    """Minimum det(dmap/dx) over the node grid (central differences) and the fraction <= 0."""
    f = kmap.nodes
    grads = np.gradient(f, kmap.node_spacing, axis=(0, 1, 2))  # d/dz, d/dy, d/dx of [k,j,i,3]
    jac = np.empty(f.shape[:3] + (3, 3))
    for col, g in zip((2, 1, 0), grads):
        jac[..., :, col] = g
    jac = kmap.rot + jac
    det = np.linalg.det(jac)
    return float(det.min()), float(det.max()), float((det <= 0).mean())


# ----------------------------------------------------------------------------------------------
# Masks and landmarks
# ----------------------------------------------------------------------------------------------

def tissue_threshold(data, kind):
    if kind == "chest" or data.min() < -500:
        return -400.0
    return 0.15 * float(np.percentile(data[:: max(1, data.size // 2000000)], 99.5))


def body_mask(coarse, threshold, erode, close=2):
    """Body on a coarse grid: tissue closed by `close` voxels, not reachable from the border through
    air, and of that the component around its deepest voxel (drops the CT table)."""
    tissue = coarse > threshold
    for _ in range(close):
        tissue = dilate6(tissue)
    border = np.zeros_like(tissue)
    border[[0, -1]] = True
    border[:, [0, -1]] = True
    border[:, :, [0, -1]] = True
    outside = geodesic_fill(border & ~tissue, ~tissue)
    body = erode6(~outside, close)
    core = erode6(body, 1)
    if core.any():
        deepest = core
        while True:
            deeper = erode6(deepest, 1)
            if not deeper.any():
                break
            deepest = deeper
        seed = np.zeros_like(core)
        seed[tuple(np.argwhere(deepest)[0])] = True
        core = geodesic_fill(seed, core)
        body = dilate6(core) & body
    return erode6(body, erode), body


def landmarks(cur, kmap, args, rng):
    """Foerstner corners inside the body; returns current LPS points (N, 3) and diagnostic info."""
    sp = cur.spacing()
    f = tuple(int(max(1, round(args.landmark_grid_mm / s))) for s in sp)
    small = box_downsample(cur.data, f)
    g_small = downsampled_geometry(cur.ijk_to_lps, f)
    sp_small = sp * np.array(f)
    # Body mask on a ~4 mm grid.
    fb = tuple(int(max(1, round(4.0 / s))) for s in sp_small)
    coarse = box_downsample(small, fb)
    threshold = tissue_threshold(cur.data, args.kind)
    inner, body = body_mask(coarse, threshold, 2 if args.kind == "chest" else 1)
    nz, ny, nx = small.shape
    kk, jj, ii = np.meshgrid(np.minimum(np.arange(nz) // fb[2], inner.shape[0] - 1),
                             np.minimum(np.arange(ny) // fb[1], inner.shape[1] - 1),
                             np.minimum(np.arange(nx) // fb[0], inner.shape[2] - 1), indexing="ij")
    mask = inner[kk, jj, ii]
    # Structure tensor of the smoothed image (gradients in intensity per mm).
    s = smooth(small.astype(np.float32))
    gz, gy, gx = np.gradient(s, *sp_small[::-1])
    t = [smooth(a, 2) for a in (gx * gx, gy * gy, gz * gz, gx * gy, gx * gz, gy * gz)]
    del gx, gy, gz
    xx, yy, zz, xy, xz, yz = t
    det = xx * (yy * zz - yz * yz) - xy * (xy * zz - yz * xz) + xz * (xy * yz - yy * xz)
    tr = xx + yy + zz
    w = np.where(tr > 0, det / np.maximum(tr, 1e-12), 0.0).astype(np.float32)
    # Candidates: local maxima inside the mask, away from the image edges (args.edge_mm).
    cand = (w == shift_max(w)) & mask & (w > 0)
    idx = np.argwhere(cand)  # k, j, i
    ijk = idx[:, ::-1].astype(float)
    lps = ijk @ g_small[:3, :3].T + g_small[:3, 3]
    # Within edge_mm of the image border (in the current) or mapped near the prior's border: out.
    full_ijk = (lps - cur.ijk_to_lps[:3, 3]) @ np.linalg.inv(cur.ijk_to_lps[:3, :3]).T
    prior_ijk = (kmap.forward(lps) - cur.ijk_to_lps[:3, 3]) @ np.linalg.inv(cur.ijk_to_lps[:3, :3]).T
    lim = np.array(cur.shape_xyz) - 1
    em = args.edge_mm / sp
    ok = np.all((full_ijk >= em) & (full_ijk <= lim - em), axis=1) & \
        np.all((prior_ijk >= em) & (prior_ijk <= lim - em), axis=1)
    strength = w[idx[:, 0], idx[:, 1], idx[:, 2]]
    order = np.argsort(-strength[ok])
    pool = lps[ok][order]
    chosen = []
    dmin = args.min_dist
    while True:
        chosen = []
        for p in pool:
            if len(chosen) >= args.landmarks:
                break
            if not chosen or np.min(((np.asarray(chosen) - p) ** 2).sum(1)) >= dmin * dmin:
                chosen.append(p)
        if len(chosen) >= args.landmarks or dmin < 2.0:
            break
        dmin *= 0.8
    info = {"landmark_grid_factors": f, "body_voxels_4mm": int(body.sum()), "candidates": int(ok.sum()),
            "min_dist_mm": round(dmin, 2), "tissue_threshold": threshold}
    return np.asarray(chosen), info


def lung_levels(cur, args):
    """(diaphragm z, apex z) in LPS from the air inside the body, for the breathing component."""
    sp = cur.spacing()
    f = tuple(int(max(1, round(4.0 / s))) for s in sp)
    coarse = box_downsample(cur.data, f)
    _, body = body_mask(coarse, -400.0, 0)
    lung = body & (coarse < -400)
    area = lung.sum(axis=(1, 2))
    if area.max() < 20:
        return None
    geo = downsampled_geometry(cur.ijk_to_lps, f)
    zs = np.array([(np.array([0, 0, k, 1.0]) @ geo.T)[2] for k in range(len(area))])
    big = zs[area > 0.5 * area.max()]
    some = zs[area > 0.1 * area.max()]
    return float(big.min()), float(some.max())


# ----------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--rot-deg", type=float, default=4.0, help="rotation angle, drawn in [0.5, 1] x this")
    ap.add_argument("--trans-mm", type=float, default=6.0, help="translation length, drawn in [0.5, 1] x this")
    ap.add_argument("--translation", help="X,Y,Z mm: use this translation instead of a random one")
    ap.add_argument("--def-mm", type=float, default=8.0, help="max |d| over the image")
    ap.add_argument("--kind", choices=["chest", "brain", "generic"], default="generic")
    ap.add_argument("--bumps", type=int, default=8)
    ap.add_argument("--field-spacing", type=float, default=4.0, help="node spacing of d, mm")
    ap.add_argument("--landmarks", type=int, default=300)
    ap.add_argument("--min-dist", type=float, default=10.0, help="minimum landmark spacing, mm")
    ap.add_argument("--edge-mm", type=float, default=12.0, help="landmarks stay this far inside both images")
    ap.add_argument("--landmark-grid-mm", type=float, default=2.0)
    ap.add_argument("--noise", type=float, help="noise sigma (default: CT 10 HU, else 1 %% of p99.5)")
    ap.add_argument("--crop-z", help="A:B keeps slices A..B-1 of the input")
    ap.add_argument("--downsample", help="FX,FY,FZ box-averages the input first")
    args = ap.parse_args()

    t0 = time.time()
    rng = np.random.default_rng(args.seed)
    cur = read_nifti(args.input)
    is_int = np.issubdtype(cur.data.dtype, np.integer)
    data = cur.data
    geo = cur.ijk_to_lps
    if args.crop_z:
        a, b = (int(v) for v in args.crop_z.split(":"))
        data = data[a:b]
        geo = geo @ np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, a], [0, 0, 0, 1.0]])
    if args.downsample:
        f = tuple(int(v) for v in args.downsample.split(","))
        data = box_downsample(data, f)
        geo = downsampled_geometry(geo, f)
        if is_int:
            data = np.round(data)
    cur = Volume(np.ascontiguousarray(data.astype(np.float32)), geo)
    out_dtype = np.int16 if is_int and cur.data.min() >= -32768 and cur.data.max() <= 32767 else np.float32

    # The map.
    angle = math.radians(args.rot_deg) * rng.uniform(0.5, 1.0)
    rot = rotation(rng.normal(size=3), angle)
    if args.translation:
        trans = np.array([float(v) for v in args.translation.split(",")])
    else:
        v = rng.normal(size=3)
        trans = v / np.linalg.norm(v) * args.trans_mm * rng.uniform(0.5, 1.0)
    nx, ny, nz = cur.shape_xyz
    centre = (np.array([(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2, 1.0]) @ cur.ijk_to_lps.T)[:3]
    sp = cur.spacing()
    fb = tuple(int(max(1, round(4.0 / s))) for s in sp)
    coarse = box_downsample(cur.data, fb)
    _, body = body_mask(coarse, tissue_threshold(cur.data, args.kind), 0)
    gcoarse = downsampled_geometry(cur.ijk_to_lps, fb)
    body_lps = np.argwhere(body)[:, ::-1].astype(float) @ gcoarse[:3, :3].T + gcoarse[:3, 3]
    if len(body_lps) == 0:
        body_lps = image_corners(cur)
    lung_z = lung_levels(cur, args) if args.kind == "chest" else None
    lo, gs, nodes = build_field(rng, cur, body_lps, lung_z, args)
    kmap = KnownMap(rot, centre, trans, lo, gs, nodes)
    jmin, jmax, jfold = jacobian_min(kmap)
    if jmin <= 0:
        sys.exit(f"the synthetic map folds (min det J {jmin:.3f}); lower --def-mm or raise --field-spacing")

    # The prior: P(y) = C(map^-1(y)) on the current's grid, plus noise.
    lps_to_ijk = np.linalg.inv(cur.ijk_to_lps)
    fill = float(np.percentile(cur.data[:: max(1, cur.data.size // 2000000)], 0.5))
    prior = np.empty_like(cur.data)
    residual = 0.0
    chunk = max(1, 3000000 // (nx * ny))
    for k0 in range(0, nz, chunk):
        k1 = min(nz, k0 + chunk)
        y = voxel_lps(cur, k0, k1)
        x = kmap.inverse(y)
        residual = max(residual, float(np.abs(kmap.forward(x[::97]) - y[::97]).max()))
        ijk = x @ lps_to_ijk[:3, :3].T + lps_to_ijk[:3, 3]
        prior[k0:k1] = trilinear(cur.data, ijk, fill).reshape(k1 - k0, ny, nx)
    ct = cur.data.min() < -500
    p995 = float(np.percentile(cur.data[:: max(1, cur.data.size // 2000000)], 99.5))
    sigma = args.noise if args.noise is not None else (10.0 if ct else 0.01 * p995)
    prior += rng.normal(0.0, sigma, prior.shape).astype(np.float32)

    # Landmarks and their truth.
    pts, info = landmarks(cur, kmap, args, rng)
    if len(pts) == 0:
        sys.exit("no landmarks found")
    truth = kmap.forward(pts)
    disp = np.linalg.norm(truth - pts, axis=1)
    dlocal = np.linalg.norm(kmap.displacement(pts), axis=1)

    os.makedirs(args.out, exist_ok=True)
    if out_dtype == np.int16:
        prior = np.clip(np.round(prior), -32768, 32767)
    write_nifti(os.path.join(args.out, "current.nii.gz"), cur, out_dtype)
    write_nifti(os.path.join(args.out, "prior.nii.gz"), Volume(prior, cur.ijk_to_lps), out_dtype)
    np.savetxt(os.path.join(args.out, "landmarks.csv"), pts, fmt="%.4f", delimiter=",")
    np.savetxt(os.path.join(args.out, "landmarks_truth.csv"), truth, fmt="%.4f", delimiter=",")
    report = {
        "input": os.path.abspath(args.input), "seed": args.seed, "kind": args.kind,
        "size": list(map(int, cur.shape_xyz)), "spacing_mm": [round(float(s), 4) for s in sp],
        "rotation_deg": round(math.degrees(angle), 3), "rotation": rot.tolist(), "centre_lps": centre.tolist(),
        "translation_mm": trans.tolist(), "def_mm": args.def_mm, "field_spacing_mm": gs,
        "breathing_levels_z": lung_z, "jacobian_det_min": round(jmin, 4), "jacobian_det_max": round(jmax, 4),
        "folding_fraction": jfold, "inverse_residual_mm": residual, "noise_sigma": sigma,
        "landmarks": len(pts), "landmark_displacement_mm": {
            "mean": round(float(disp.mean()), 3), "max": round(float(disp.max()), 3)},
        "landmark_local_deformation_mm": {"mean": round(float(dlocal.mean()), 3), "max": round(float(dlocal.max()), 3)},
        "seconds": round(time.time() - t0, 1), **info,
    }
    with open(os.path.join(args.out, "truth.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps({k: report[k] for k in ("size", "rotation_deg", "translation_mm", "jacobian_det_min",
                                              "inverse_residual_mm", "landmarks", "landmark_displacement_mm",
                                              "seconds")}))


if __name__ == "__main__":
    main()
