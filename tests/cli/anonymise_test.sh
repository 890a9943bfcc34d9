#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 27: `lightbox anonymise` (PS3.15 Basic Application Level Confidentiality Profile) on the
# LIDC slab and a reviewed phantom study with its report (SEG, SR, KOS, Encapsulated PDF):
#  - a tag scan of every output (pydicom, nested sequences included) finds none of the source's
#    identifying values (patient name and ID, birth date, accession, institution, physicians,
#    station, study ID) and no private attribute; dates are the dummy; de-identification is declared;
#  - every UID of an instance differs from the source's, and every reference of the SEG, SR and
#    KOS (series, instances, frame of reference) resolves to an output object;
#  - pixel data equal; the SEG and SR still pass dciodvfy without errors;
#  - --shift-days moves every date by N days, --keep-dates keeps them; --mapping reuses the same
#    UIDs in a second run (consistent across runs), and without it two runs differ;
#  - no DICOM at all: exit 3; bad arguments: exit 2.
# usage: anonymise_test.sh LIGHTBOX_BINARY SHARED_DATA
set -euo pipefail
lb=${1:?usage: anonymise_test.sh LIGHTBOX_BINARY SHARED_DATA}
data=${2:?usage: anonymise_test.sh LIGHTBOX_BINARY SHARED_DATA}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v dciodvfy >/dev/null || fail "dciodvfy (dicom3tools) is needed"
/usr/bin/python3 -c "import pydicom" || fail "pydicom (python3-pydicom) is needed"
lidc=$data/ct/chest_lidc-idri-0001_nodule_slab
[ -d "$lidc" ] || fail "missing test data: $lidc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/share LIGHTBOX_ANNOTATIONS=$work/annotations LIGHTBOX_INDEX=$work/index.sqlite
mkdir -p "$HOME"
source "$(dirname "$0")/first_report.sh"
first_report "$lb" "$work/phantom" "$work/reports" "$work"
# Identifying values the phantom lacks, put into a copy of the LIDC slab (and a private element).
/usr/bin/python3 - "$lidc" "$work/lidc" <<'PY'
import glob, os, sys, pydicom
src, dst = sys.argv[1:]
os.makedirs(dst)
for i, f in enumerate(sorted(glob.glob(src + "/**/*.dcm", recursive=True))):
    ds = pydicom.dcmread(f)
    ds.PatientName = "DOE^JANE^Q"; ds.PatientBirthDate = "19510704"; ds.InstitutionName = "ST ELSEWHERE HOSPITAL"
    ds.ReferringPhysicianName = "HOUSE^GREGORY"; ds.StationName = "CTSTATION7"; ds.StudyID = "S12345"
    ds.OperatorsName = "SMITH^OPERATOR"; ds.PatientAge = "072Y"; ds.OtherPatientIDsSequence = []
    ds.add_new(0x00091010, "LO", "PRIVATE-SECRET-VALUE")
    ds.StudyDescription = "CHEST JANE DOE FOLLOWUP"
    ds.add_new(0x00101000, "LO", "OTHERID-778899"); ds.MedicalAlerts = "PENICILLIN ALLERGY JD"
    ds.PerformedStationName = "PERFSTATION-9"; ds.AcquisitionDateTime = "20070208143027.5"
    ds.add_new(0x00181200, "DA", ["20070101", "20070201"])  # Date of Last Calibration, two values
    ds.file_meta.SourceApplicationEntityTitle = "SECRETAE"
    # Attributes beyond the first table: free text, a responsible person, a PN no rule names.
    ds.add_new(0x00184000, "LT", "ACQ COMMENT JANE DOE"); ds.add_new(0x00324000, "LT", "STUDY COMMENT JANE DOE")
    ds.add_new(0x00321030, "LO", "REASON JANE DOE"); ds.add_new(0x00102297, "PN", "RESPONSIBLE^PERSON")
    ds.add_new(0x00400006, "PN", "SCHEDULED^PHYSICIAN"); ds.add_new(0x0008009C, "PN", "CONSULTING^DOCTOR")
    ds.add_new(0x00402008, "PN", "ORDER^ENTERER")  # Order Entered By: in no rule, caught as a PN
    ds.save_as(os.path.join(dst, f"{i:03d}.dcm"))
PY
"$lb" anonymise "$work/lidc" "$work/phantom" "$work/reports/v1" -o "$work/out" --mapping "$work/map.csv" >"$work/run1.txt" \
  || fail "anonymise: $(cat "$work/run1.txt")"
