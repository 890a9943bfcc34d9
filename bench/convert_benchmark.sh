#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 30's benchmark: `lightbox convert SERIES out.nii` against `dcm2niix -z n` on the same series,
# as whole processes, in alternating pairs (the order swaps every pair), warm page cache; medians of
# wall time, CPU time (user + system) and peak RSS, and the ratios. Each run writes a new file into
# an emptied folder (neither tool overwrites). Series: POPI (141 slices), the CPTAC contrast CT and a
# 1000-slice CT made by repeating POPI (bench/repeat_series.py, pydicom).
# Writing a 500 MB output into the page cache of this VM varies from 0.3 s to 4 s for both tools
# (first touches of guest memory): the 1000-slice medians need the 21 pairs.
# usage: [SERIES="popi cptac ct1000"] bench/convert_benchmark.sh [PAIRS] [BUILD_DIR] [LIGHTBOX_BINARY]
set -euo pipefail
export LC_ALL=C # $EPOCHREALTIME and bc agree on the decimal point
cd "$(dirname "$0")/.."
pairs=${1:-21}
build=${2:-build}
lightbox=${3:-$build/app/lightbox}
data=${LIGHTBOX_SHARED_DATA:-../shared/data}
[ -x "$lightbox" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v dcm2niix >/dev/null || { echo "dcm2niix missing: scripts/setup.sh installs it" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
series_list=${SERIES:-popi cptac ct1000}
if [[ " $series_list " == *" ct1000 "* ]]; then
  /usr/bin/python3 bench/repeat_series.py "$data/ct/chest_4dct_popi_phase00/dicom" 1000 "$work/ct1000"
fi

# One run: prints "wall_s cpu_s peak_rss_kib".
measure() {
  rm -rf "$work/out" && mkdir "$work/out"
  sync # the previous run's output leaves the page cache's dirty list before this one starts
  local t0=$EPOCHREALTIME
  /usr/bin/time -f "%U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" ||
    { echo "failed: $*" >&2; cat "$work/stderr" >&2; exit 1; }
  local t1=$EPOCHREALTIME
  read -r user sys rss < <(tail -n 1 "$work/time")
  echo "$(echo "$t1 - $t0" | bc -l) $(echo "$user + $sys" | bc -l) $rss"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-10s %-9s %9s %9s %9s %9s %9s %9s %12s\n' series tool wall_s cpu_s rss_MiB wall_x cpu_x rss_x rss_budget
for name in $series_list; do
  case $name in
    popi) series=$data/ct/chest_4dct_popi_phase00/dicom ;;
    cptac) series=$data/ct/chest_cptac-luad_c3n-00247_contrast/dicom ;;
    ct1000) series=$work/ct1000 ;;
    *) echo "unknown series '$name' (popi, cptac, ct1000)" >&2; exit 2 ;;
  esac
  lb=("$lightbox" convert "$series" "$work/out/lb.nii")
  d2n=(dcm2niix -z n -b n -o "$work/out" -f d2n "$series")
  mkdir -p "$work/out" # warm the page cache (a failure here is shown)
  "${lb[@]}" >/dev/null || { echo "lightbox convert failed on $series" >&2; exit 1; }
  "${d2n[@]}" >/dev/null || { echo "dcm2niix failed on $series" >&2; exit 1; }
  : >"$work/lb.txt"; : >"$work/d2n.txt"
  for ((p = 0; p < pairs; p++)); do
    if ((p % 2 == 0)); then
      measure "${lb[@]}" >>"$work/lb.txt"; measure "${d2n[@]}" >>"$work/d2n.txt"
    else
      measure "${d2n[@]}" >>"$work/d2n.txt"; measure "${lb[@]}" >>"$work/lb.txt"
    fi
  done
  "${lb[@]}" >/dev/null 2>&1
  volume_mib=$(echo "($(stat -c %s "$work/out/lb.nii") - 352) / 1048576" | bc -l)
  for tool in d2n lb; do
    for c in 1 2 3; do
      eval "m$c=$(cut -d' ' -f$c "$work/$tool.txt" | median)"
    done
    eval "${tool}_wall=$m1 ${tool}_cpu=$m2 ${tool}_rss=$m3"
  done
  budget=$(echo "1.2 * $volume_mib + 30" | bc -l)
  printf '%-10s %-9s %9.3f %9.3f %9.1f\n' "$name" dcm2niix "$d2n_wall" "$d2n_cpu" "$(echo "$d2n_rss / 1024" | bc -l)"
  printf '%-10s %-9s %9.3f %9.3f %9.1f %9.2f %9.2f %9.2f %7.1f (%s)\n' "$name" lightbox "$lb_wall" "$lb_cpu" \
    "$(echo "$lb_rss / 1024" | bc -l)" "$(echo "$lb_wall / $d2n_wall" | bc -l)" "$(echo "$lb_cpu / $d2n_cpu" | bc -l)" \
    "$(echo "$lb_rss / $d2n_rss" | bc -l)" "$budget" \
    "$(if (($(echo "$lb_rss / 1024 <= $budget" | bc -l))); then echo within; else echo OVER; fi)"
done
echo "($pairs alternating pairs per series, medians; $(nproc) cores; volume = the NIfTI's voxel bytes;"
echo " rss_budget = 1.2 x volume + 30 MiB, issue 30)"
