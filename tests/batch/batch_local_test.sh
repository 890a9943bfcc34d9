#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `lightbox batch` end to end on this machine (issue 29), the real binary as a user runs it:
#  1. every CT series of the shared data plus a synthetic patient with a prior and a follow-up,
#     all steps, --jobs 2: chest CTs done, the head CT and single images skipped with a reason,
#     the follow-up registered to its prior (growth in findings.csv), AI draft reports (PDF titled
#     so, SR PARTIAL and UNVERIFIED), the findings in the series' review marked as a batch pre-read;
#  2. a second run does nothing (no worker started) in seconds; `batch status --json` has the
#     contract's fields for every series;
#  3. a changed input file: only that series runs again;
#  4. kill -9 of the whole batch (orchestrator and workers) at random points, rerun until done:
#     the findings equal those of the uninterrupted run.
# Missing data or tools fail the test.
# usage: batch_local_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR
set -euo pipefail
lb=${1:?usage: batch_local_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR}
data=${2:?usage: batch_local_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$lb" ] || fail "lightbox binary missing: $lb"
for d in chest_4dct_popi_phase00 chest_lidc-idri-0001_nodule_slab chest_cptac-luad_c3n-00247_contrast head_ge_gantry_tilt_variable_spacing; do
  [ -d "$data/ct/$d" ] || fail "test data missing: $data/ct/$d"
done
for tool in dcmdump pdftotext python3; do command -v $tool >/dev/null || fail "$tool missing"; done

work=$(mktemp -d)
trap 'pkill -9 -f "batch run $work" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME=$work/home XDG_CACHE_HOME=$work/cache XDG_DATA_HOME=$work/share
unset LIGHTBOX_ANNOTATIONS
mkdir -p "$HOME" "$work/patient"
"$lb" make-phantom "$work/patient/prior" --study-date 20250101 >/dev/null
"$lb" make-phantom "$work/patient/followup" --study-date 20260101 >/dev/null

echo "== 1. first run"
set +e
"$lb" batch "$data/ct" "$work/patient" -o "$work/out" --jobs 2 >"$work/run1.log" 2>&1
rc=$?
set -e
cat "$work/run1.log"
[ $rc -eq 0 ] || fail "first run exited $rc"
"$lb" batch status "$work/out" --json >"$work/status1.json"
python3 - "$work/status1.json" "$work/out" <<'EOF'
import csv, json, sys
status = json.load(open(sys.argv[1]))
out = sys.argv[2]
rows = status
by_path = {}
for r in rows:
    for key in ("series_uid", "path", "state", "reason", "steps", "findings", "seconds"):
        assert key in r, f"status entry lacks {key}: {r}"
    by_path[r["path"]] = r
def one(fragment):
    hits = [r for p, r in by_path.items() if fragment in p]
    assert len(hits) == 1, f"{fragment}: {len(hits)} series"
    return hits[0]
for chest in ("chest_4dct_popi", "chest_lidc-idri-0001", "chest_cptac-luad", "patient/prior", "patient/followup"):
    r = one(chest)
    assert r["state"] == "done", f"{chest}: {r['state']} {r['reason']}"
    assert r["steps"] == ["detect", "segment", "register", "report"], r["steps"]
head = one("head_ge_gantry")
assert head["state"] == "skipped" and "no lungs" in head["reason"], head
lidc = one("chest_lidc-idri-0001")
assert lidc["findings"] >= 1
# Issue 24: a finding at the operating point is sized on the lesion engine's mask when detected,
# the mask the report makes: none is dropped for differing from the AI's size, each has its mask's
# measurements in the CSV. (Dropping a mask more than 2x off a profile size: tests/report.)
dropped = [n for n in lidc["notes"] if "differs from the AI's size" in n]
assert not dropped, lidc["notes"]
follow = one("patient/followup")
assert follow["findings"] >= 5, follow
assert any(n.startswith("register: prior 20250101") for n in follow["notes"]), follow["notes"]
assert any(n.startswith("register: no earlier study") for n in one("patient/prior")["notes"])
findings = list(csv.DictReader(open(f"{out}/findings.csv")))
lidc_rows = [f for f in findings if f["series_uid"] == lidc["series_uid"]]
assert lidc_rows and all(f["mask_volume_ml"] != "" for f in lidc_rows), lidc_rows
growth = [f["growth"] for f in findings if f["study_date"] == "20260101"]
assert growth and all(g == "stable" for g in growth), growth  # the same phantom a year apart
assert sum(1 for f in findings if f["series_uid"] == follow["series_uid"]) == follow["findings"]
summary = list(csv.DictReader(open(f"{out}/summary.csv")))
assert len(summary) == len(rows)
print("status ok:", {r["state"] for r in rows}, len(rows), "series,", len(findings), "findings")
EOF

follow_uid=$(python3 -c "import json,sys; print([r['series_uid'] for r in json.load(open('$work/status1.json')) if 'patient/followup' in r['path']][0])")
report=$work/out/series/$follow_uid/report/v1
[ -f "$report/report.pdf" ] || fail "no draft report in $report"
# (grep on a variable: with pipefail, grep -q closing a pipe early fails the pipeline)
pdf_text=$(pdftotext "$report/report.pdf" -)
grep -q "AI draft, not reviewed" <<<"$pdf_text" || fail "the draft PDF does not say it is an AI draft"
sr_flags=$(dcmdump +P 0040,a491 +P 0040,a493 "$report/sr.dcm")
grep -q PARTIAL <<<"$sr_flags" || fail "the draft SR is not PARTIAL: $sr_flags"
grep -q UNVERIFIED <<<"$sr_flags" || fail "the draft SR is not UNVERIFIED: $sr_flags"
python3 -c "import json; j=json.load(open('$report/report.json')); assert j['ai_draft'] is True and j['reader'] == ''"
# The reader's review of the series holds the pre-read as proposals, marked as a batch run.
"$lb" review "$work/patient/followup" --json >"$work/review.json"
python3 - "$work/review.json" "$work/out" <<'EOF'
import json, os, sys
r = json.load(open(sys.argv[1]))
assert r["model"]["source"]["kind"] == "batch", r["model"]
assert os.path.samefile(r["model"]["source"]["folder"], sys.argv[2])
assert r["findings"] and all(f["state"] == "proposed" for f in r["findings"]), "the pre-read decided for the reader"
print("review ok:", len(r["findings"]), "proposals from the batch")
EOF

echo "== 2. second run: nothing to do"
start=$(date +%s.%N)
"$lb" batch "$data/ct" "$work/patient" -o "$work/out" --jobs 2 >"$work/run2.log" 2>&1 || fail "second run failed: $(cat "$work/run2.log")"
seconds=$(python3 -c "import time; print(round(time.time() - $start, 2))")
head -1 "$work/run2.log"
grep -q " 0 to run" "$work/run2.log" || fail "the second run did work: $(head -1 "$work/run2.log")"
python3 -c "import sys; sys.exit(0 if $seconds < 20 else 1)" || fail "the second run took $seconds s"
echo "second run: $seconds s"

echo "== 3. a changed input: only that series again"
cp -r "$work/patient/prior" "$work/patient2"
"$lb" batch "$work/patient2" -o "$work/out3" --steps detect >/dev/null 2>&1 || fail "run on the copy failed"
touch "$(ls "$work"/patient2/*.dcm | head -1)"
"$lb" batch "$work/patient2" -o "$work/out3" --steps detect >"$work/run3.log" 2>&1 || fail "rerun on the copy failed"
grep -q " 1 to run" "$work/run3.log" || fail "a changed file did not rerun its series: $(head -1 "$work/run3.log")"

echo "== 4. kill -9 at random points, rerun, same findings"
inputs=("$data/ct/chest_lidc-idri-0001_nodule_slab" "$data/ct/chest_cptac-luad_c3n-00247_contrast" "$work/patient")
cut_short=0
for attempt in 1 2 3; do
  "$lb" batch "${inputs[@]}" -o "$work/killed" --jobs 2 >>"$work/killed.log" 2>&1 &
  batch=$!
  sleep "$(python3 -c "import random; print(round(random.uniform(2, 6), 1))")"
  kill -9 $batch 2>/dev/null || true
  pkill -9 -f "batch run $work/killed" 2>/dev/null || true # its workers too: the machine went down
  wait $batch 2>/dev/null || true
  # Did this kill catch a worker mid-series? (its state says interrupted)
  if "$lb" batch status "$work/killed" --json 2>/dev/null | python3 -c "
import json, sys
sys.exit(0 if any(r['interrupted'] for r in json.load(sys.stdin)) else 1)"; then
    cut_short=$((cut_short + 1))
  fi
  echo "killed attempt $attempt"
done
"$lb" batch status "$work/killed" || true
[ "$cut_short" -ge 1 ] || fail "no kill caught a worker mid-series: this part tested nothing"
"$lb" batch "${inputs[@]}" -o "$work/killed" --jobs 2 >"$work/killed-final.log" 2>&1 || fail "the run after the kills failed: $(cat "$work/killed-final.log")"
# The uninterrupted run with a review store and index of its own.
HOME=$work/home-clean XDG_DATA_HOME=$work/share-clean LIGHTBOX_ANNOTATIONS=$work/annotations-clean \
  "$lb" batch "${inputs[@]}" -o "$work/clean" --jobs 2 >"$work/clean.log" 2>&1 || fail "the uninterrupted run failed"
python3 - "$work/killed" "$work/clean" <<'EOF'
import csv, json, sys
def load(folder):
    rows = list(csv.DictReader(open(f"{folder}/findings.csv")))
    return sorted((r["series_uid"], r["finding"], r["score"], r["type"], r["ai_diameter_mm"], r["mask_volume_ml"], r["growth"]) for r in rows)
killed, clean = load(sys.argv[1]), load(sys.argv[2])
assert killed == clean, "findings differ after kill -9:\n only after the kills: %s\n only uninterrupted: %s" % (
    sorted(set(killed) - set(clean)), sorted(set(clean) - set(killed)))
for folder in sys.argv[1:]:
    for r in csv.DictReader(open(f"{folder}/summary.csv")):
        assert r["state"] == "done", r
print("after kill -9:", len(killed), "findings, equal to the uninterrupted run")
EOF
echo "PASS"
