#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 27: `lightbox pacs` over DICOMweb against a real Orthanc with its DICOMweb plugin (Debian's
# `orthanc-dicomweb`) and HTTP basic authentication, on loopback:
#  - STOW-RS: the LIDC slab and POPI sent by `lightbox pacs send URL`, every object read back from
#    Orthanc's REST API with the same content;
#  - QIDO-RS: echo, find at study, series and patient level with filters;
#  - WADO-RS: get a study into the store and the index, the same content as Orthanc's copy; a second
#    get replaces, never duplicates;
#  - the secret only from the environment (a node list with a password is refused), a wrong password
#    and a missing one named, a closed port named.
# usage: dicomweb_orthanc_test.sh LIGHTBOX_BINARY SHARED_DATA
set -euo pipefail
lb=${1:?usage: dicomweb_orthanc_test.sh LIGHTBOX_BINARY SHARED_DATA}
data=${2:?usage: dicomweb_orthanc_test.sh LIGHTBOX_BINARY SHARED_DATA}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v Orthanc >/dev/null || fail "Orthanc is needed (scripts/setup.sh installs orthanc)"
/usr/bin/python3 -c "import pydicom" || fail "pydicom (python3-pydicom) is needed"
popi=$data/ct/chest_4dct_popi_phase00/dicom
lidc=$data/ct/chest_lidc-idri-0001_nodule_slab
[ -d "$popi" ] && [ -d "$lidc" ] || fail "missing test data under $data"
work=$(mktemp -d)
source "$(dirname "$0")/orthanc_server.sh"
trap 'stop_orthanc; rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/share XDG_CONFIG_HOME=$work/config
export LIGHTBOX_INDEX=$work/index.sqlite LIGHTBOX_PACS_NODES=$work/nodes.json
mkdir -p "$HOME"
read -r our_port spare_port < <(free_ports 2)
start_orthanc "$work/orthanc" LIGHTBOX "$our_port" reader "s3cret-Pw"
cat >"$LIGHTBOX_PACS_NODES" <<JSON
{"nodes": [{"name": "web", "url": "$ORTHANC_DICOMWEB", "auth": "basic", "user": "reader", "secret_env": "ARCHIVE_PASSWORD"}]}
JSON
export ARCHIVE_PASSWORD=s3cret-Pw

echo "== STOW-RS"
"$lb" pacs send web "$lidc" "$popi" >"$work/send.txt" || fail "send: $(cat "$work/send.txt")"
grep -q "157 of 157 objects stored" "$work/send.txt" || fail "send: $(tail -3 "$work/send.txt")"
grep -q "not DICOM skipped" "$work/send.txt" || fail "send did not skip the non-DICOM files"
/usr/bin/python3 - "$ORTHANC_REST" "$lidc" <<'PY' || fail "STOW-RS objects differ in Orthanc"
import base64, glob, io, json, sys, urllib.request, pydicom
rest, lidc = sys.argv[1:]
auth = {"Authorization": "Basic " + base64.b64encode(b"reader:s3cret-Pw").decode()}
def get(url, data=None):
    return urllib.request.urlopen(urllib.request.Request(rest + url, data=data, headers=auth)).read()
files = sorted(glob.glob(lidc + "/**/*.dcm", recursive=True))
for f in files:
    mine = pydicom.dcmread(f)
    found = [x for x in json.loads(get("/tools/lookup", mine.SOPInstanceUID.encode())) if x["Type"] == "Instance"]
    assert len(found) == 1, f
    assert pydicom.dcmread(io.BytesIO(get("/instances/" + found[0]["ID"] + "/file"))) == mine, f
print(f"{len(files)} LIDC objects stored by STOW-RS: content equal")
PY

