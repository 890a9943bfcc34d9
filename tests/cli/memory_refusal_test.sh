#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A series the machine cannot hold is refused with a clear message, not an OOM kill (issue 25,
# item 5). The series: 2048 blank 1024 x 1024 CT slices, 4.0 GB once decoded, 75 MB on disk (RLE;
# bench/blank_rle_series.py). "A machine that cannot hold it": the address space limited to 3 GB
# (ulimit -v), which Lightbox counts with the machine's free memory and its cgroup limit.
#  - `lightbox convert` and `lightbox detect` exit 1 at once with "needs 4.0 GB of memory" and how
#    much is available, without allocating it (peak resident memory stays under 300 MB);
#  - the viewer (lightbox_viewer_tests "[.memory]") tells the reader, in its messages and a dialog,
#    and opens a normal series afterwards in the same window.
# usage: memory_refusal_test.sh LIGHTBOX_BINARY VIEWER_TESTS_BINARY
set -euo pipefail
lb=${1:?usage: memory_refusal_test.sh LIGHTBOX VIEWER_TESTS}
viewer_tests=${2:?usage: memory_refusal_test.sh LIGHTBOX VIEWER_TESTS}
here=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$lb" ] || fail "lightbox binary missing: $lb"
command -v /usr/bin/time >/dev/null || fail "/usr/bin/time (package time) is needed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home LIGHTBOX_INDEX=$work/index.sqlite LIGHTBOX_ANNOTATIONS=$work/annotations
mkdir -p "$HOME"
/usr/bin/python3 "$here/bench/blank_rle_series.py" 2048 1024 1024 "$work/huge"
echo "series: $(ls "$work/huge" | wc -l) files, $(du -sh "$work/huge" | cut -f1) on disk"

for cmd in "convert $work/huge $work/huge.nii" "detect $work/huge --json $work/det.json"; do
  set +e
  (ulimit -v 3145728; exec /usr/bin/time -f "%M" -o "$work/rss" "$lb" $cmd) >"$work/out.txt" 2>"$work/err.txt"
  status=$?
  set -e
  name=${cmd%% *}
  [ $status -eq 1 ] || fail "$name: exit $status, expected 1: $(tail -3 "$work/err.txt")"
  grep -q "needs 4.0 GB of memory; [0-9.]* [GM]B is available" "$work/err.txt" || fail "$name: no clear reason: $(tail -3 "$work/err.txt")"
  rss=$(tail -1 "$work/rss")
  [ "$rss" -lt 307200 ] || fail "$name: peak resident memory $((rss / 1024)) MB: it allocated before refusing"
  echo "$name: refused ($(grep -o 'needs 4.0 GB.*available' "$work/err.txt")), peak $((rss / 1024)) MB"
done
[ ! -e "$work/huge.nii" ] || fail "convert left a file behind"

LIGHTBOX_MEMORY_SERIES=$work/huge "$viewer_tests" "[.memory]" >"$work/viewer.txt" 2>&1 || fail "viewer: $(tail -30 "$work/viewer.txt")"
echo "viewer: refused with the reason, the window lives on, a normal series opens after"
echo PASS
