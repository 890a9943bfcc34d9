# SPDX-License-Identifier: Apache-2.0
"""The promptable lesion network for CT, MR and PET (lightbox-lesion-prompt) and its input,
shared by training, evaluation and export. ai/segmentation/PromptableLesionModel.cpp builds the
same input in C++ (promptableModelInput); tests/ai compare both on a golden case.

The network sees a cube of EDGE^3 samples taken along the scan's own axes, `spacing` mm apart
(0.5-8 mm: the engine grows the cube until the lesion's edge is inside it). Channels:
  0  tanh((v - vc) / u)          contrast against the clicked value, fine
  1  tanh((v - vc) / (4 u))      the same, coarse
  2  A(v)                         an absolute view per modality
  3  B(v)                         a second absolute view per modality
  4-6 modality one-hot (CT, MR, PET)
  7  inside the image (1) or outside (0); channels 0-3 are 0 outside
  8  positive clicks, 9 negative clicks: Gaussians, sigma SIGMA samples, peak 1, cut at 3 sigma
vc is the mean of the valid 3x3x3 samples around the first positive click (else the cube's centre).
m and r are the median and the 5-95 percentile spread of the valid samples (MR, PET).
  CT  (HU): u = 60; A = clip((v + 1000) / 700 - 1, -1, 1) (lung window); B = tanh((v - 40) / 150)
  MR:       u = 0.1 r; A = tanh((v - m) / (0.5 r)); B = tanh((v - m) / (0.15 r))
  PET (SUV): u = max(0.15 vc, 0.3); A = tanh(v / 3); B = tanh((v - m) / max(0.5 r, 0.5))
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EDGE = 48
CHANNELS = 10
SIGMA = 1.5
MODALITIES = ("CT", "MR", "PT")


def block(cin, cout):
    return nn.Sequential(
        nn.Conv3d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm3d(cout), nn.ReLU(inplace=True),
        nn.Conv3d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm3d(cout), nn.ReLU(inplace=True))


class PromptableLesionNet(nn.Module):
    """A 3D U-Net at half resolution (24^3, three levels) with a full-resolution head that sees the
    input again: (N, 10, 48, 48, 48) -> (N, 1, 48, 48, 48) logits. Sized for CPU training."""

    def __init__(self, w=16):
        super().__init__()
        self.s0 = nn.Sequential(
            nn.Conv3d(CHANNELS, w, 3, stride=2, padding=1, bias=False), nn.BatchNorm3d(w), nn.ReLU(inplace=True),
            nn.Conv3d(w, w, 3, padding=1, bias=False), nn.BatchNorm3d(w), nn.ReLU(inplace=True))
        self.e1 = block(w, 2 * w)
        self.e2 = block(2 * w, 4 * w)
        self.d1 = block(6 * w, 2 * w)
        self.d0 = block(3 * w, w)
        self.full = nn.Sequential(nn.Conv3d(w + CHANNELS, 8, 3, padding=1), nn.ReLU(inplace=True), nn.Conv3d(8, 1, 1))

    def forward(self, x):
        s0 = self.s0(x)
        e1 = self.e1(F.max_pool3d(s0, 2))
        e2 = self.e2(F.max_pool3d(e1, 2))
        d1 = self.d1(torch.cat([F.interpolate(e2, scale_factor=2.0, mode="trilinear", align_corners=False), e1], 1))
        d0 = self.d0(torch.cat([F.interpolate(d1, scale_factor=2.0, mode="trilinear", align_corners=False), s0], 1))
        up = F.interpolate(d0, scale_factor=2.0, mode="trilinear", align_corners=False)
        return self.full(torch.cat([up, x], 1))


def click_maps(edge, clicks, device=None):
    """clicks: list of (a, b, c, positive) patch indices (x, y, z); returns (2, edge, edge, edge) as (z, y, x)."""
    out = torch.zeros(2, edge, edge, edge, device=device)
    if not clicks:
        return out
    r = torch.arange(edge, dtype=torch.float32, device=device)
    for a, b, c, positive in clicks:
        d2 = (r.view(1, 1, -1) - a) ** 2 + (r.view(1, -1, 1) - b) ** 2 + (r.view(-1, 1, 1) - c) ** 2
        g = torch.exp(-d2 / (2 * SIGMA * SIGMA))
        g[d2 > (3 * SIGMA) ** 2] = 0
        k = 0 if positive else 1
        out[k] = torch.maximum(out[k], g)
    return out


def click_value(v, valid, at):
    """Mean of the valid samples in the 3x3x3 block around the patch index `at` (x, y, z)."""
    e = v.shape[0]
    a, b, c = (min(max(int(round(t)), 1), e - 2) for t in at)
    blk = v[c - 1:c + 2, b - 1:b + 2, a - 1:a + 2]
    ok = valid[c - 1:c + 2, b - 1:b + 2, a - 1:a + 2] > 0.5
    return float(blk[ok].mean()) if bool(ok.any()) else float(v[valid > 0.5].mean()) if bool((valid > 0.5).any()) else 0.0


def robust_stats(v, valid):
    s = v[valid > 0.5]
    if s.numel() == 0:
        return 0.0, 1.0
    s = torch.sort(s.flatten()).values
    n = s.numel()
    q = lambda p: float(s[min(n - 1, int(p * (n - 1) + 0.5))])
    return q(0.5), max(q(0.95) - q(0.05), 1e-6)


def intensity_channels(v, valid, modality, vc):
    """v, valid: (E, E, E) tensors; returns (8, E, E, E): channels 0-7 of the input."""
    m, r = robust_stats(v, valid)
    if modality == "CT":
        u = 60.0
        a = torch.clamp((v + 1000.0) / 700.0 - 1.0, -1.0, 1.0)
        b = torch.tanh((v - 40.0) / 150.0)
    elif modality == "MR":
        u = 0.1 * r
        a = torch.tanh((v - m) / (0.5 * r))
        b = torch.tanh((v - m) / (0.15 * r))
    else:
        u = max(0.15 * vc, 0.3)
        a = torch.tanh(v / 3.0)
        b = torch.tanh((v - m) / max(0.5 * r, 0.5))
    c0 = torch.tanh((v - vc) / u)
    c1 = torch.tanh((v - vc) / (4.0 * u))
    chans = [c0 * valid, c1 * valid, a * valid, b * valid]
    for k in MODALITIES:
        chans.append(torch.full_like(v, 1.0 if modality == k else 0.0))
    chans.append(valid)
    return torch.stack(chans)


def model_input(v, valid, modality, clicks):
    """v, valid: (E, E, E) float tensors (z, y, x); clicks: [(a, b, c, positive)] in patch indices
    (the first positive one is the anchor of the click value). Returns (10, E, E, E)."""
    e = v.shape[0]
    anchor = next(((a, b, c) for a, b, c, p in clicks if p), (e / 2 - 0.5,) * 3)
    vc = click_value(v, valid, anchor)
    return torch.cat([intensity_channels(v, valid, modality, vc), click_maps(e, clicks)])


def golden_case(edge=EDGE):
    """The golden input's samples (also built in C++): a lobulated blob of 60 on 10 with ripples,
    one positive click at the centre and one negative click off it."""
    h = edge / 2 - 0.5
    c, b, a = np.meshgrid(np.arange(edge, dtype=np.float64), np.arange(edge, dtype=np.float64),
                          np.arange(edge, dtype=np.float64), indexing="ij")
    x, y, z = a - h, b - h, c - h
    rr = np.sqrt(x * x + y * y + 1.6 * z * z) / (12.0 + 3.0 * np.sin(0.2 * a))
    s = 10.0 + 50.0 / (1.0 + np.exp(8.0 * (rr - 1.0))) + 8.0 * np.sin(0.9 * b + 0.3 * c)
    valid = np.ones_like(s)
    valid[:, :, :4] = 0.0
    clicks = [(h, h, h, True), (h + 16.0, h, h, False)]
    return s.astype(np.float32), valid.astype(np.float32), clicks