echo "== QIDO-RS"
"$lb" pacs echo web | grep -q "echo ok" || fail "echo over DICOMweb"
"$lb" pacs find web --json >"$work/studies.json"
"$lb" pacs find web --level series --modality CT --json >"$work/series.json"
"$lb" pacs find web --patient-id LIDC-IDRI-0001 --json >"$work/lidc.json"
"$lb" pacs find web --level patient --json >"$work/patients.json"
/usr/bin/python3 - "$work" "$popi" "$lidc" <<'PY' || fail "QIDO-RS results"
import glob, json, os, sys, pydicom
work, popi, lidc = sys.argv[1:]
load = lambda n: json.load(open(os.path.join(work, n)))
p = pydicom.dcmread(sorted(glob.glob(popi + "/*.dcm"))[0], stop_before_pixels=True)
l = pydicom.dcmread(sorted(glob.glob(lidc + "/**/*.dcm", recursive=True))[0], stop_before_pixels=True)
studies = {s["study_instance_uid"]: s for s in load("studies.json")}
assert set(studies) == {p.StudyInstanceUID, l.StudyInstanceUID}, studies
assert studies[p.StudyInstanceUID]["instances"] == 141 and studies[p.StudyInstanceUID]["study_date"] == p.StudyDate
series = {s["series_instance_uid"]: s for s in load("series.json")}
assert set(series) == {p.SeriesInstanceUID, l.SeriesInstanceUID} and series[l.SeriesInstanceUID]["instances"] == 16, series
assert [s["study_instance_uid"] for s in load("lidc.json")] == [l.StudyInstanceUID]
assert len(load("patients.json")) == 2
print("QIDO-RS: studies, series, patients and the patient ID filter hold")
PY

echo "== WADO-RS"
lidc_study=$(/usr/bin/python3 -c "import pydicom,glob; print(pydicom.dcmread(sorted(glob.glob('$lidc/**/*.dcm', recursive=True))[0]).StudyInstanceUID)")
"$lb" pacs get web --study-uid "$lidc_study" --json >"$work/get.json" || fail "get over DICOMweb"
"$lb" pacs get web --study-uid "$lidc_study" >"$work/get2.txt" || fail "second get over DICOMweb"
grep -q "received 16 objects (16 were here already, replaced)" "$work/get2.txt" || fail "second get: $(cat "$work/get2.txt")"
store=$work/received/$lidc_study
[ "$(ls "$store"/*.dcm | wc -l)" -eq 16 ] || fail "not 16 objects in $store"
/usr/bin/python3 - "$work/get.json" "$lidc" "$store" <<'PY' || fail "WADO-RS objects"
import glob, json, sys, pydicom
g = json.load(open(sys.argv[1]))
assert g["received"] == 16, g["received"]
src = {}
for f in glob.glob(sys.argv[2] + "/**/*.dcm", recursive=True):
    d = pydicom.dcmread(f); src[d.SOPInstanceUID] = d
for f in glob.glob(sys.argv[3] + "/*.dcm"):
    d = pydicom.dcmread(f)
    assert d == src[d.SOPInstanceUID], f
print("WADO-RS: 16 objects with the content that was sent")
PY
"$lb" list --json | grep -q "$lidc_study" || fail "the study retrieved over DICOMweb is not in the index"

echo "== credentials and failures"
set +e
out=$(ARCHIVE_PASSWORD=wrong "$lb" pacs echo web 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "refused the credentials (HTTP 401)" <<<"$out" || fail "wrong password: rc $rc: $out"
out=$(env -u ARCHIVE_PASSWORD "$lb" pacs echo web 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "environment variable ARCHIVE_PASSWORD" <<<"$out" || fail "missing password: rc $rc: $out"
out=$("$lb" pacs echo "http://127.0.0.1:$spare_port/dicom-web" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -qi "connection refused\|connect" <<<"$out" || fail "closed port: rc $rc: $out"
cat >"$work/bad-nodes.json" <<JSON
{"nodes": [{"name": "web", "url": "$ORTHANC_DICOMWEB", "auth": "basic", "user": "reader", "password": "s3cret-Pw"}]}
JSON
out=$("$lb" pacs echo web --nodes "$work/bad-nodes.json" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "never kept in the node list" <<<"$out" || fail "a password in the node list: rc $rc: $out"
out=$("$lb" pacs echo "http://reader:s3cret-Pw@127.0.0.1:$spare_port/dicom-web" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "user or password in the URL is refused" <<<"$out" || fail "a password in the URL: rc $rc: $out"
set -e
# The password is in no file this test's commands wrote: outputs, node list, index, store.
! grep -rqa "s3cret-Pw" "$LIGHTBOX_PACS_NODES" "$work"/*.txt "$work"/studies.json "$work"/series.json "$work"/get.json "$work/received" "$LIGHTBOX_INDEX" 2>/dev/null \
  || fail "the password was written somewhere"
echo "PASS"
