#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Detection speed: (1) `lightbox detect` end to end on the 141-slice POPI chest CT and on the
# phantom (target, issue 24: POPI under 10 s on this 2-core machine); (2) LibTorch inference of the shipped
# model from C++ vs the same TorchScript run by /usr/bin/python3 (Debian torch), same input, same
# thread count, in one run; prints medians and the ratio (target: C++ no slower, ratio <= 1.0).
# usage: bench/detect_benchmark.sh [THREADS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"
runs="${2:-3}"
build=build
model=resources/models/lightbox-nodule.pt
channels=$(python3 -c "import json;print(json.load(open('resources/models/lightbox-nodule.json'))['input']['channels'])")
[ -x $build/bench/lightbox_bench_infer ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$build/app/lightbox make-phantom "$out/phantom" > /dev/null

median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

echo "== end-to-end detection, $threads threads, median of $runs runs =="
for scan in ../shared/data/ct/chest_4dct_popi_phase00 "$out/phantom"; do
  for r in $(seq "$runs"); do
    t0=$EPOCHREALTIME
    $build/app/lightbox detect "$scan" --threads "$threads" --json "$out/det.json" > /dev/null 2>&1
    t1=$EPOCHREALTIME
    echo "$t1 - $t0" | bc -l
  done > "$out/times"
  printf "%-45s %6.2f s  (target < 10 s)  candidates %s\n" "$(basename "$scan")" "$(median < "$out/times")" \
    "$(python3 -c "import json;print(json.load(open('$out/det.json'))['candidates'])")"
done

echo "== inference: C++ LibTorch vs Python TorchScript, batch 16 (the detector's) x $channels channels, $threads threads =="
for r in $(seq "$runs"); do
  $build/bench/lightbox_bench_infer $model "$threads" 16 20 "$channels" | cut -d' ' -f1 >> "$out/cpp"
  /usr/bin/python3 bench/infer_bench.py $model "$threads" 16 20 "$channels" | cut -d' ' -f1 >> "$out/py"
done
cpp=$(median < "$out/cpp")
py=$(median < "$out/py")
check_cpp=$($build/bench/lightbox_bench_infer $model "$threads" 16 1 "$channels" | cut -d' ' -f2)
check_py=$(/usr/bin/python3 bench/infer_bench.py $model "$threads" 16 1 "$channels" | cut -d' ' -f2)
printf "C++ %.2f ms/batch, Python %.2f ms/batch, ratio C++/Python %.2f (first logit %s vs %s)\n" \
  "$cpp" "$py" "$(echo "$cpp / $py" | bc -l)" "$check_cpp" "$check_py"
