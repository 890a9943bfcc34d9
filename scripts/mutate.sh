#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Mutation check (issue 25): plants small, plausible bugs one at a time in a copy of the code and
# shows that the tests catch each. Not CI (it rebuilds once per mutation): run it like a benchmark.
#   scripts/mutate.sh [OUT.tsv]      every mutation below
#   MUTATIONS="3 7" scripts/mutate.sh   only those (1-based)
# Each line of scripts/mutations.txt: file @@ text @@ replacement @@ test command (run in the build folder; it
# must FAIL with the mutation and pass without). The copy lives in /tmp; the working tree is never
# touched. Prints one line per mutation: caught / MISSED, and the command that caught it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
data=${LIGHTBOX_SHARED_DATA:-$here/../shared/data}
out=${1:-/tmp/lightbox-mutations.tsv}
# The copy sits at <dir>/main like the checkout: with CCACHE_BASEDIR at <dir> its compiler calls
# hit the cache that scripts/build.sh filled, so only what a mutation touches recompiles.
copy=/tmp/lightbox-mutate/main
core="./tests/lightbox_core_tests"
ai="./tests/lightbox_ai_tests"
report="xvfb-run -a -s '-screen 0 1920x1080x24' ./tests/lightbox_report_tests"

table=$here/scripts/mutations.txt

rm -rf "$copy" && mkdir -p "$copy"
cp -r "$here"/{CMakeLists.txt,CMakePresets.json,app,ai,core,resources,tests,scripts,bench,LICENSE} "$copy"/
export CCACHE_BASEDIR=$(dirname "$copy") CCACHE_NOHASHDIR=1
(cd "$copy" && cmake --preset dev -DLIGHTBOX_SHARED_DATA="$data" >/dev/null)
echo "building the unmutated copy..." >&2
cmake --build "$copy/build" >/dev/null

run_check() { # the test command of a row, in the build folder
  local spec=$1
  case "$spec" in
    CORE*) eval "$core ${spec#CORE }" ;;
    AI*) eval "$ai ${spec#AI }" ;;
    REPORT*) eval "$report ${spec#REPORT }" ;;
    BATCH_LOCAL) bash "$copy/tests/batch/batch_local_test.sh" "$copy/build/app/lightbox" "$data" ;;
    CTEST*) xvfb-run -a -s "-screen 0 1920x1080x24" ctest --test-dir "$copy/build" --output-on-failure -R "^${spec#CTEST }\$" ;;
    *) echo "unknown check $spec" >&2; return 2 ;;
  esac
}

printf "n\tfile\tresult\tcheck\n" >"$out"
n=0
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  n=$((n + 1))
  [ -n "${MUTATIONS:-}" ] && ! grep -qw "$n" <<<"$MUTATIONS" && continue
  file=${line%%@@*}; rest=${line#*@@}
  text=${rest%%@@*}; rest=${rest#*@@}
  replacement=${rest%%@@*}; check=${rest#*@@}
  target=$copy/$file
  cp "$target" "$target.orig"
  python3 - "$target" "$text" "$replacement" <<'PY'
import sys
path, old, new = sys.argv[1:4]
s = open(path).read()
if s.count(old) != 1:
    sys.exit(f"mutation text found {s.count(old)} times in {path}: {old}")
open(path, "w").write(s.replace(old, new))
PY
  result=MISSED
  if ! (cd "$copy/build" && cmake --build . >/dev/null 2>&1); then
    result="caught (does not build)"
  elif ! (cd "$copy/build" && run_check "$check" >"$copy/mutation-$n.log" 2>&1); then
    result=caught
  fi
  mv "$target.orig" "$target"
  printf "%d\t%s\t%s\t%s\n" "$n" "$file" "$result" "$check" | tee -a "$out"
done <"$table"
(cd "$copy/build" && cmake --build . >/dev/null)
echo "results in $out"
