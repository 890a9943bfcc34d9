#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Input-to-frame latency of the real Lightbox window, driven like a reader drives it.

Starts `lightbox view SERIES --layout L` on the current X display (run under Xvfb), points at the
axial view, presses Down N times at RATE Hz with xdotool (real X key events), and matches every key
to the first frame of the axial view that shows its slice, from the frames the window itself
logs when it shows them (LIGHTBOX_FRAME_LOG: epoch microseconds, view, position along the normal).
Then it measures the window at rest: frames painted and CPU used over IDLE seconds.

With --busy-3d (the 2x2 layout), the 3D view is made to render right before the burst: the pointer
goes to the 3D view, presses 2 (soft-tissue preset: a new ray-cast frame), then goes to the axial
view, clicks and the burst starts at once, so the keys arrive while the 3D frame is being rendered.
The 3D view's renders (their end and their length) come from the same log: lines "3d-render" (a
frame rendered off the GUI thread) or, from builds that render it on the GUI thread, the "3d"
frames' paint time. Keys sent while a 3D render was in flight are counted and their latency is
reported apart.

Prints one line per run and a JSON summary. With --baseline BINARY, the same run is made with that
binary (e.g. an older build) in the same session and the ratios are printed.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def read_log(path):
    frames, geometry = [], {}
    if not os.path.exists(path):
        return frames, geometry
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1] == "3d-render":
                render = next((float(p[10:]) for p in parts if p.startswith("render_ms=")), None)
                frames.append((int(parts[0]), parts[1], float("nan"), render, None))
            elif len(parts) >= 7 and parts[1] == "geometry":
                geometry[parts[2]] = tuple(int(v) for v in parts[3:7])
            elif len(parts) >= 3:
                paint = next((float(p[9:]) for p in parts if p.startswith("paint_ms=")), None)
                compose = next((float(p[11:]) for p in parts if p.startswith("compose_ms=")), None)
                try:
                    frames.append((int(parts[0]), parts[1], float(parts[2]), paint, compose))
                except ValueError:
                    frames.append((int(parts[0]), parts[1], float("nan"), paint, compose))
    return frames, geometry


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(predicate, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def percentile(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q / 100.0 * (len(s) - 1)))))
    return s[k]


def render_intervals_3d(frames):
    """(start, end) in epoch microseconds of every 3D render in the log."""
    off_thread = [f for f in frames if f[1] == "3d-render" and f[3] is not None]
    source = off_thread if off_thread else [f for f in frames if f[1] == "3d" and f[3] is not None]
    return [(f[0] - int(f[3] * 1000), f[0]) for f in source]


