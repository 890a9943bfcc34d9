#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Scroll benchmark under Xvfb (Mesa llvmpipe here): Lightbox with two overlay layers vs a bare VTK
# image viewer, same series, same run. usage: bench/render_benchmark.sh [SERIES_FOLDER] [SIZE]
set -euo pipefail
cd "$(dirname "$0")/.."
series="${1:-../shared/data/ct/chest_4dct_popi_phase00/dicom}"
[ -x build/bench/lightbox_bench_render ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
xvfb-run -a -s "-screen 0 1920x1080x24" build/bench/lightbox_bench_render "$series" "${2:-1024}"
