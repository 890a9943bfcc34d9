#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 27: `lightbox pacs` against a real Orthanc (Debian's `orthanc`) started on loopback with a
# temporary configuration and storage, and DCMTK's own tools (storescu, findscu, getscu, storescp)
# as a cross-check in both directions:
#  - seeding: POPI by DCMTK's storescu, the LIDC slab by `lightbox pacs send`; every object we
#    sent reads back from Orthanc's REST API with the same data set bytes;
#  - echo (and a wrong AE title, a closed port, a node that accepts TCP and never answers);
#  - find at patient, study and series level, with filters, text and JSON; findscu finds the same
#    studies and series with the same counts;
#  - get by C-GET and by C-MOVE into the index: the data set bytes equal Orthanc's copy and what
#    getscu retrieves; a second get replaces, never duplicates; a get killed with SIGKILL leaves
#    only whole objects in the study folder and the retry completes the study;
#  - listen: storescu sends to `lightbox pacs listen`, which files and indexes; an object without
#    a Study Instance UID is refused with a failure status and nothing of it is kept;
#  - `pacs send` to DCMTK's storescp: the data set bytes it writes equal the files sent;
#  - the report objects (SEG, SR, KOS, Encapsulated PDF) sent back to Orthanc arrive unchanged.
# usage: pacs_orthanc_test.sh LIGHTBOX_BINARY SHARED_DATA
set -euo pipefail
lb=${1:?usage: pacs_orthanc_test.sh LIGHTBOX_BINARY SHARED_DATA}
data=${2:?usage: pacs_orthanc_test.sh LIGHTBOX_BINARY SHARED_DATA}
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in Orthanc storescu storescp findscu getscu echoscu curl; do
  command -v "$tool" >/dev/null || fail "$tool is needed (scripts/setup.sh installs orthanc, dcmtk, curl)"
done
/usr/bin/python3 -c "import pydicom" || fail "pydicom (python3-pydicom) is needed"
popi=$data/ct/chest_4dct_popi_phase00/dicom
lidc=$data/ct/chest_lidc-idri-0001_nodule_slab
[ -d "$popi" ] || fail "missing test data: $popi"
[ -d "$lidc" ] || fail "missing test data: $lidc"

work=$(mktemp -d)
listen_pid=
source "$(dirname "$0")/orthanc_server.sh"
cleanup() {
  [ -n "$listen_pid" ] && kill "$listen_pid" 2>/dev/null || true
  stop_orthanc
  rm -rf "$work"
}
trap cleanup EXIT
export HOME=$work/home XDG_DATA_HOME=$work/share XDG_CONFIG_HOME=$work/config
export LIGHTBOX_INDEX=$work/index.sqlite LIGHTBOX_ANNOTATIONS=$work/annotations
mkdir -p "$HOME"
store=$work/received

read -r our_port spare_port < <(free_ports 2)
start_orthanc "$work/orthanc" LIGHTBOX "$our_port"
dicom_port=$ORTHANC_DICOM_PORT
rest=$ORTHANC_REST
node=ORTHANC@127.0.0.1:$dicom_port

# The data set bytes (after the file meta group) of DICOM files, compared with Orthanc's copies.
cat >"$work/bytes.py" <<'PY'
import json, os, struct, sys, urllib.request
def body(data):
    assert data[128:132] == b"DICM", "no DICM prefix"
    glen = struct.unpack("<I", data[140:144])[0]
    return data[144 + glen:]
def uid_of(path):
    import pydicom
    return pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID
def orthanc_copy(rest, uid):
    req = urllib.request.Request(rest + "/tools/lookup", data=uid.encode())
    found = [x for x in json.load(urllib.request.urlopen(req)) if x["Type"] == "Instance"]
    assert len(found) == 1, f"{uid}: {len(found)} instances in Orthanc"
    return urllib.request.urlopen(rest + "/instances/" + found[0]["ID"] + "/file").read()
def same_content(a, b):
    # The same data set in another encoding (an archive may send an implicit VR object in
    # explicit VR): every element's value equal, pixel data included.
    import io, pydicom
    da = pydicom.dcmread(io.BytesIO(a)); db = pydicom.dcmread(io.BytesIO(b))
    return da == db and da.PixelData == db.PixelData if "PixelData" in da else da == db
