#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Kill tests of the viewer (issue 25, item 3): the real window (lightbox_viewer_tests "[.killdrive]",
# Xvfb) paints brush strokes, or segments the slab's nodules with the model, one after the other,
# each saved as a reader's edit is; it is killed with SIGKILL N times (default 200) per mode at
# random moments. After every kill the label map on disk is whole (its header reads, its runs fill
# the grid exactly), holds every step the window had saved (logged after the save returned) plus
# at most the step in flight, and the next window opens exactly that (its first line); no file
# is moved aside as unreadable, and no temporary file of a killed writer is left once a window has
# opened the series again.
# usage: kill_viewer_test.sh VIEWER_TESTS_BINARY [N]
set -euo pipefail
viewer_tests=${1:?usage: kill_viewer_test.sh VIEWER_TESTS [N]}
rounds=${2:-200}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$viewer_tests" ] || fail "viewer test binary missing: $viewer_tests"
[ -n "${DISPLAY:-}" ] || fail "no X display: run under xvfb-run"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/share
mkdir -p "$HOME"

verify() { # mode annotations log round -> checks; prints the file's state
  /usr/bin/python3 - "$@" <<'PY'
import json, os, re, struct, sys
mode, folder, log, rnd = sys.argv[1:5]
def state(text):
    return {int(a): int(b) for a, b in (p.split(":") for p in text.split()[1:])}
lines = [l for l in open(log).read().splitlines() if l.strip()]
starts = [i for i, l in enumerate(lines) if l.startswith("open")]
assert starts, f"round {rnd}: the window never opened the series"
run = lines[starts[-1]:]
last = state(run[-1])
labels = [f for f in os.listdir(folder) if f.endswith(".labels")]
bad = [f for f in os.listdir(folder) if "unreadable" in f]
assert not bad, f"round {rnd}: moved aside as unreadable: {bad}"
if not labels:
    assert not last, f"round {rnd}: no label map on disk, the window had saved {last}"
    print("{}"); sys.exit(0)
data = open(os.path.join(folder, labels[0]), "rb").read()
nl = data.index(b"\n")
header = json.loads(data[:nl])
runs = data[nl + 1:]
assert len(runs) == 5 * header["runs"], f"round {rnd}: {len(runs)} bytes of runs for {header['runs']} runs: a half file"
grid = header["size"][0] * header["size"][1] * header["size"][2]
counts, total = {}, 0
for r in range(header["runs"]):
    value, length = runs[5 * r], struct.unpack_from("<I", runs, 5 * r + 1)[0]
    total += length
    if value: counts[value] = counts.get(value, 0) + length
assert total == grid, f"round {rnd}: the runs cover {total} of {grid} voxels"
table = {s["label"] for s in header["segments"]}
assert set(counts) <= table, f"round {rnd}: voxels of labels {set(counts) - table} without a segment"
disk = {l: counts.get(l, 0) for l in table}
if mode == "brush":
    ok = set(last) <= set(disk) and len(set(disk) - set(last)) <= 1 and all(disk[l] >= n for l, n in last.items())
else:
    added, removed = set(disk) - set(last), set(last) - set(disk)
    same = all(disk[l] == last[l] for l in set(disk) & set(last))
    ok = same and ((not added and not removed) or (len(added) == 1 and not removed) or (len(removed) == 1 and not added))
assert ok, f"round {rnd}: on disk {disk}, the window had saved {last} (mode {mode})"
print(json.dumps(disk, sort_keys=True))
PY
}

for mode in brush segment; do
  annotations=$work/annotations-$mode
  log=$work/$mode.log
  mkdir -p "$annotations"
  # Calibrate: how long until the first step is saved.
  start=$(date +%s.%N)
  TMPDIR=$work LIGHTBOX_KILL_MODE=$mode LIGHTBOX_KILL_LOG=$log LIGHTBOX_KILL_ANNOTATIONS=$annotations \
    "$viewer_tests" "[.killdrive]" >/dev/null 2>&1 &
  pid=$!
  while ! grep -qE "^(brush|segment)" "$log" 2>/dev/null; do
    kill -0 $pid 2>/dev/null || fail "$mode: the window exited before its first step"
    sleep 0.05
  done
  first=$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$start" "$(date +%s.%N)")
  kill -9 $pid; wait $pid 2>/dev/null || true
  expected=$(verify "$mode" "$annotations" "$log" calibration)
  span=1.5; [ "$mode" = segment ] && span=3.5
  steps=0
  early=0
  for ((r = 0; r < rounds; r++)); do
    opens_before=$(grep -c '^open' "$log")
    delay=$(python3 -c "import random,sys; f=float(sys.argv[1]); print(round(random.uniform(0.6 * f, f + float(sys.argv[2])), 3))" "$first" "$span")
    TMPDIR=$work LIGHTBOX_KILL_MODE=$mode LIGHTBOX_KILL_LOG=$log LIGHTBOX_KILL_ANNOTATIONS=$annotations \
      "$viewer_tests" "[.killdrive]" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 $pid 2>/dev/null || fail "$mode round $r: the window ended by itself"
    wait $pid 2>/dev/null || true
    rm -rf "$work"/lightbox-viewer-tests-*
    # The window of this round opened what the previous kill left, exactly (when it got as far
    # as opening the series before the kill).
    opens=$(grep -c '^open' "$log")
    if [ "$opens" -le "$opens_before" ]; then early=$((early + 1)); fi
    opened=$(awk '/^open/ {line=$0} END {print line}' "$log")
    [ "$opens" -le "$opens_before" ] || python3 - "$opened" "$expected" "$r" <<'PY' || fail "$mode round $r: the reopened window differs from the file"
import json, sys
opened = {int(a): int(b) for a, b in (p.split(":") for p in sys.argv[1].split()[1:])}
expected = {int(k): v for k, v in json.loads(sys.argv[2]).items()}
assert opened == expected, f"round {sys.argv[3]}: the window opened {opened}, the file held {expected}"
PY
    expected=$(verify "$mode" "$annotations" "$log" "$r") || fail "$mode round $r"
  done
  steps=$(grep -cE "^(brush|segment|remove)" "$log")
  # One last window opens the series: no temporary file of a killed writer is left.
  opens_before=$(grep -c '^open' "$log")
  TMPDIR=$work LIGHTBOX_KILL_MODE=$mode LIGHTBOX_KILL_LOG=$log LIGHTBOX_KILL_ANNOTATIONS=$annotations \
    "$viewer_tests" "[.killdrive]" >/dev/null 2>&1 &
  pid=$!
  while [ "$(grep -c '^open' "$log")" -le "$opens_before" ]; do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
  kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
  left=$(ls "$annotations" | grep -c '\.tmp\.' || true)
  [ "$left" -le 1 ] || fail "$mode: $left temporary files left after a window reopened the series: $(ls "$annotations")"
  echo "$mode: $rounds kills ($early before the window had opened the series; its first step is saved ${first} s after start), $steps steps saved in all; the map on disk whole and as saved after every kill"
done
echo PASS
