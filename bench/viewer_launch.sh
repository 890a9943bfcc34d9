#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Viewer launch to first image and to all 2D views (bench/viewer_launch.py) on POPI and the CPTAC CT,
# optionally against an older build's lightbox-full in the same run (alternating).
# usage: bench/viewer_launch.sh [BASELINE_LIGHTBOX_FULL] [RUNS]   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${LIGHTBOX_SHARED_DATA:-../shared/data}
args=("$data/ct/chest_4dct_popi_phase00" "$data/ct/chest_cptac-luad_c3n-00247_contrast"
      --binary build/app/lightbox-full --runs "${2:-7}")
if [ -n "${1:-}" ]; then args+=(--baseline "$1"); fi
exec xvfb-run -a -s "-screen 0 1920x1080x24" /usr/bin/python3 bench/viewer_launch.py "${args[@]}"