grep -q "objects anonymised" "$work/run1.txt" || fail "no summary: $(cat "$work/run1.txt")"
grep -q "report-pdf.dcm: skipped: an encapsulated document" "$work/run1.txt" || fail "the report's PDF was not said to be left out"
[ "$(stat -c %a "$work/map.csv")" = 600 ] || fail "the mapping file is readable by others: $(stat -c %a "$work/map.csv")"
/usr/bin/python3 - "$work" <<'PY' || fail "the anonymised objects"
import glob, os, sys, pydicom
work = sys.argv[1]
def load(root):
    out = {}
    for f in glob.glob(root + "/**/*", recursive=True):
        if os.path.isfile(f):
            try: out[f] = pydicom.dcmread(f)
            except Exception: pass
    return out
src = {**load(work + "/lidc"), **load(work + "/phantom"), **load(work + "/reports/v1")}
out = load(work + "/out")
# Encapsulated documents (the report's PDF names the patient in its compressed text) are left out.
documents = [f for f, d in src.items() if d.SOPClassUID.startswith("1.2.840.10008.5.1.4.1.1.104.")]
assert len(documents) == 1, documents
# Their replacement UIDs (from the mapping): a KOS or SR of the run may still point at them.
mapping = {}
for line in open(work + "/map.csv").read().splitlines()[1:]:
    kind, original, replacement = line.split(",")[0], line.split(",")[1], line.split(",")[-1]
    if kind == "uid": mapping[original] = replacement
left_out = set()
for f in documents:
    left_out |= {mapping[src[f].SOPInstanceUID], mapping[src[f].SeriesInstanceUID]}
    del src[f]
assert len(out) == len(src), (len(out), len(src))
assert not any(d.SOPClassUID.startswith("1.2.840.10008.5.1.4.1.1.104.") for d in out.values())
secrets = set()
for ds in src.values():
    for kw in ("PatientName", "PatientID", "PatientBirthDate", "AccessionNumber", "InstitutionName",
               "ReferringPhysicianName", "StationName", "StudyID", "OperatorsName", "PatientAge"):
        v = str(ds.get(kw, "") or "")
        if len(v) >= 4: secrets.add(v)
for v in ("PRIVATE-SECRET-VALUE", "CHEST JANE DOE FOLLOWUP", "OTHERID-778899", "PENICILLIN ALLERGY JD",
          "PERFSTATION-9", "SECRETAE", "ACQ COMMENT JANE DOE", "STUDY COMMENT JANE DOE", "REASON JANE DOE",
          "RESPONSIBLE^PERSON", "SCHEDULED^PHYSICIAN", "CONSULTING^DOCTOR", "ORDER^ENTERER"):
    secrets.add(v)
src_uids = set()
for ds in src.values():
    src_uids |= {ds.SOPInstanceUID, ds.SeriesInstanceUID, ds.StudyInstanceUID, str(ds.get("FrameOfReferenceUID", ""))}
src_uids.discard("")
by_sop = {}
for f, ds in out.items():
    raw = open(f, "rb").read()
    for s in secrets:
        assert s.encode() not in raw, f"{s!r} left in {f}"
    def walk(d):
        for e in d:
            assert not e.tag.is_private, f"private {e.tag} in {f}"
            if e.VR == "SQ":
                for it in e.value: walk(it)
            elif e.VR in ("DA", "DT", "TM") and e.value:
                values = list(e.value) if e.VM > 1 else [e.value]
                want = {"DA": "19000101", "DT": "19000101000000", "TM": "000000"}[e.VR]
                assert all(str(v) == want for v in values), (f, e)
            elif e.VR == "UI" and e.value in src_uids: raise AssertionError(f"source UID {e.value} kept in {f} {e.tag}")
    walk(ds)
    assert ds.PatientIdentityRemoved == "YES" and ds.DeidentificationMethodCodeSequence[0].CodeValue == "113100"
    assert ds.PatientName.family_name == "ANONYMOUS" and ds.PatientID.startswith("ANON-") and ds.PatientBirthDate == ""
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert "SourceApplicationEntityTitle" not in ds.file_meta, f"source AE title kept in {f}"
    by_sop[ds.SOPInstanceUID] = ds
