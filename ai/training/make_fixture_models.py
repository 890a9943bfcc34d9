#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the tiny TorchScript fixture models the runtime tests use (tests/ai/fixtures).

They have no weights to speak of; each proves one property of the C++ runtime:
  identity      out = x                      tiling, padding and stitching round-trip exactly
  constant      out = 7 everywhere           blending normalises (no seams, no tile-count bias)
  channel_echo  out = cat(flip_c(x), 10 x)    channel order in and out
  axis_probe    out = [dx/dD, dx/dH, dx/dW]   tensor (D, H, W) is the volume's (z, y, x)
Run with Debian's torch 1.13 (/usr/bin/python3) so LibTorch 1.13 can read what it writes.
"""
import hashlib
import json
import os
import sys

import torch


class Identity(torch.nn.Module):
    def forward(self, x):
        return x.clone()


class Constant(torch.nn.Module):
    def forward(self, x):
        return torch.full_like(x, 7.0)


class ChannelEcho(torch.nn.Module):
    def forward(self, x):
        return torch.cat([x.flip([1]), x * 10.0], 1)


class AxisProbe(torch.nn.Module):
    def forward(self, x):
        o = x[0, 0, 0, 0, 0]
        return torch.stack([x[0, 0, 1, 0, 0] - o, x[0, 0, 0, 1, 0] - o, x[0, 0, 0, 0, 1] - o]).reshape(1, 3)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    for name, module in [("identity", Identity()), ("constant", Constant()),
                         ("channel_echo", ChannelEcho()), ("axis_probe", AxisProbe())]:
        scripted = torch.jit.script(module.eval())
        path = os.path.join(out_dir, name + ".pt")
        scripted.save(path)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        manifest = {
            "schema": "lightbox-model/1",
            "name": "fixture-" + name.replace("_", "-"),
            "version": "1.0.0",
            "task": "test-fixture",
            "licence": "Apache-2.0",
            "intended_use": "Runtime tests only; not a medical model.",
            "training_data": "None (no learned weights).",
            "weights": {"file": name + ".pt", "sha256": digest, "format": "torchscript"},
            "input": {
                "modality": ["CT"],
                "orientation": "tensor (N, C, D, H, W) = (1, C, z, y, x) of the volume's own grid",
                "target_spacing_xyz_mm": [1.0, 1.0, 1.0],
                "max_slice_thickness_mm": 5.0,
                "min_coverage_z_mm": 0,
                "intensity": {"window": [-1000, 1000], "normalised_range": [-1000, 1000]},
                "patch_xyz": [16, 12, 8],
                "overlap": 0.5,
                "channels": 1,
            },
            "output": {"type": "probability-map", "labels": ["echo"], "threshold": 0.5,
                       "calibration": {"method": "none"}},
        }
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        print(path, digest)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ai", "fixtures"))
