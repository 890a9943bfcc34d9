#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 27: the viewer's PACS tab against a real Orthanc (started here on loopback, seeded with the
# POPI CT, the LIDC slab and a prior of the LIDC patient by DCMTK's storescu):
# lightbox_viewer_tests "[.pacsdrive]" searches, retrieves POPI while the window keeps serving
# events, and opens it, lists the LIDC patient's prior from the archive and opens it as the
# comparison; "[.pacskill]" is killed mid-retrieve and "[.pacsretry]" completes it.
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
# A prior of the LIDC patient on the archive only: the slab with new UIDs, a year earlier.
/usr/bin/python3 - "$lidc" "$work/prior" > "$work/prior.env" <<'PY' || fail "making the LIDC prior"
import datetime, glob, os, sys, pydicom
from pydicom.uid import generate_uid
src, out = sys.argv[1:]
os.makedirs(out)
study, series = generate_uid(), generate_uid()
for n, f in enumerate(sorted(glob.glob(src + "/**/*.dcm", recursive=True))):
    ds = pydicom.dcmread(f)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    for tag in ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate"):
        if tag in ds and ds.data_element(tag).value:
            d = datetime.datetime.strptime(str(ds.data_element(tag).value), "%Y%m%d") - datetime.timedelta(days=365)
            ds.data_element(tag).value = d.strftime("%Y%m%d")
    ds.StudyDescription = "prior a year before"
    ds.save_as(f"{out}/{n:03d}.dcm")
print(f"export LIGHTBOX_TEST_PACS_PRIOR_STUDY={study} LIGHTBOX_TEST_PACS_PRIOR_SERIES={series}")
PY
source "$work/prior.env"
storescu -aec ORTHANC 127.0.0.1 "$ORTHANC_DICOM_PORT" "$work"/prior/*.dcm || fail "seeding the LIDC prior"
cat >"$LIGHTBOX_PACS_NODES" <<JSON
{"local": {"ae_title": "LIGHTBOX", "port": $our_port},
 "nodes": [{"name": "archive", "ae_title": "ORTHANC", "host": "127.0.0.1", "port": $ORTHANC_DICOM_PORT}]}
JSON
export LIGHTBOX_TEST_PACS_NODE=archive
LIGHTBOX_TEST_PACS_STUDY=$(/usr/bin/python3 -c "import pydicom,glob; print(pydicom.dcmread(sorted(glob.glob('$popi/*.dcm'))[0]).StudyInstanceUID)")
export LIGHTBOX_TEST_PACS_STUDY
LIGHTBOX_TEST_PACS_LIDC_STUDY=$(/usr/bin/python3 -c "import pydicom,glob; print(pydicom.dcmread(sorted(glob.glob('$lidc/**/*.dcm', recursive=True))[0]).StudyInstanceUID)")
export LIGHTBOX_TEST_PACS_LIDC_STUDY LIGHTBOX_TEST_REPORT_LIST=$work/report.txt
# The window killed (SIGKILL) in the middle of a retrieve, then a new one retrieves the study
# again into the same store: only whole objects were left, the retry completes the study (141
# objects, none twice) and it opens. Its own index and store (the test binary makes a fresh
# scratch index per run: LIGHTBOX_TEST_KILL_INDEX names the shared one).
export LIGHTBOX_TEST_KILL_INDEX=$work/kill/index.sqlite
mkdir -p "$work/kill"
kill_store=$work/kill/received/$LIGHTBOX_TEST_PACS_STUDY
count_objects() { if [ -d "$1" ]; then find "$1" -maxdepth 1 -name '*.dcm' | wc -l; else echo 0; fi; }
TMPDIR=$work "$viewer_tests" "[.pacskill]" > "$work/kill.log" 2>&1 &
killed_pid=$!
arrived=0
for _ in $(seq 1 600); do
  arrived=$(count_objects "$kill_store")
  [ "$arrived" -ge 30 ] && break
  kill -0 "$killed_pid" 2>/dev/null || break
  sleep 0.1
done
kill -9 "$killed_pid" 2>/dev/null || fail "the window ended before it was killed: $(tail -5 "$work/kill.log")"
wait "$killed_pid" 2>/dev/null || true
arrived=$(count_objects "$kill_store")
echo "window killed during the retrieve with $arrived of 141 objects filed"
[ "$arrived" -ge 1 ] && [ "$arrived" -lt 141 ] || fail "the kill did not land during the retrieve ($arrived objects)"
/usr/bin/python3 - "$kill_store" <<'PY' || fail "an object left by the killed window is not whole"
import glob, sys, pydicom
for f in glob.glob(sys.argv[1] + "/*.dcm"):
    ds = pydicom.dcmread(f)
    if ds.file_meta.TransferSyntaxUID.is_compressed:
        ds.pixel_array  # decodes every frame, or raises
        continue
    assert len(ds.PixelData) == ds.Rows * ds.Columns * ds.BitsAllocated // 8 * int(ds.get("SamplesPerPixel", 1)), f
PY
"$viewer_tests" "[.pacsretry]" --warn NoTests || fail "the retrieve after the kill failed"
total=$(count_objects "$kill_store")
[ "$total" -eq 141 ] || fail "after the retry the store holds $total objects, not 141"
leftover=0
[ -d "$work/kill/received/.incoming" ] && leftover=$(find "$work/kill/received/.incoming" -type f | wc -l)
[ "$leftover" -eq 0 ] || fail "$leftover temporary files left in .incoming"
echo "retry after the kill: 141 objects, none twice, nothing left in .incoming"
# The window's scratch folder (its report folder is read below) is kept, under $work.
TMPDIR=$work LIGHTBOX_KEEP_TEST_SCRATCH=1 "$viewer_tests" "[.pacsdrive]" --warn NoTests || fail "the PACS tab test failed"
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
