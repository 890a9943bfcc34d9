#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets everything up, builds, and opens a study: the given path, or the embedded default study
# (a synthetic chest CT generated on first use). Until the viewer lands this prints what
# Lightbox finds in the study.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
study="${1:-$(./build/app/lightbox default-study)}"
exec ./build/app/lightbox info "$study"
