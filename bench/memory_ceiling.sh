#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Memory ceilings on a 1000-slice 512 x 512 CT made by repeating a real series with new positions
# (bench/repeat_series.py; kept in /tmp/lightbox-bench-ct1000 between runs): ITK's reader, convert,
# the real viewer window, detection and registration, side by side (bench/memory_ceiling.py).
# usage: bench/memory_ceiling.sh [SOURCE_SERIES] [SLICES]   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${LIGHTBOX_SHARED_DATA:-../shared/data}
source_series=${1:-$data/ct/chest_cptac-luad_c3n-00247_contrast/dicom}
slices=${2:-1000}
series=/tmp/lightbox-bench-ct$slices
[ -x build/app/lightbox-full ] && [ -x build/bench/itk_series_reader_bench ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
if [ "$(ls "$series" 2>/dev/null | wc -l)" != "$slices" ]; then
  rm -rf "$series"
  /usr/bin/python3 bench/repeat_series.py "$source_series" "$slices" "$series"
fi
exec xvfb-run -a -s "-screen 0 1920x1080x24" /usr/bin/python3 bench/memory_ceiling.py "$series" \
  --binary build/app/lightbox-full --itk build/bench/itk_series_reader_bench
