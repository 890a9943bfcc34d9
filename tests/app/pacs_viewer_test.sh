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
LIGHTBOX_TEST_PACS_LIDC_STUDY=$(/usr/bin/python3 -c "import pydicom,glob; print(pydicom.dcmread(sorted(glob.glob('$lidc/**/*.dcm', recursive=True))[0]).StudyInstanceUID)")
export LIGHTBOX_TEST_PACS_LIDC_STUDY LIGHTBOX_TEST_REPORT_LIST=$work/report.txt
"$viewer_tests" "[.pacsdrive]" --warn NoTests || fail "the PACS tab test failed"
# The report the window sent: every object in Orthanc with the same content (Orthanc writes what
# it stores with explicit lengths: element values compared, pixel data and the PDF included).
folder=$(sed -n 's/^Report version [0-9]* written to \(.*\) ([0-9]* files.*/\1/p' "$work/report.txt" | head -1)
[ -d "$folder" ] || fail "no report folder in: $(cat "$work/report.txt")"
/usr/bin/python3 - "$ORTHANC_REST" "$folder" <<'PY' || fail "the report objects in Orthanc differ from the written ones"
import glob, io, json, sys, urllib.request, pydicom
rest, folder = sys.argv[1:]
files = sorted(glob.glob(folder + "/*.dcm"))
assert len(files) == 4, files
for f in files:
    mine = pydicom.dcmread(f)
    req = urllib.request.Request(rest + "/tools/lookup", data=mine.SOPInstanceUID.encode())
    found = [x for x in json.load(urllib.request.urlopen(req)) if x["Type"] == "Instance"]
    assert len(found) == 1, f"{f}: not in Orthanc"
    theirs = pydicom.dcmread(io.BytesIO(urllib.request.urlopen(rest + "/instances/" + found[0]["ID"] + "/file").read()))
    assert mine == theirs, f"{f}: content differs"
print(f"{len(files)} report objects (SEG, SR, KOS, Encapsulated PDF) read back from Orthanc unchanged")
PY
echo "PASS"
