# SPDX-License-Identifier: Apache-2.0
"""The click-to-segment lesion network and its input, shared by training and export.

The input is built exactly as ai/segmentation/LesionPatch.cpp builds it (lesionModelInput):
three tanh views of (value - click value) / scale, one absolute view (CT: HU -1000..400 onto
-1..1; other modalities: value / click value - 1, clipped to -1..2) and two Gaussian click maps
(positive, negative).
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EDGE = 32
CHANNELS = 6
FACTORS = (3.0, 1.0, 0.3)
SIGMA = 1.5


def block(cin, cout):
    return nn.Sequential(
        nn.Conv3d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm3d(cout), nn.ReLU(inplace=True),
        nn.Conv3d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm3d(cout), nn.ReLU(inplace=True))


class LesionNet(nn.Module):
    """A small 3D U-Net that works at half resolution and refines at full resolution:
    (N, 5, 32, 32, 32) -> (N, 1, 32, 32, 32) logits. Sized for CPU training on two cores."""

    def __init__(self, w=12):
        super().__init__()
        self.s0 = nn.Sequential(
            nn.Conv3d(CHANNELS, w, 3, stride=2, padding=1, bias=False), nn.BatchNorm3d(w), nn.ReLU(inplace=True),
            nn.Conv3d(w, w, 3, padding=1, bias=False), nn.BatchNorm3d(w), nn.ReLU(inplace=True))
        self.e1 = block(w, 2 * w)
        self.b = block(2 * w, 4 * w)
        self.d1 = block(6 * w, 2 * w)
        self.d0 = block(3 * w, w)
        self.full = nn.Sequential(nn.Conv3d(w + CHANNELS, 6, 3, padding=1), nn.ReLU(inplace=True), nn.Conv3d(6, 1, 1))

    def forward(self, x):
        s0 = self.s0(x)
        e1 = self.e1(F.max_pool3d(s0, 2))
        b = self.b(F.max_pool3d(e1, 2))
        d1 = self.d1(torch.cat([F.interpolate(b, scale_factor=2.0, mode="trilinear", align_corners=False), e1], 1))
        d0 = self.d0(torch.cat([F.interpolate(d1, scale_factor=2.0, mode="trilinear", align_corners=False), s0], 1))
        up = F.interpolate(d0, scale_factor=2.0, mode="trilinear", align_corners=False)
        return self.full(torch.cat([up, x], 1))


def click_map(edge, clicks):
    """clicks: list of (a, b, c) patch indices (x, y, z); returns (edge, edge, edge) as (z, y, x)."""
    out = np.zeros((edge, edge, edge), np.float32)
    if not clicks:
        return out
    z, y, x = np.meshgrid(np.arange(edge), np.arange(edge), np.arange(edge), indexing="ij")
    for a, b, c in clicks:
        d2 = (x - a) ** 2 + (y - b) ** 2 + (z - c) ** 2
        g = np.exp(-d2 / (2 * SIGMA * SIGMA)).astype(np.float32)
        g[d2 > (3 * SIGMA) ** 2] = 0  # the C++ side only visits the 3-sigma box
        out = np.maximum(out, g)
    return out


def absolute_view(samples, click_value, is_ct):
    if is_ct:
        return (np.clip(samples, -1000.0, 400.0) + 1000.0) / 1400.0 * 2.0 - 1.0
    return np.clip(samples / max(abs(click_value), 1e-6) - 1.0, -1.0, 2.0)


def model_input(samples, click_value, scale, positive, negative, is_ct=True):
    """samples: (edge, edge, edge) float32 as (z, y, x); returns (6, edge, edge, edge)."""
    edge = samples.shape[0]
    d = (samples.astype(np.float32) - np.float32(click_value)) / np.float32(scale)
    chans = [np.tanh(d * np.float32(f)) for f in FACTORS]
    chans.append(absolute_view(samples.astype(np.float32), click_value, is_ct).astype(np.float32))
    chans.append(click_map(edge, positive))
    chans.append(click_map(edge, negative))
    return np.stack(chans).astype(np.float32)


def golden_samples(edge=EDGE):
    """The same formula as lesionGoldenSamples in ai/segmentation/LesionPatch.cpp."""
    h = edge / 2 - 0.5
    c, b, a = np.meshgrid(np.arange(edge, dtype=np.float64), np.arange(edge, dtype=np.float64),
                          np.arange(edge, dtype=np.float64), indexing="ij")
    x, y, z = a - h, b - h, c - h
    r = np.sqrt(x * x + y * y + 1.6 * z * z) / (6.0 + 1.5 * np.sin(0.4 * a))
    s = -800.0 + 800.0 / (1.0 + np.exp(8.0 * (r - 1.0))) + 40.0 * np.sin(0.9 * b + 0.3 * c)
    return s.astype(np.float32)


def ct_intensity(samples):
    h = samples.shape[0] // 2
    return float(samples[h - 2:h + 2, h - 2:h + 2, h - 2:h + 2].astype(np.float64).mean()), 300.0
