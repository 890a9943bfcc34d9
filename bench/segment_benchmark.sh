#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Click-to-segment speed on the 512x512 LIDC CT slab, in one run:
# (1) `lightbox segment` as a whole process, model engine and classical engine side by side: the
#     JSON's "seconds" is click to mask (the series already loaded), the wall time is the whole
#     command (targets: model < 1 s, classical < 0.3 s click to mask);
# (2) the lesion model's forward pass from C++ (LibTorch) vs the same TorchScript in Python,
#     same input and thread count (target: ratio C++/Python <= 1.0).
# usage: bench/segment_benchmark.sh [THREADS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"
runs="${2:-5}"
build=build
slab=../shared/data/ct/chest_lidc-idri-0001_nodule_slab/dicom
seed="${LIGHTBOX_BENCH_SEED:-56.2,86.2,-115.9}" # about the readers' consensus centroid (LPS mm)
model=resources/models/lightbox-lesion.pt
[ -x $build/bench/lightbox_bench_infer ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

echo "== lightbox segment, whole process, $threads threads, median of $runs runs =="
for engine in model classical; do
  : > "$out/wall"; : > "$out/click"
  for r in $(seq "$runs"); do
    t0=$EPOCHREALTIME
    $build/app/lightbox segment "$slab" --seed-lps "$seed" --engine $engine --threads "$threads" \
      -o "$out/m.nii.gz" --json "$out/m.json" > /dev/null 2>&1
    t1=$EPOCHREALTIME
    echo "$t1 - $t0" | bc -l >> "$out/wall"
    python3 -c "import json;print(json.load(open('$out/m.json'))['seconds'])" >> "$out/click"
  done
  printf "%-9s click to mask %6.3f s, whole command %6.3f s, %s\n" "$engine" "$(median < "$out/click")" \
    "$(median < "$out/wall")" \
    "$(python3 -c "import json;j=json.load(open('$out/m.json'));print(f\"{j['engine']}: {j['volume_ml']:.2f} mL, long axis {j['long_axis_mm']:.1f} mm\")")"
  median < "$out/click" > "$out/click_$engine"
done
printf "click to mask, model / classical: %.2f\n" "$(echo "$(cat "$out/click_model") / $(cat "$out/click_classical")" | bc -l)"

echo "== lesion model forward pass (1 x 6 x 32^3): C++ LibTorch vs Python TorchScript, $threads threads =="
for r in $(seq "$runs"); do
  $build/bench/lightbox_bench_infer $model "$threads" 1 20 6 | cut -d' ' -f1 >> "$out/cpp"
  /usr/bin/python3 bench/infer_bench.py $model "$threads" 1 20 6 | cut -d' ' -f1 >> "$out/py"
done
cpp=$(median < "$out/cpp")
py=$(median < "$out/py")
check_cpp=$($build/bench/lightbox_bench_infer $model "$threads" 1 1 6 | cut -d' ' -f2)
check_py=$(/usr/bin/python3 bench/infer_bench.py $model "$threads" 1 1 6 | cut -d' ' -f2)
printf "C++ %.2f ms, Python %.2f ms, ratio C++/Python %.2f (first output %s vs %s)\n" \
  "$cpp" "$py" "$(echo "$cpp / $py" | bc -l)" "$check_cpp" "$check_py"
