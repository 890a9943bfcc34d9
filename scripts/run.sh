#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets everything up, builds, and opens the viewer on a study: the given path, or the embedded
# default study (a synthetic chest CT generated on first use). Without a display (a bare server),
# the viewer runs on a virtual one and saves what it shows to lightbox-screenshot.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
study="${1:-$(./build/app/lightbox default-study)}"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec ./build/app/lightbox view "$study"
fi
echo "no display: rendering the viewer on a virtual one into lightbox-screenshot.png"
exec xvfb-run -a -s "-screen 0 1920x1080x24" ./build/app/lightbox view "$study" --screenshot lightbox-screenshot.png
