#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs exactly the Debian 12 packages Lightbox needs to build, test and run.
# Idempotent: does nothing (no apt-get update) when every package is already present.
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  qt6-base-dev libqt6opengl6-dev libxkbcommon-dev libgl-dev
  libvtk9-dev libinsighttoolkit5-dev libgdcm-dev libdcmtk-dev
  libtorch-dev libsqlite3-dev nlohmann-json3-dev zlib1g-dev libssl-dev catch2
  libcurl4-openssl-dev  # DICOMweb (issue 27)
  qt6-tools-dev qt6-l10n-tools  # lupdate / lrelease: the zh_CN translation (issue 28)
)
RUNTIME_PACKAGES=(
  xvfb xauth libgl1-mesa-dri
  fonts-noto-cjk  # Chinese, Japanese and Korean text in the viewer and the PDF report (issue 28)
  qt6-translations-l10n  # Qt's own dialogs and buttons in Chinese (issue 28)
  fonts-wqy-microhei  # Chinese in the PDF report that pdftotext, copy and search read back (issue 28)
  # LibTorch's 3D convolutions are matrix products: OpenBLAS (OpenMP build, the threading LibTorch
  # uses) instead of the reference BLAS makes a lesion click 2-3x faster (README, issue 24 speed)
  libopenblas0-openmp
)
TOOL_PACKAGES=(
  python3-torch python3-numpy python3-pydicom dcmtk libgdcm-tools dcm2niix time bc
  dicom3tools poppler-utils elastix
  slurmctld slurmd slurm-client munge  # the batch test's single-node Slurm (issue 29)
  orthanc orthanc-dicomweb curl  # the archive the PACS tests talk to over DIMSE and DICOMweb (issue 27)
)

ALL=("${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" "${TOOL_PACKAGES[@]}")

missing=()
for p in "${ALL[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#ALL[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
