#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Load benchmark: Lightbox vs dcm2niix -z n vs ITK ImageSeriesReader+GDCMImageIO on the same
# series, in one run, warm cache, median of RUNS runs each; prints wall times, peak RSS and ratios.
# usage: bench/load_benchmark.sh [SERIES_FOLDER] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
series="${1:-../shared/data/ct/chest_4dct_popi_phase00/dicom}"
runs="${2:-7}"
build=build
[ -x $build/bench/lightbox_bench_load ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v dcm2niix >/dev/null || { echo "dcm2niix missing: scripts/setup.sh installs it" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One measurement: prints "wall_seconds peak_rss_kib" (wall from bash's microsecond clock).
measure() {
  local t0=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$out/time" "$@" >/dev/null 2>&1 || true # timing, not exit codes
  local t1=$EPOCHREALTIME
  echo "$(echo "$t1 - $t0" | bc -l) $(tail -n 1 "$out/time")"
}

declare -A wall rss
tools=(dcm2niix itk lightbox lightbox-convert dcm2niix-start lightbox-start)
for tool in "${tools[@]}"; do
  case $tool in
    dcm2niix) cmd=(dcm2niix -z n -b n -o "$out" -f bench "$series") ;;
    itk) cmd=($build/bench/itk_series_reader_bench "$series") ;;
    lightbox) cmd=($build/bench/lightbox_bench_load "$series") ;;
    # The product's own command as a whole process (start-up included), writing the same NIfTI.
    lightbox-convert) cmd=($build/app/lightbox convert "$series" "$out/bench-lb.nii") ;;
    # Cold start of each program: what every command pays before it does anything.
    dcm2niix-start) cmd=(dcm2niix -v) ;;
    lightbox-start) cmd=($build/app/lightbox --help) ;;
  esac
  "${cmd[@]}" >/dev/null 2>&1 || true # warm the page cache (dcm2niix -v exits non-zero)
  times=(); mems=()
  for ((r = 0; r < runs; r++)); do
    rm -f "$out"/bench*.nii
    read -r t m < <(measure "${cmd[@]}")
    times+=("$t"); mems+=("$m")
  done
  wall[$tool]=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rss[$tool]=$(printf '%s\n' "${mems[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
done

volume_bytes=$($build/bench/lightbox_bench_load "$series" | awk '{print $3}')
echo "series: $series  ($runs runs each, medians, warm cache, $(nproc) cores)"
printf '%-16s %10s %12s %12s\n' tool wall_s peak_rss_MiB vs_dcm2niix
for tool in "${tools[@]}"; do
  ref=dcm2niix
  [[ $tool == *-start ]] && ref=dcm2niix-start
  printf '%-16s %10.3f %12.1f %12.2f\n' "$tool" "${wall[$tool]}" "$(echo "${rss[$tool]} / 1024" | bc -l)" \
    "$(echo "${wall[$tool]} / ${wall[$ref]}" | bc -l)"
done
budget=$(echo "1.3 * $volume_bytes / 1048576 + 60" | bc -l)
printf 'volume %.1f MiB; RSS budget 1.3 x volume + 60 MiB = %.1f MiB; lightbox uses %.1f MiB\n' \
  "$(echo "$volume_bytes / 1048576" | bc -l)" "$budget" "$(echo "${rss[lightbox]} / 1024" | bc -l)"
