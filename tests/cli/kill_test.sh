#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Kill tests (issue 25, item 3), the real processes killed with SIGKILL at random points:
#  1. review decisions: `lightbox review --accept/--reject` killed N times (default 200) at random
#     moments; after every kill the review opens (`lightbox review --json`), no decision reported
#     saved (exit 0) is lost, a finding is in its last reported state or in the state the killed
#     process was writing, and nothing was moved aside as unreadable (never a half file);
#  2. index import: `lightbox import` of a real series killed N times; after every kill `lightbox
#     list --json` reads the index, and a final import completes with every file.
# usage: kill_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR [N]
set -euo pipefail
lb=${1:?usage: kill_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR [N]}
data=${2:?usage: kill_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR [N]}
rounds=${3:-200}
fail() { echo "FAIL: $*" >&2; exit 1; }
slab=$data/ct/chest_lidc-idri-0001_nodule_slab/dicom
[ -d "$slab" ] || fail "test data missing: $slab"
[ -x "$lb" ] || fail "lightbox binary missing: $lb"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/share LIGHTBOX_ANNOTATIONS=$work/annotations LIGHTBOX_INDEX=$work/index.sqlite
mkdir -p "$HOME"

"$lb" detect "$slab" --json "$work/det.json" --fp-per-scan 8 >/dev/null
"$lb" review "$slab" --import "$work/det.json" --fp-per-scan 8 >/dev/null
ids=$("$lb" review "$slab" --json | python3 -c "import json,sys; print(' '.join(f['id'] for f in json.load(sys.stdin)['findings'] if f['at_operating_point']))")
[ -n "$ids" ] || fail "no findings to decide on"
read -r -a findings <<<"$ids"
echo "== review decisions: $rounds kills over ${#findings[@]} findings"
declare -A saved   # the last state a process said it saved (exit 0)
declare -A maybe   # a state a killed process may have written
completed=0 killed=0
for ((r = 0; r < rounds; r++)); do
  id=${findings[RANDOM % ${#findings[@]}]}
  if ((RANDOM % 2)); then action=(--accept "$id"); state=accepted; else action=(--reject "$id" --reason "kill test"); state=rejected; fi
  "$lb" review "$slab" "${action[@]}" >/dev/null 2>"$work/err" &
  pid=$!
  sleep "$(printf "0.%03d" $((RANDOM % 40)))"
  if kill -9 $pid 2>/dev/null; then
    wait $pid 2>/dev/null || true
    maybe[$id]="${maybe[$id]:-} $state"
    killed=$((killed + 1))
  else
    wait $pid || fail "review exited non-zero without a kill: $(cat "$work/err")"
    saved[$id]=$state
    maybe[$id]=""
    completed=$((completed + 1))
  fi
  "$lb" review "$slab" --json >"$work/review.json" 2>"$work/err" || fail "round $r: the review does not open: $(cat "$work/err")"
  grep -q "moved" "$work/err" && fail "round $r: the review was unreadable after a kill: $(cat "$work/err")"
  python3 - "$work/review.json" "$r" "$(declare -p saved)" "$(declare -p maybe)" <<'EOF'
import json, re, sys
review = json.load(open(sys.argv[1]))
def assoc(text):
    return dict(re.findall(r'\[([^\]]+)\]="([^"]*)"', text))
saved, maybe = assoc(sys.argv[3]), assoc(sys.argv[4])
states = {f["id"]: f["state"] for f in review["findings"]}
for fid, state in saved.items():
    allowed = {state} | set(maybe.get(fid, "").split())
    assert states[fid] in allowed, f"round {sys.argv[2]}: {fid} is {states[fid]}, saved as {state} (or {maybe.get(fid)})"
EOF
done
ls "$LIGHTBOX_ANNOTATIONS" | grep -q unreadable && fail "a review was moved aside as unreadable"
echo "review: $killed killed, $completed completed, every saved decision kept, never a half file"

echo "== index import: $rounds kills"
for ((r = 0; r < rounds; r++)); do
  "$lb" import "$slab" --quiet >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf "0.%03d" $((RANDOM % 120)))"
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  "$lb" list --json >"$work/list.json" 2>"$work/err" || fail "round $r: the index cannot be read after a kill: $(cat "$work/err")"
  python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$work/list.json" || fail "round $r: list --json is not JSON"
done
"$lb" import "$slab" --quiet >"$work/import.txt" 2>&1 || fail "the import after the kills failed: $(cat "$work/import.txt")"
files=$(python3 -c "import json,sys; print(sum(se['files'] for st in json.load(open(sys.argv[1])) for se in st['series']))" <("$lb" list --json))
[ "$files" = 16 ] || fail "the index holds $files files of the slab's 16 after the kills"
echo "import: $rounds kills, the index always readable, then complete (16 files)"
echo "PASS"