mode, rest = sys.argv[1], sys.argv[2]
paths = sys.argv[3:]
bad = []
for p in paths:
    mine = body(open(p, "rb").read())
    if mode in ("orthanc", "orthanc-content"):
        whole = orthanc_copy(rest, uid_of(p))
        if mode == "orthanc-content":
            if not same_content(open(p, "rb").read(), whole):
                bad.append(p)
            continue
        other = body(whole)
    else:  # mode "dir": the same SOP instance in folder `rest` (any file name)
        other = None
        for q in os.listdir(rest):
            if uid_of(os.path.join(rest, q)) == uid_of(p):
                other = body(open(os.path.join(rest, q), "rb").read())
        assert other is not None, f"{p}: not in {rest}"
    if mine != other:
        bad.append(p)
if bad:
    sys.exit(f"{len(bad)} of {len(paths)} differ, e.g. {bad[0]}")
print(f"{len(paths)} objects: data set bytes equal")
PY

echo "== seeding: POPI by storescu, the LIDC slab by lightbox pacs send"
storescu -aec ORTHANC +sd +r 127.0.0.1 "$dicom_port" "$popi" || fail "storescu could not seed POPI"
"$lb" pacs send "$node" "$lidc" >"$work/send.txt" || fail "pacs send failed: $(cat "$work/send.txt")"
grep -q "16 of 16 objects stored" "$work/send.txt" || fail "send: $(cat "$work/send.txt")"
grep -q "not DICOM skipped" "$work/send.txt" || fail "send did not say it skipped the non-DICOM files"
/usr/bin/python3 "$work/bytes.py" orthanc "$rest" $(find "$lidc" -name '*.dcm' | sort) || fail "sent objects changed on the way"

