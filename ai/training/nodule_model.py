# SPDX-License-Identifier: Apache-2.0
"""The nodule candidate classifier (lightbox-nodule 2): a small two-stream 3D CNN that sees the
candidate at two scales, a 32^3 patch at 1.25 mm (40 mm) and its context, 32^3 at 2.5 mm (80 mm)."""
import torch
from torch import nn


def block(cin, cout):
    return nn.Sequential(nn.Conv3d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm3d(cout), nn.ReLU(inplace=True))


class NoduleNet(nn.Module):
    """(N, 2, 32, 32, 32) normalised HU, channel 0 the 40 mm patch and channel 1 the 80 mm context
    around the same centre -> (N, 1) logit that the patch is centred on a nodule."""

    def __init__(self):
        super().__init__()
        self.fine = nn.Sequential(
            # Strided first layer: 1.25 mm in, 2.5 mm features out (full-resolution 3D convolutions
            # would not fit a CPU training budget).
            nn.Conv3d(1, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm3d(16), nn.ReLU(inplace=True),  # 16^3
            block(16, 24), nn.MaxPool3d(2),                 # 8^3
            block(24, 32), block(32, 32), nn.MaxPool3d(2),  # 4^3
            block(32, 64),
        )
        # The context (vessels leaving the blob, the hilum, the pleura, the diaphragm): lighter.
        self.context = nn.Sequential(
            nn.Conv3d(1, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm3d(16), nn.ReLU(inplace=True),  # 16^3
            nn.MaxPool3d(2),                                # 8^3
            block(16, 32), nn.MaxPool3d(2),                 # 4^3
            block(32, 48),
        )
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(64 + 64 + 48 + 48, 1))

    def forward(self, x):
        f = self.fine(x[:, 0:1])
        c = self.context(x[:, 1:2])
        # Global averages and the centre 2^3 (the candidate itself) of each stream.
        parts = [f.mean(dim=[2, 3, 4]), f[:, :, 1:3, 1:3, 1:3].mean(dim=[2, 3, 4]),
                 c.mean(dim=[2, 3, 4]), c[:, :, 1:3, 1:3, 1:3].mean(dim=[2, 3, 4])]
        return self.head(torch.cat(parts, 1))


def golden_input():
    """A fixed input the C++ test rebuilds from the same formula (tests/ai/NoduleModelTest.cpp):
    sample 0 a bright ball on dark lung (radius halved in the context channel), sample 1 stripes."""
    z = torch.arange(32, dtype=torch.float32).reshape(32, 1, 1)
    y = torch.arange(32, dtype=torch.float32).reshape(1, 32, 1)
    x = torch.arange(32, dtype=torch.float32).reshape(1, 1, 32)
    r2 = (x - 15.5) ** 2 + (y - 15.5) ** 2 + (z - 15.5) ** 2
    blob = torch.exp(-r2 / (2 * 4.0 ** 2)) * 1.6 - 0.8
    blob_context = torch.exp(-r2 / (2 * 2.0 ** 2)) * 1.6 - 0.8
    stripes = torch.sin(0.3 * x) * 0.5 + torch.cos(0.2 * y) * 0.25 - z / 64.0
    return torch.stack([torch.stack([blob, blob_context]), torch.stack([stripes, stripes])])  # (2, 2, 32, 32, 32)
