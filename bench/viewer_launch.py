#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Launch to first image, and to all three 2D views, of the real viewer window (issue 30).

Starts `BINARY view SERIES` on the current X display (run under Xvfb: bench/viewer_launch.sh) and
reads the frames the window logs as it shows them (LIGHTBOX_FRAME_LOG: epoch microseconds, view):
the time from the process start to the first 2D frame and to the moment axial, coronal and sagittal
have each shown a frame. With --baseline BINARY (an older build's lightbox-full), runs alternate
between the two binaries in the same session; medians and ratios are printed.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

VIEWS = ("axial", "coronal", "sagittal")


def first_frames(path):
    seen = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in VIEWS and parts[1] not in seen:
                    seen[parts[1]] = int(parts[0])
    return seen


def run_once(binary, series, timeout=120):
    log = tempfile.NamedTemporaryFile(prefix="lightbox-launch-", suffix=".log", delete=False).name
    index_dir = tempfile.mkdtemp(prefix="lightbox-launch-")
    env = dict(os.environ, LIGHTBOX_FRAME_LOG=log, LIGHTBOX_INDEX=os.path.join(index_dir, "index.sqlite"))
    started = time.time_ns() // 1000
    proc = subprocess.Popen([binary, "view", series], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.time() + timeout
        while time.time() < end and len(first_frames(log)) < len(VIEWS):
            if proc.poll() is not None:
                raise RuntimeError(f"{binary} exited ({proc.returncode}) before showing the 2D views")
            time.sleep(0.01)
        seen = first_frames(log)
        if len(seen) < len(VIEWS):
            raise RuntimeError(f"{binary}: the 2D views did not all show a frame within {timeout} s")
        return (min(seen.values()) - started) / 1e6, (max(seen.values()) - started) / 1e6
    finally:
        stop(proc)
        os.unlink(log)
        shutil.rmtree(index_dir, ignore_errors=True)


def stop(proc):
    """Ends a viewer process: SIGTERM, then SIGKILL after 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("series", nargs="+")
    ap.add_argument("--binary", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    binaries = [("current", a.binary)] + ([("baseline", a.baseline)] if a.baseline else [])
    summary = {}
    for series in a.series:
        results = {name: [] for name, _ in binaries}
        run_once(a.binary, series)  # warm the page cache
        for r in range(a.runs):
            order = binaries if r % 2 == 0 else binaries[::-1]
            for name, binary in order:
                results[name].append(run_once(binary, series))
        row = {}
        for name, _ in binaries:
            first = statistics.median(x[0] for x in results[name])
            all2d = statistics.median(x[1] for x in results[name])
            row[name] = {"first_image_s": round(first, 3), "all_2d_views_s": round(all2d, 3)}
            print(f"{os.path.basename(series.rstrip('/')):40s} {name:9s} first image {first:6.3f} s   all 2D views {all2d:6.3f} s")
        if a.baseline:
            for key in ("first_image_s", "all_2d_views_s"):
                row[key.replace("_s", "_ratio")] = round(row["current"][key] / row["baseline"][key], 2)
            print(f"{'':40s} ratio     first image {row['first_image_ratio']:6.2f}     all 2D views {row['all_2d_views_ratio']:6.2f}")
        summary[series] = row
    print(json.dumps({"runs": a.runs, "results": summary}, indent=1))


if __name__ == "__main__":
    main()
