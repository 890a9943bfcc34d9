#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Input-to-frame latency and idle cost of the real viewer window (see viewer_latency.py).
# Usage: bench/viewer_latency.sh [SERIES] [BASELINE_BINARY] [viewer_latency.py options, e.g.
#        --layouts 2x2 --busy-3d]   (after scripts/build.sh; BASELINE_BINARY may be "")
set -euo pipefail
cd "$(dirname "$0")/.."
SERIES="${1:-../shared/data/ct/chest_4dct_popi_phase00}"
BASELINE="${2:-}"
shift $(( $# < 2 ? $# : 2 ))
command -v xdotool >/dev/null || apt-get install -y -q xdotool
args=("$SERIES" --binary build/app/lightbox --layouts 2x2,1x1)
if [ -n "$BASELINE" ]; then args+=(--baseline "$BASELINE"); fi
args+=("$@")
exec xvfb-run -a -s "-screen 0 1920x1080x24" /usr/bin/python3 bench/viewer_latency.py "${args[@]}"