echo "== echo"
"$lb" pacs echo "$node" | grep -q "echo ok" || fail "echo"
set +e
out=$("$lb" pacs echo "WRONG@127.0.0.1:$dicom_port" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "refused the association" <<<"$out" || fail "wrong AE title: rc $rc: $out"
out=$("$lb" pacs echo "ORTHANC@127.0.0.1:$spare_port" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "connection refused" <<<"$out" || fail "closed port: rc $rc: $out"
# A node that accepts the connection and never answers.
/usr/bin/python3 -c "
import socket, time, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $spare_port)); s.listen(5)
c, _ = s.accept(); time.sleep(30)" &
mute_pid=$!
sleep 0.5
start=$(date +%s)
out=$("$lb" pacs echo "ORTHANC@127.0.0.1:$spare_port" --timeout 2 2>&1); rc=$?
took=$(( $(date +%s) - start ))
kill $mute_pid 2>/dev/null; wait $mute_pid 2>/dev/null
[ $rc -eq 1 ] && [ $took -le 20 ] && grep -q "ORTHANC@127.0.0.1:$spare_port" <<<"$out" || fail "silent node: rc $rc after $took s: $out"
out=$("$lb" pacs echo "not a node" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "a bad node name should be a usage error (2), got $rc: $out"
set -e

echo "== nodes"
"$lb" pacs nodes add archive "$node" >/dev/null
"$lb" pacs nodes local LIGHTBOX "$our_port" >/dev/null
"$lb" pacs nodes | grep -q "archive (ORTHANC@127.0.0.1:$dicom_port)" || fail "node list"
"$lb" pacs echo archive | grep -q "echo ok" || fail "echo by name"

echo "== find"
"$lb" pacs find archive --level patient --json >"$work/patients.json"
"$lb" pacs find archive --json >"$work/studies.json"
"$lb" pacs find archive --level series --json >"$work/series.json"
"$lb" pacs find archive --level study --patient-id LIDC-IDRI-0001 --json >"$work/lidc.json"
"$lb" pacs find archive --study-date 20070101-20071231 --json >"$work/popi-date.json"
"$lb" pacs find archive --level series --modality MR --json >"$work/mr.json"
"$lb" pacs find archive --level series >"$work/series.txt"
/usr/bin/python3 - "$work" "$popi" "$lidc" <<'PY' || fail "find results"
import json, os, sys, pydicom, glob
work, popi, lidc = sys.argv[1:]
load = lambda n: json.load(open(os.path.join(work, n)))
p = pydicom.dcmread(sorted(glob.glob(popi + "/*.dcm"))[0], stop_before_pixels=True)
l = pydicom.dcmread(sorted(glob.glob(lidc + "/**/*.dcm", recursive=True))[0], stop_before_pixels=True)
assert len(load("patients.json")) == 2, load("patients.json")
studies = {s["study_instance_uid"]: s for s in load("studies.json")}
assert set(studies) == {p.StudyInstanceUID, l.StudyInstanceUID}, studies.keys()
assert studies[p.StudyInstanceUID]["instances"] == 141 and studies[l.StudyInstanceUID]["instances"] == 16
assert studies[p.StudyInstanceUID]["study_date"] == p.StudyDate and studies[p.StudyInstanceUID]["local"] is False
series = {s["series_instance_uid"]: s for s in load("series.json")}
assert set(series) == {p.SeriesInstanceUID, l.SeriesInstanceUID}, series.keys()
assert series[p.SeriesInstanceUID]["modality"] == "CT" and series[p.SeriesInstanceUID]["instances"] == 141
assert [s["study_instance_uid"] for s in load("lidc.json")] == [l.StudyInstanceUID]
assert [s["study_instance_uid"] for s in load("popi-date.json")] == [p.StudyInstanceUID], load("popi-date.json")
assert load("mr.json") == []
print("find: 2 patients, 2 studies, 2 series; filters by ID, date range and modality hold")
PY
grep -q "141 images" "$work/series.txt" || fail "series text: $(cat "$work/series.txt")"
# DCMTK's findscu asks the same archive: the same studies and series, with the same counts.
mkdir -p "$work/findscu-study" "$work/findscu-series"
findscu -S -aec ORTHANC -X -od "$work/findscu-study" -k QueryRetrieveLevel=STUDY -k StudyInstanceUID= \
  -k NumberOfStudyRelatedInstances= -k PatientID= 127.0.0.1 "$dicom_port" >/dev/null 2>&1 || fail "findscu (study)"
findscu -S -aec ORTHANC -X -od "$work/findscu-series" -k QueryRetrieveLevel=SERIES -k StudyInstanceUID= \
  -k SeriesInstanceUID= -k Modality= -k NumberOfSeriesRelatedInstances= 127.0.0.1 "$dicom_port" >/dev/null 2>&1 ||
  fail "findscu (series)"
/usr/bin/python3 - "$work" <<'PY' || fail "lightbox pacs find and DCMTK's findscu disagree"
import glob, json, os, sys, pydicom
work = sys.argv[1]
theirs = {}
for f in glob.glob(work + "/findscu-study/*"):
    d = pydicom.dcmread(f, force=True)
    theirs[d.StudyInstanceUID] = int(d.NumberOfStudyRelatedInstances)
ours = {s["study_instance_uid"]: s["instances"] for s in json.load(open(os.path.join(work, "studies.json")))}
assert ours == theirs, (ours, theirs)
theirs_series = {}
for f in glob.glob(work + "/findscu-series/*"):
    d = pydicom.dcmread(f, force=True)
    theirs_series[d.SeriesInstanceUID] = (d.Modality, int(d.NumberOfSeriesRelatedInstances))
ours_series = {s["series_instance_uid"]: (s["modality"], s["instances"]) for s in json.load(open(os.path.join(work, "series.json")))}
assert ours_series == theirs_series, (ours_series, theirs_series)
print(f"findscu agrees: {len(theirs)} studies, {len(theirs_series)} series with the same modality and counts")
PY

popi_study=$(/usr/bin/python3 -c "import pydicom,glob; print(pydicom.dcmread(sorted(glob.glob('$popi/*.dcm'))[0]).StudyInstanceUID)")
lidc_study=$(/usr/bin/python3 -c "import pydicom,glob; print(pydicom.dcmread(sorted(glob.glob('$lidc/**/*.dcm', recursive=True))[0]).StudyInstanceUID)")

echo "== get (C-GET), killed first"
# Killed while objects arrive: some, not all, must have come (else the kill tested nothing).
# The kill comes when the first objects are filed (polled, not a fixed delay: a sanitizer build
# takes seconds to start) and 0.3 s later, sooner when the whole study had come by then.
partial=0
for extra in 0.3 0.1 0 0; do
  rm -rf "$store"
  "$lb" pacs get archive --study-uid "$popi_study" --quiet >/dev/null 2>&1 &
  get_pid=$!
  for ((i = 0; i < 1200; i++)); do
    [ "$(find "$store/$popi_study" -name '*.dcm' 2>/dev/null | wc -l)" -gt 0 ] && break
    kill -0 $get_pid 2>/dev/null || break
    sleep 0.05
  done
  sleep "$extra"
  kill -9 $get_pid 2>/dev/null || true
  wait $get_pid 2>/dev/null || true
  partial=$(find "$store/$popi_study" -name '*.dcm' 2>/dev/null | wc -l || true)
  [ "$partial" -gt 0 ] && [ "$partial" -lt 141 ] && break
done
[ "$partial" -gt 0 ] && [ "$partial" -lt 141 ] || fail "no kill landed mid-retrieve ($partial objects)"
echo "killed after $partial objects"
/usr/bin/python3 - "$store/$popi_study" <<'PY' || fail "a killed get left a broken object in the study folder"
import glob, sys, pydicom
for f in glob.glob(sys.argv[1] + "/*.dcm"):
    ds = pydicom.dcmread(f)
    assert len(ds.PixelData) == ds.Rows * ds.Columns * ds.BitsAllocated // 8, f
PY
"$lb" pacs get archive --study-uid "$popi_study" --json >"$work/get.json" || fail "get after the kill"
/usr/bin/python3 - "$work/get.json" "$popi_study" <<'PY' || fail "get result"
import json, sys
g = json.load(open(sys.argv[1]))
assert g["method"] == "get" and g["received"] == 141, (g["method"], g["received"])
assert all(o["study_instance_uid"] == sys.argv[2] for o in g["objects"])
PY
[ "$(find "$store/$popi_study" -name '*.dcm' | wc -l)" -eq 141 ] || fail "not 141 objects in the study folder"
left=$(find "$store/.incoming" -type f | wc -l)
[ "$left" -eq 0 ] || fail "$left half-received objects left in $store/.incoming after the retry"
# Orthanc picks the transfer syntax of each C-GET sub-operation (explicit VR for the implicit VR
# POPI files): the same content as its copy, and the same bytes as getscu receives (bit preserving).
/usr/bin/python3 "$work/bytes.py" orthanc-content "$rest" "$store/$popi_study"/*.dcm || fail "C-GET objects differ from Orthanc's"
mkdir -p "$work/getscu"
getscu -aec ORTHANC +B -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$popi_study" -od "$work/getscu" 127.0.0.1 "$dicom_port" \
  || fail "getscu"
/usr/bin/python3 "$work/bytes.py" dir "$work/getscu" $(ls "$store/$popi_study"/*.dcm | head -20) || fail "differs from getscu's"
"$lb" list --json | /usr/bin/python3 -c "
import json, sys
st = [s for s in json.load(sys.stdin) if s['study_instance_uid'] == '$popi_study']
assert len(st) == 1 and st[0]['series'][0]['files'] == 141, st" || fail "the retrieved study is not in the index"
"$lb" pacs find archive --json | grep -q '"local": true' || fail "find does not mark the retrieved study local"
"$lb" pacs get archive --study-uid "$popi_study" >"$work/get2.txt"
grep -q "received 141 objects (141 were here already, replaced)" "$work/get2.txt" || fail "second get: $(cat "$work/get2.txt")"
[ "$(find "$store/$popi_study" -name '*.dcm' | wc -l)" -eq 141 ] || fail "a second get duplicated objects"
"$lb" info "$store/$popi_study" --json | grep -q '"frames": 141' || fail "the retrieved series does not load"

echo "== a retrieve that times out in the middle, then completes"
# The archive stops answering mid-retrieve (SIGSTOP): the C-GET ends with a timeout after --timeout
# (x6 for a message) naming the node, what arrived stays, and once it answers again a retry completes.
rm -rf "$store/$popi_study"
"$lb" pacs get archive --study-uid "$popi_study" --timeout 1 --quiet >"$work/stalled.txt" 2>&1 &
get_pid=$!
for _ in $(seq 1 1200); do # up to a minute: a sanitizer build starts slowly
  [ "$(find "$store/$popi_study" -name '*.dcm' 2>/dev/null | wc -l)" -ge 5 ] && break
  kill -0 $get_pid 2>/dev/null || break
  sleep 0.05
done
kill -STOP "$ORTHANC_PID"
start=$(date +%s)
set +e
wait $get_pid; rc=$?
set -e
took=$(( $(date +%s) - start ))
kill -CONT "$ORTHANC_PID"
stalled=$(find "$store/$popi_study" -name '*.dcm' | wc -l)
[ $rc -eq 1 ] && [ "$stalled" -lt 141 ] && [ $took -le 30 ] || fail "stalled archive: rc $rc after $took s, $stalled objects: $(cat "$work/stalled.txt")"
grep -q "archive (ORTHANC@127.0.0.1:$dicom_port): C-GET:" "$work/stalled.txt" || fail "the timeout does not name the node: $(cat "$work/stalled.txt")"
grep -q "objects received before that stay in the store" "$work/stalled.txt" || fail "what arrived is not said: $(cat "$work/stalled.txt")"
echo "stalled after $stalled objects, failed in $took s: $(tail -1 "$work/stalled.txt")"
"$lb" pacs get archive --study-uid "$popi_study" --quiet >/dev/null || fail "the retry after the stall"
[ "$(find "$store/$popi_study" -name '*.dcm' | wc -l)" -eq 141 ] || fail "the retry did not complete the study"

echo "== get (C-MOVE)"
"$lb" pacs get archive --study-uid "$lidc_study" --method move --json >"$work/move.json" || fail "C-MOVE get"
/usr/bin/python3 -c "
import json; g = json.load(open('$work/move.json')); assert g['method'] == 'move' and g['received'] == 16, g" || fail "C-MOVE result"
/usr/bin/python3 "$work/bytes.py" orthanc-content "$rest" "$store/$lidc_study"/*.dcm || fail "C-MOVE objects differ"
set +e
out=$("$lb" pacs get archive --study-uid "$lidc_study" --method move --aet STRANGER 2>&1); rc=$?
set -e
[ $rc -eq 1 ] && grep -qi "destination\|refused" <<<"$out" || fail "a C-MOVE to an unknown destination: rc $rc: $out"

echo "== a report (SEG, SR, KOS, Encapsulated PDF) to send back"
source "$(dirname "$0")/../cli/first_report.sh"
first_report "$lb" "$work/phantom" "$work/reports" "$work"
mapfile -t objects < <(find "$work/reports/v1" -name '*.dcm' | sort)
[ "${#objects[@]}" -ge 4 ] || fail "the report has ${#objects[@]} DICOM objects"
phantom_study=$(/usr/bin/python3 -c "import pydicom; print(pydicom.dcmread('${objects[0]}', stop_before_pixels=True).StudyInstanceUID)")

echo "== listen"
"$lb" pacs listen --port "$our_port" --aet LISTENER --store "$work/listened" >"$work/listen.txt" 2>&1 &
listen_pid=$!
for _ in $(seq 1 600); do grep -q "listening" "$work/listen.txt" 2>/dev/null && break; sleep 0.1; done
echoscu -aec LISTENER 127.0.0.1 "$our_port" || fail "echo to the receiver"
storescu -aec LISTENER 127.0.0.1 "$our_port" $(find "$lidc" -name "*.dcm" | sort) || fail "storescu to the receiver"
/usr/bin/python3 - "$work/nostudy.dcm" "$(find "$lidc" -name '*.dcm' | head -1)" <<'PY'
import sys, pydicom
ds = pydicom.dcmread(sys.argv[2])
del ds.StudyInstanceUID
ds.SOPInstanceUID = "1.2.3.4.5.6.7.8.9"
ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
ds.save_as(sys.argv[1], write_like_original=False)
PY
set +e
storescu -v -aec LISTENER 127.0.0.1 "$our_port" "$work/nostudy.dcm" >"$work/nostudy.txt" 2>&1
set -e
# Our sender streams each file's data set as it is and our receiver writes it as it comes: the
# report objects (sequences of undefined length) arrive byte for byte.
"$lb" pacs send "LISTENER@127.0.0.1:$our_port" "$work/reports/v1" >/dev/null || fail "send to our own receiver"
/usr/bin/python3 "$work/bytes.py" dir "$work/listened/$phantom_study" "${objects[@]}" || fail "sent and received bytes differ"
grep -q "Received Store Response (Error" "$work/nostudy.txt" || fail "an object without a Study UID was not refused: $(cat "$work/nostudy.txt")"
sleep 1
kill -TERM $listen_pid
wait $listen_pid || fail "listen did not stop cleanly"
listen_pid=
grep -q "stopped after $((16 + ${#objects[@]})) objects" "$work/listen.txt" || fail "listen: $(tail -3 "$work/listen.txt")"
grep -q "refused 1.2.3.4.5.6.7.8.9 from STORESCU: .*Study Instance UID" "$work/listen.txt" || fail "listen did not say why it refused"
[ "$(find "$work/listened/$lidc_study" -name '*.dcm' | wc -l)" -eq 16 ] || fail "listen did not file 16 objects"
! find "$work/listened" -name '1.2.3.4.5.6.7.8.9*' | grep -q . || fail "the refused object was kept"
# storescu parses and writes each object again (sequence lengths change): compare the pixels and UIDs.
/usr/bin/python3 - "$lidc" "$work/listened/$lidc_study" <<'PY' || fail "listened objects differ from the sent ones"
import glob, sys, pydicom
src = {}
for f in glob.glob(sys.argv[1] + "/**/*.dcm", recursive=True):
    ds = pydicom.dcmread(f); src[ds.SOPInstanceUID] = ds
for f in glob.glob(sys.argv[2] + "/*.dcm"):
    ds = pydicom.dcmread(f)
    assert ds.PixelData == src[ds.SOPInstanceUID].PixelData and ds.SeriesInstanceUID == src[ds.SOPInstanceUID].SeriesInstanceUID, f
PY

echo "== send to DCMTK's storescp"
# The other direction's cross-check: our C-STORE SCU to DCMTK's storage SCP (bit preserving), the
# LIDC slab: the data set bytes storescp wrote equal the files sent.
mkdir -p "$work/storescp"
storescp --aetitle STORESCP +B -od "$work/storescp" "$spare_port" >"$work/storescp.log" 2>&1 &
storescp_pid=$!
up=0
for _ in $(seq 1 50); do echoscu -aec STORESCP 127.0.0.1 "$spare_port" >/dev/null 2>&1 && { up=1; break; }; sleep 0.1; done
[ "$up" = 1 ] || { kill "$storescp_pid" 2>/dev/null; fail "storescp did not start on port $spare_port: $(cat "$work/storescp.log")"; }
"$lb" pacs send "STORESCP@127.0.0.1:$spare_port" "$lidc" >"$work/send-storescp.txt" ||
  { kill "$storescp_pid"; fail "pacs send to storescp: $(cat "$work/send-storescp.txt")"; }
kill "$storescp_pid"; wait "$storescp_pid" 2>/dev/null || true
grep -q "16 of 16 objects stored" "$work/send-storescp.txt" || fail "send to storescp: $(cat "$work/send-storescp.txt")"
/usr/bin/python3 "$work/bytes.py" dir "$work/storescp" $(find "$lidc" -name '*.dcm' | sort) || fail "storescp received other bytes"

echo "== report objects sent back to Orthanc"
"$lb" pacs send archive "$work/reports/v1" >"$work/send-report.txt" || fail "sending the report: $(cat "$work/send-report.txt")"
grep -q "${#objects[@]} of ${#objects[@]} objects stored" "$work/send-report.txt" || fail "report send: $(cat "$work/send-report.txt")"
# Orthanc parses what it receives and writes sequences with explicit lengths: every element equal.
/usr/bin/python3 "$work/bytes.py" orthanc-content "$rest" "${objects[@]}" || fail "report objects changed on the way"
echo "PASS"
