# SPDX-License-Identifier: Apache-2.0
"""The learned registration network and its input, shared by training and export.

The network sees the current (fixed) image and the prior already moved through the affine stage,
both on one 4 mm grid along the current image's axes, and returns the residual displacement u (mm,
along the grid's axes) such that prior_affine(x + u(x)) = current(x). C++ builds the same input
(ai/registration/LearnedRegistration.cpp): each 4 mm voxel is the mean of eight trilinear samples
of the original image at +-1 mm, intensities mapped by `normalise`.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

GRID_MM = 4.0
MULTIPLE = 8  # C++ pads each input side to a multiple of this (the network needs even sides)
CT_WINDOW = (-1000.0, 600.0)
MR_PERCENTILE = 99.5
MR_CLIP = 1.5


def normalise(values, is_ct):
    """CT: HU window -1000..600 onto 0..1. Other modalities: divided by the 99.5th percentile of
    the whole image (the element at floor(0.995 * (n - 1)) of the sorted values), clipped to 0..1.5."""
    v = np.asarray(values, dtype=np.float32)
    if is_ct:
        return np.clip((v - CT_WINDOW[0]) / (CT_WINDOW[1] - CT_WINDOW[0]), 0.0, 1.0).astype(np.float32)
    flat = v.ravel()
    k = int(math.floor(MR_PERCENTILE / 100.0 * (flat.size - 1)))
    scale = float(np.partition(flat, k)[k])
    if scale <= 0:
        scale = float(flat.max()) if flat.max() > 0 else 1.0
    return np.clip(v / scale, 0.0, MR_CLIP).astype(np.float32)


def conv(cin, cout, k=3):
    return nn.Sequential(nn.Conv3d(cin, cout, k, padding=k // 2), nn.LeakyReLU(0.2, inplace=True))


def pool2(x):
    """The mean of each 2x2x2 block (even sides). avg_pool3d: the reduction over an 8-D view that it
    replaced (same values to 1e-5 mm) was 40 % of the network's CPU time, 0.63 -> 0.42 s on a brain
    MR's 56 x 72 x 72 grid with 2 threads."""
    return F.avg_pool3d(x, 2)


class RegNet(nn.Module):
    """(N, 2, D, H, W) at 4 mm -> (N, 3, D, H, W) displacement in mm along (W, H, D) = (i, j, k).

    Learned features of each image (shared weights, unit length per voxel); a correlation volume of
    the current's features against the prior's shifted by every whole-voxel displacement within
    +-radius voxels (+-8 mm), and the squared intensity difference per displacement, both averaged
    to 8 mm; scores per displacement = learned weights of both plus a small network's correction
    from the correlations and the current's features; the field is the
    softmax-weighted mean displacement (so it is bounded by the search range and meaningful from
    the first step of training), upsampled to 4 mm. D, H, W must be even."""

    def __init__(self, feat=8, hidden=32, radius=2):
        super().__init__()
        r = radius
        self.radius = radius
        n = (2 * r + 1) ** 3
        self.features = nn.Sequential(conv(1, feat), nn.Conv3d(feat, feat, 3, padding=1))
        self.squeeze = conv(n + feat, hidden, 1)
        self.refine = nn.Sequential(conv(hidden, hidden), conv(hidden, hidden))
        self.scores = nn.Conv3d(hidden, n, 1)
        nn.init.zeros_(self.scores.weight)
        nn.init.zeros_(self.scores.bias)
        self.sharpness = nn.Parameter(torch.tensor(10.0))
        self.ssd_weight = nn.Parameter(torch.tensor(200.0))
        steps = torch.arange(-r, r + 1, dtype=torch.float32) * GRID_MM
        dz, dy, dx = torch.meshgrid(steps, steps, steps, indexing="ij")
        self.register_buffer("shifts", torch.stack([dx.flatten(), dy.flatten(), dz.flatten()], 1))  # (n, 3) mm

    def forward(self, x):
        f = self.features(x[:, 0:1])
        m = self.features(x[:, 1:2])
        f = f / (torch.sqrt((f * f).sum(1, keepdim=True)) + 1e-3)
        m = m / (torch.sqrt((m * m).sum(1, keepdim=True)) + 1e-3)
        r = self.radius
        d, h, w = f.shape[2], f.shape[3], f.shape[4]
        mp = F.pad(m, [r, r, r, r, r, r])
        ip = F.pad(x[:, 1:2], [r, r, r, r, r, r])
        fixed = x[:, 0:1]
        costs = []
        ssds = []
        for a in range(2 * r + 1):
            for b in range(2 * r + 1):
                for c in range(2 * r + 1):
                    # Channel by channel: every temporary is one channel (5 MB for a chest CT),
                    # which the allocator reuses; an 8-channel product is a fresh 38 MB mapping
                    # per shift, and page faults made that 15x slower than the arithmetic.
                    prod = f[:, 0:1] * mp[:, 0:1, a:a + d, b:b + h, c:c + w]
                    for k in range(1, f.shape[1]):
                        prod = prod + f[:, k:k + 1] * mp[:, k:k + 1, a:a + d, b:b + h, c:c + w]
                    costs.append(pool2(prod))
                    diff = fixed - ip[:, :, a:a + d, b:b + h, c:c + w]
                    ssds.append(pool2(diff * diff))
        cost = torch.cat(costs, 1)  # (N, n, D/2, H/2, W/2): 8 mm
        ssd = torch.cat(ssds, 1)    # squared intensity difference per displacement, 8 mm
        hidden = self.refine(self.squeeze(torch.cat([cost, pool2(f)], 1)))
        logits = self.sharpness * cost - self.ssd_weight * ssd + self.scores(hidden)
        p = torch.softmax(logits, 1)
        flow = torch.einsum("nkdhw,kc->ncdhw", p, self.shifts)
        return F.interpolate(flow, scale_factor=2.0, mode="trilinear", align_corners=False)


def golden_input():
    """A fixed (1, 2, 16, 24, 32) input: smooth blobs, the second channel a shifted copy."""
    z, y, x = np.meshgrid(np.arange(16), np.arange(24), np.arange(32), indexing="ij")
    a = 0.5 + 0.4 * np.sin(x / 3.0) * np.cos(y / 4.0) * np.sin(z / 2.5 + 0.3)
    b = 0.5 + 0.4 * np.sin((x - 1.5) / 3.0) * np.cos((y + 0.7) / 4.0) * np.sin((z - 0.5) / 2.5 + 0.3)
    return np.stack([a, b])[None].astype(np.float32)
