#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets everything up, builds, and runs the whole test suite (needs ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# Rendering tests need an X display: a virtual one.
# -a picks a free display; starting the search at a per-process number keeps two runs at once
# (a developer's and a check's) from racing for the same one.
xvfb-run -a -n $((100 + $$ % 400)) -s "-screen 0 1920x1080x24" ctest --test-dir build --output-on-failure -j"$(nproc)"