# Pixels equal, matched by position in the (sorted) instance order of each series: the same number of
# objects per modality, and the same pixel bytes as a multiset.
src_pixels = sorted(bytes(d.PixelData) for d in src.values() if "PixelData" in d)
out_pixels = sorted(bytes(d.PixelData) for d in out.values() if "PixelData" in d)
assert src_pixels == out_pixels, "pixel data changed"
# Every reference of the SEG, SR and KOS resolves.
frames = {str(d.get("FrameOfReferenceUID", "")) for d in out.values()}
series = {d.SeriesInstanceUID for d in out.values()}
refs = 0
def refwalk(d, where):
    global refs
    for e in d:
        if e.VR != "SQ":
            continue
        for it in e.value:
            if "ReferencedSOPInstanceUID" in it and it.ReferencedSOPInstanceUID not in left_out:
                assert it.ReferencedSOPInstanceUID in by_sop, f"{where}: {it.ReferencedSOPInstanceUID} does not resolve"
                refs += 1
            if "SeriesInstanceUID" in it and e.keyword in ("ReferencedSeriesSequence", "CurrentRequestedProcedureEvidenceSequence"):
                assert it.SeriesInstanceUID in series or it.SeriesInstanceUID in left_out, f"{where}: series {it.SeriesInstanceUID}"
            refwalk(it, where)
for f, d in out.items():
    if d.Modality in ("SEG", "SR", "KO", "DOC"):
        refwalk(d, f)
        if "FrameOfReferenceUID" in d: assert d.FrameOfReferenceUID in frames
assert refs > 20, refs
print(f"{len(out)} objects: no identifier, no private attribute, dummy dates, {refs} references resolve, pixels equal")
PY
for f in $(/usr/bin/python3 -c "
import glob, pydicom
for f in glob.glob('$work/out/**/*.dcm', recursive=True):
    if pydicom.dcmread(f, stop_before_pixels=True).Modality in ('SEG', 'SR'): print(f)"); do
  out=$(dciodvfy "$f" 2>&1 || true)
  ! grep -q "^Error" <<<"$out" || fail "dciodvfy on $f: $(grep '^Error' <<<"$out" | head -3)"
done

echo "== mapping reused: the same UIDs; no mapping: other UIDs"
"$lb" anonymise "$work/lidc" -o "$work/out2" --mapping "$work/map.csv" >/dev/null
"$lb" anonymise "$work/lidc" -o "$work/out3" >/dev/null
lidc_out=$(ls "$work/out2")
[ -d "$work/out/$lidc_out" ] || fail "a second run with the mapping gave another study UID"
[ ! -d "$work/out3/$lidc_out" ] || fail "a run without a mapping reused the UIDs"

echo "== dates: shifted and kept"
"$lb" anonymise "$work/lidc" -o "$work/shift" --shift-days 10 >/dev/null
"$lb" anonymise "$work/lidc" -o "$work/keep" --keep-dates --keep-descriptions >/dev/null
/usr/bin/python3 - "$work" <<'PY' || fail "date options"
import glob, sys, pydicom, datetime
work = sys.argv[1]
src = pydicom.dcmread(sorted(glob.glob(work + "/lidc/*.dcm"))[0])
s = pydicom.dcmread(glob.glob(work + "/shift/**/*.dcm", recursive=True)[0])
k = pydicom.dcmread(glob.glob(work + "/keep/**/*.dcm", recursive=True)[0])
d0 = datetime.datetime.strptime(src.StudyDate, "%Y%m%d")
assert datetime.datetime.strptime(s.StudyDate, "%Y%m%d") - d0 == datetime.timedelta(days=10), (src.StudyDate, s.StudyDate)
assert s.LongitudinalTemporalInformationModified == "MODIFIED" and s.PatientBirthDate == ""
assert k.StudyDate == src.StudyDate and k.LongitudinalTemporalInformationModified == "UNMODIFIED"
assert list(s[0x00181200].value) == ["20070111", "20070211"], s[0x00181200].value  # every value shifted
assert str(s.AcquisitionDateTime) == "20070218143027.5", s.AcquisitionDateTime
assert k.StudyDescription == src.StudyDescription and "StudyDescription" not in s
print("dates shifted by 10 days / kept; descriptions kept only when asked")
PY

echo "== a mapping made with another date shift is refused"
"$lb" anonymise "$work/lidc" -o "$work/s1" --shift-days 5 --mapping "$work/shift.csv" >/dev/null
set +e
out=$("$lb" anonymise "$work/lidc" -o "$work/s2" --shift-days 6 --mapping "$work/shift.csv" 2>&1); rc=$?
set -e
[ $rc -eq 1 ] && grep -q "made with --shift-days 5" <<<"$out" || fail "another shift with the same mapping: rc $rc: $out"

echo "== errors"
set +e
mkdir -p "$work/empty"; echo text >"$work/empty/a.txt"
"$lb" anonymise "$work/empty" -o "$work/none" >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] || fail "no DICOM: exit $rc, expected 3"
"$lb" anonymise "$work/lidc" -o "$work/x" --keep-dates --shift-days 3 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "--keep-dates with --shift-days: exit $rc, expected 2"
"$lb" anonymise "$work/nowhere" -o "$work/x" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || fail "a missing source: exit $rc, expected 1"
set -e
echo "PASS"
