#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 27: the viewer's PACS tab against a real Orthanc (started here on loopback, seeded with the
# POPI CT and the LIDC slab by DCMTK's storescu): lightbox_viewer_tests "[.pacsdrive]" searches,
# retrieves POPI while the window keeps serving events, and opens it.
# usage: pacs_viewer_test.sh VIEWER_TESTS_BINARY SHARED_DATA
set -euo pipefail
viewer_tests=${1:?usage: pacs_viewer_test.sh VIEWER_TESTS SHARED_DATA}
data=${2:?usage: pacs_viewer_test.sh VIEWER_TESTS SHARED_DATA}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$viewer_tests" ] || fail "viewer test binary missing: $viewer_tests"
[ -n "${DISPLAY:-}" ] || fail "no X display: run under xvfb-run"
command -v Orthanc >/dev/null || fail "Orthanc is needed (scripts/setup.sh installs orthanc)"
popi=$data/ct/chest_4dct_popi_phase00/dicom
lidc=$data/ct/chest_lidc-idri-0001_nodule_slab
[ -d "$popi" ] && [ -d "$lidc" ] || fail "missing test data under $data"
work=$(mktemp -d)
source "$(dirname "$0")/../net/orthanc_server.sh"
trap 'stop_orthanc; rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/share XDG_CONFIG_HOME=$work/config
export LIGHTBOX_INDEX=$work/index.sqlite LIGHTBOX_ANNOTATIONS=$work/annotations LIGHTBOX_PACS_NODES=$work/nodes.json
mkdir -p "$HOME"
read -r our_port < <(free_ports 1)
start_orthanc "$work/orthanc" LIGHTBOX "$our_port"
storescu -aec ORTHANC +sd 127.0.0.1 "$ORTHANC_DICOM_PORT" "$popi" || fail "seeding POPI"
storescu -aec ORTHANC 127.0.0.1 "$ORTHANC_DICOM_PORT" $(find "$lidc" -name '*.dcm' | sort) || fail "seeding LIDC"
cat >"$LIGHTBOX_PACS_NODES" <<JSON
{"local": {"ae_title": "LIGHTBOX", "port": $our_port},
 "nodes": [{"name": "archive", "ae_title": "ORTHANC", "host": "127.0.0.1", "port": $ORTHANC_DICOM_PORT}]}
JSON
export LIGHTBOX_TEST_PACS_NODE=archive
LIGHTBOX_TEST_PACS_STUDY=$(/usr/bin/python3 -c "import pydicom,glob; print(pydicom.dcmread(sorted(glob.glob('$popi/*.dcm'))[0]).StudyInstanceUID)")
export LIGHTBOX_TEST_PACS_STUDY
"$viewer_tests" "[.pacsdrive]" --warn NoTests || fail "the PACS tab test failed"
echo "PASS"