def run_once(binary, series, layout, keys, rate, idle, settle, busy_3d=False):
    log = tempfile.NamedTemporaryFile(prefix="lightbox-frames-", suffix=".log", delete=False).name
    env = dict(os.environ, LIGHTBOX_FRAME_LOG=log)
    env.setdefault("LIGHTBOX_INDEX", os.path.join(tempfile.mkdtemp(prefix="lightbox-bench-"), "index.sqlite"))
    args = [binary, "view", series] + (["--layout", layout] if layout else [])
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = time.time()
        if not wait_for(lambda: any(f[1] == "axial" for f in read_log(log)[0]), 120):
            raise RuntimeError("the window showed no axial frame within 120 s")
        first_frame_s = time.time() - started
        # Let the initial frames of every view finish, then point at the axial view.
        time.sleep(settle)
        frames, geometry = read_log(log)
        if "axial" not in geometry:
            raise RuntimeError("the frame log has no geometry for the axial view")
        x, y, w, h = geometry["axial"]
        if busy_3d:
            if "3d" not in geometry:
                raise RuntimeError("--busy-3d: the frame log has no geometry for the 3D view")
            # The position the burst starts from: the click below lands on the view's centre, which
            # the slice under it does not change (the axial view's own slice stays).
            start_pos = [f for f in read_log(log)[0] if f[1] == "axial"][-1][2]
            vx, vy, vw, vh = geometry["3d"]
            subprocess.run(["xdotool", "mousemove", str(vx + vw // 2), str(vy + vh // 2)], check=True)
            time.sleep(0.3)
            subprocess.run(["xdotool", "key", "2"], check=True)  # soft tissue: the 3D view renders
            time.sleep(0.1)
        subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2)], check=True)
        if not busy_3d:
            time.sleep(0.5)
        # A click in the view, as a reader does before scrolling (older builds need it for focus).
        subprocess.run(["xdotool", "click", "1"], check=True)
        if not busy_3d:
            time.sleep(2.0)
            before = [f for f in read_log(log)[0] if f[1] == "axial"]
            start_pos = before[-1][2]
        sent = []
        period = 1.0 / rate
        t0 = time.time()
        for i in range(keys):
            target = t0 + i * period
            now = time.time()
            if target > now:
                time.sleep(target - now)
            sent.append(time.time_ns() // 1000)
            subprocess.run(["xdotool", "key", "Down"], check=True)
        last_key = sent[-1]
        time.sleep(3.0)
        if busy_3d:
            # Until the window has caught up (an old build queues the keys behind the 3D frame): the
            # log stops growing for 3 s.
            last = [len(read_log(log)[0]), time.time()]

            def quiet():
                n = len(read_log(log)[0])
                if n != last[0]:
                    last[:] = [n, time.time()]
                return time.time() - last[1] > 3.0
            wait_for(quiet, 90)
        # At rest: no frames, no CPU.
        frames_before_idle = len(read_log(log)[0])
        cpu0, wall0 = cpu_seconds(proc.pid), time.time()
        time.sleep(idle)
        idle_cpu = (cpu_seconds(proc.pid) - cpu0) / (time.time() - wall0)
        frames, _ = read_log(log)
        idle_frames = len(frames) - frames_before_idle
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    axial = [f for f in frames if f[1] == "axial" and f[0] > sent[0]]
    paint_ms = [f[3] for f in axial if f[3] is not None]
    compose_ms = [f[4] for f in axial if f[4] is not None]
    positions = sorted({round(abs(f[2] - start_pos), 3) for f in axial if abs(f[2] - start_pos) > 1e-3})
    step = min(b - a for a, b in zip([0.0] + positions, positions)) if positions else float("nan")
    latencies = []
    for i, t_sent in enumerate(sent):
        need = (i + 1) * step - 0.25 * step
        shown = next((f[0] for f in axial if f[0] >= t_sent and abs(f[2] - start_pos) >= need), None)
        latencies.append((shown - t_sent) / 1000.0 if shown else float("inf"))
    answered = [v for v in latencies if v != float("inf")]
    busy = render_intervals_3d(frames)
    while_3d = [lat for t_sent, lat in zip(sent, latencies) if any(a <= t_sent <= b for a, b in busy)]
    last_answer = max((f[0] for f in axial), default=last_key)
    others = {}
    for name in ("coronal", "sagittal", "3d"):
        fs = [f for f in frames if f[1] == name and f[0] > sent[0]]
        if fs:
            others[name] = {"frames": len(fs), "last_after_last_key_ms": round((fs[-1][0] - last_key) / 1000.0, 1)}
    os.unlink(log)
    return {
        "binary": binary, "layout": layout or "default", "keys": keys, "rate_hz": rate,
        "first_axial_frame_s": round(first_frame_s, 2),
        "axial_frames_during_burst": len(axial),
        "keys_answered": len(answered),
        "latency_ms_p50": round(percentile(answered, 50), 1),
        "latency_ms_p95": round(percentile(latencies, 95), 1),
        "latency_ms_max": round(max(latencies), 1),
        "axial_paint_ms_median": round(statistics.median(paint_ms), 1) if paint_ms else None,
        "compose_ms_median": round(statistics.median(compose_ms), 1) if compose_ms else None,
        "last_frame_after_last_key_ms": round((last_answer - last_key) / 1000.0, 1),
        "keys_while_3d_rendering": len(while_3d),
        "latency_ms_p95_while_3d_rendering": round(percentile(while_3d, 95), 1) if while_3d else None,
        "renders_3d": [round((b - a) / 1000.0) for a, b in busy if b > sent[0] - 10_000_000],
        "other_views": others,
        "idle_cpu_percent": round(100.0 * idle_cpu, 2),
        "idle_frames": idle_frames,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("series")
    ap.add_argument("--binary", default="build/app/lightbox")
    ap.add_argument("--baseline", help="another lightbox binary to run the same way (e.g. an older build)")
    ap.add_argument("--layouts", default="2x2,1x1")
    ap.add_argument("--keys", type=int, default=20)
    ap.add_argument("--rate", type=float, default=10.0)
    ap.add_argument("--idle", type=float, default=10.0)
    ap.add_argument("--settle", type=float, default=4.0)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--busy-3d", action="store_true", help="keys arrive while the 3D view renders (2x2)")
    ap.add_argument("--json")
    a = ap.parse_args()
    results = []
    for layout in a.layouts.split(","):
        for binary in [a.binary] + ([a.baseline] if a.baseline else []):
            for _ in range(a.runs):
                r = run_once(binary, a.series, layout, a.keys, a.rate, a.idle, a.settle, a.busy_3d)
                results.append(r)
                print(f"{layout:4} {binary}: "
                      f"p50 {r['latency_ms_p50']} ms, p95 {r['latency_ms_p95']} ms, max {r['latency_ms_max']} ms, "
                      f"{r['keys_answered']}/{r['keys']} keys answered in {r['axial_frames_during_burst']} frames, "
                      f"last frame {r['last_frame_after_last_key_ms']} ms after the last key; "
                      f"axial paint {r['axial_paint_ms_median']} ms, window compose {r['compose_ms_median']} ms; "
                      f"idle {r['idle_cpu_percent']} % CPU, {r['idle_frames']} frames; "
                      f"{r['keys_while_3d_rendering']} keys sent while the 3D view rendered "
                      f"(p95 {r['latency_ms_p95_while_3d_rendering']} ms), 3D renders {r['renders_3d']} ms",
                      flush=True)
    if a.baseline:
        for layout in a.layouts.split(","):
            ours = [r for r in results if r["layout"] == layout and r["binary"] == a.binary]
            base = [r for r in results if r["layout"] == layout and r["binary"] == a.baseline]
            if ours and base:
                p95o = statistics.median(r["latency_ms_p95"] for r in ours)
                p95b = statistics.median(r["latency_ms_p95"] for r in base)
                print(f"{layout}: p95 latency baseline / lightbox = {p95b / p95o:.1f}x")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
