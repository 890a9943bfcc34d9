#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Memory ceilings on a 1000-slice 512 x 512 CT (issue 25, item 5), every figure a whole process:

  itk-reader   ITK ImageSeriesReader + GDCMImageIO reading the series (the peer: ITK's own reader)
  convert      `lightbox convert` (load + write NIfTI)
  viewer       `lightbox view` in the real window (Xvfb): peak resident memory once all three 2D views
               have shown the series and the process is idle
  detect       `lightbox detect` (nodule detection on the whole series)
  register     `lightbox register` (affine, the series against itself shifted)

Prints peak resident memory (VmHWM), its ratio to the volume's size and to ITK's reader, and the
ceilings: the viewer under 3x the volume (3D Slicer's documentation asks for 10x: "As a general
rule, have 10x more memory than the amount of data that you load"), detection and registration
under the limits README states.
usage: bench/memory_ceiling.py SERIES_1000 --binary build/app/lightbox-full --itk build/bench/itk_series_reader_bench
"""
import argparse
import os
import shutil
import subprocess
import tempfile
import time

from viewer_launch import VIEWS, first_frames, stop  # bench/ is the script's folder: on sys.path


def peak_kib(status_path):
    with open(status_path) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])


def timed(cmd, env):
    """Wall seconds and peak resident KiB of a whole process (GNU time)."""
    out = tempfile.NamedTemporaryFile(delete=False).name
    t0 = time.time()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + cmd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.time() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    with open(out) as f:
        kib = int(f.read().strip().splitlines()[-1])
    os.unlink(out)
    return wall, kib


def viewer_peak(binary, series, env, timeout=300):
    log = tempfile.NamedTemporaryFile(prefix="lightbox-mem-", suffix=".log", delete=False).name
    env = dict(env, LIGHTBOX_FRAME_LOG=log)
    t0 = time.time()
    proc = subprocess.Popen([binary, "view", series], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        shown = {}
        while time.time() - t0 < timeout and len(shown) < len(VIEWS):
            if proc.poll() is not None:
                raise RuntimeError(f"the viewer exited ({proc.returncode}) before showing the series")
            shown = first_frames(log)
            time.sleep(0.05)
        if len(shown) < len(VIEWS):
            raise RuntimeError("the viewer did not show all three 2D views")
        first = time.time() - t0
        # Idle: no CPU used for 2 s (thumbnails, the 3D view and background work done).
        last, quiet = cpu_ticks(proc.pid), 0.0
        while quiet < 2.0 and time.time() - t0 < timeout:
            time.sleep(0.5)
            now = cpu_ticks(proc.pid)
            quiet = quiet + 0.5 if now == last else 0.0
            last = now
        return first, peak_kib(f"/proc/{proc.pid}/status")
    finally:
        stop(proc)
        os.unlink(log)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("series")
    ap.add_argument("--binary", required=True, help="lightbox-full")
    ap.add_argument("--itk", required=True, help="itk_series_reader_bench")
    ap.add_argument("--detect-limit-mib", type=float, default=3072)
    ap.add_argument("--register-limit-mib", type=float, default=3072)
    args = ap.parse_args()
    files = [f for f in os.listdir(args.series) if f.endswith(".dcm")]
    volume_mib = 512 * 512 * len(files) * 2 / 2**20
    work = tempfile.mkdtemp(prefix="lightbox-mem-")
    env = dict(os.environ, HOME=os.path.join(work, "home"), LIGHTBOX_INDEX=os.path.join(work, "index.sqlite"),
               LIGHTBOX_ANNOTATIONS=os.path.join(work, "annotations"))
    os.makedirs(env["HOME"])
    rows = []
    try:
        rows.append(("itk-reader",) + timed([args.itk, args.series], env))
        rows.append(("convert",) + timed([args.binary, "convert", args.series, os.path.join(work, "out.nii")], env))
        first, kib = viewer_peak(args.binary, args.series, env)
        rows.append(("viewer", first, kib))
        rows.append(("detect",) + timed([args.binary, "detect", args.series, "--json", os.path.join(work, "det.json")], env))
        rows.append(("register",) + timed([args.binary, "register", args.series, args.series, "-o",
                                           os.path.join(work, "reg"), "--engine", "affine"], env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    itk = rows[0][2] / 1024
    print(f"series: {args.series}  ({len(files)} slices of 512 x 512, volume {volume_mib:.0f} MiB as 16-bit; {os.cpu_count()} cores)")
    print(f"{'process':<12} {'seconds':>8} {'peak MiB':>9} {'x volume':>9} {'x ITK':>7}")
    for name, secs, kib in rows:
        mib = kib / 1024
        print(f"{name:<12} {secs:8.1f} {mib:9.0f} {mib / volume_mib:9.2f} {mib / itk:7.2f}")
    peaks = {name: kib / 1024 for name, _, kib in rows}
    checks = [("viewer under 3x the volume", peaks["viewer"] < 3 * volume_mib),
              (f"detect under {args.detect_limit_mib:.0f} MiB", peaks["detect"] < args.detect_limit_mib),
              (f"register under {args.register_limit_mib:.0f} MiB", peaks["register"] < args.register_limit_mib)]
    print(f"3D Slicer's documented need for this series: 10x the data = {10 * volume_mib:.0f} MiB")
    for what, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}: {what}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
