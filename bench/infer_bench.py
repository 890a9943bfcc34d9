#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Python side of bench/detect_benchmark.sh: same TorchScript, input and thread count as
lightbox_bench_infer. usage: infer_bench.py MODEL.pt THREADS BATCH REPEATS [CHANNELS]"""
import sys
import time

import torch

model_path, threads, batch, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
channels = int(sys.argv[5]) if len(sys.argv) > 5 else 1
torch.set_num_threads(threads)
model = torch.jit.load(model_path).eval()
n = batch * channels * 32 * 32 * 32
x = torch.sin(0.001 * torch.arange(n, dtype=torch.float64)).float().reshape(batch, channels, 32, 32, 32)
with torch.inference_mode():
    model(x)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        y = model(x)
        times.append((time.perf_counter() - t0) * 1000.0)
times.sort()
print(f"{times[len(times) // 2]:.3f} {float(y.flatten()[0]):.6f}")
