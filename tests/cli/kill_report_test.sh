#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Kill test of `lightbox report` (issue 25, item 3): the real command killed with SIGKILL N times
# (default 200) at random moments, three in four of them in the last 40 % of its run, where it
# writes the SEG, SR, PDF, Encapsulated PDF and KOS one after the other. After every kill:
#  - every version folder v<N> is whole: report.json reads, every object it lists is there and
#    reads with pydicom (a version appears only by the rename of a finished folder);
#  - the review still opens, with every decision as it was;
#  - after the next run that completes, no temporary folder (v<N>.partial-<pid>@<host>) and no temporary
#    review file of a killed process is left: the next run needs no manual repair.
# At the end one more report completes; there is a version for every completed run and at most one
# more for each killed one (killed after its rename).
# usage: kill_report_test.sh LIGHTBOX_BINARY [N]
set -euo pipefail
lb=${1:?usage: kill_report_test.sh LIGHTBOX_BINARY [N]}
rounds=${2:-200}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$lb" ] || fail "lightbox binary missing: $lb"
/usr/bin/python3 -c "import pydicom" || fail "pydicom (python3-pydicom) is needed to read the objects back"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/share LIGHTBOX_ANNOTATIONS=$work/annotations LIGHTBOX_INDEX=$work/index.sqlite
mkdir -p "$HOME"
study=$work/phantom
out=$work/reports

source "$(dirname "$0")/first_report.sh"
first_report "$lb" "$study" "$out" "$work"
seconds=$FIRST_REPORT_SECONDS
"$lb" review "$study" --json >"$work/review-before.json"
echo "== report: $rounds kills; one run takes ${seconds} s here"

check() { # round, whether the last run completed
  /usr/bin/python3 - "$out" "$work/review-before.json" "$work/review.json" "$1" "$2" "$LIGHTBOX_ANNOTATIONS" <<'PY'
import json, os, re, sys
import pydicom
out, before, now, rnd, completed, annotations = sys.argv[1:]
checked = set(open(os.path.join(os.path.dirname(out), "checked")).read().split()) if os.path.exists(os.path.join(os.path.dirname(out), "checked")) else set()
for name in sorted(os.listdir(out)):
    path = os.path.join(out, name)
    if re.fullmatch(r"v\d+", name):
        if name in checked: continue
        j = json.load(open(os.path.join(path, "report.json")))
        assert j["version"] == int(name[1:]), f"round {rnd}: {name}/report.json says version {j['version']}"
        for o in j["objects"]:
            ds = pydicom.dcmread(os.path.join(path, o["file"]))
            assert ds.SOPInstanceUID == o["sop_instance_uid"], f"round {rnd}: {name}/{o['file']} is another object"
        for f in ("report.pdf",):
            with open(os.path.join(path, f), "rb") as pdf:
                data = pdf.read()
            assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:], f"round {rnd}: {name}/{f} is cut short"
        checked.add(name)
    elif re.fullmatch(r"v\d+\.partial-\d+@[A-Za-z0-9_-]*", name):
        assert completed != "1", f"round {rnd}: {name} left after a run that completed"
    else:
        raise AssertionError(f"round {rnd}: unexpected entry {name} in the report folder")
open(os.path.join(os.path.dirname(out), "checked"), "w").write(" ".join(sorted(checked)))
b, n = json.load(open(before)), json.load(open(now))
states = lambda r: {f["id"]: f["state"] for f in r["findings"]}
assert states(b) == states(n), f"round {rnd}: the review's decisions changed: {states(b)} -> {states(n)}"
left = [f for f in os.listdir(annotations) if ".tmp." in f or "unreadable" in f]
if completed == "1":
    assert not left, f"round {rnd}: left in the annotation folder after a completed run: {left}"
PY
}

completed=1 killed=0
for ((r = 0; r < rounds; r++)); do
  delay=$(python3 -c "import random,sys; t=float(sys.argv[1]); print(round(random.uniform(0, t) if random.random() < 0.25 else random.uniform(0.6 * t, 1.1 * t), 3))" "$seconds")
  "$lb" report "$study" -o "$out" >/dev/null 2>"$work/err" &
  pid=$!
  sleep "$delay"
  if kill -9 $pid 2>/dev/null; then
    wait $pid 2>/dev/null || true
    killed=$((killed + 1)); last=0
  else
    wait $pid || fail "round $r: report exited non-zero without a kill: $(tail -3 "$work/err")"
    completed=$((completed + 1)); last=1
  fi
  "$lb" review "$study" --json >"$work/review.json" 2>"$work/err" || fail "round $r: the review does not open: $(cat "$work/err")"
  check "$r" "$last" || fail "round $r"
done
"$lb" report "$study" -o "$out" >"$work/last.txt" 2>&1 || fail "the report after the kills failed: $(tail -3 "$work/last.txt")"
completed=$((completed + 1))
check final 1 || fail "after the last report"
versions=$(ls "$out" | grep -cE '^v[0-9]+$')
# A run killed after its rename (while it prints or exits) leaves a whole version too.
[ "$versions" -ge "$completed" ] && [ "$versions" -le $((completed + killed)) ] ||
  fail "$versions versions for $completed completed and $killed killed runs"
echo "report: $killed killed, $completed completed, $versions versions (each whole, read back by pydicom; $((versions - completed)) finished by a run killed after its rename); no temporary left after a completed run"
echo "PASS"
