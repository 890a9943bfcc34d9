#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Mutation check (issue 25): plants small, plausible bugs one at a time in a copy of the code and
# shows that the tests catch each. Not CI (it rebuilds once per mutation): run it like a benchmark.
#   scripts/mutate.sh [OUT.tsv]      every mutation below
#   MUTATIONS="3 7" scripts/mutate.sh   only those (1-based)
# Each line of the table: file @@ text @@ replacement @@ test command (run in the build folder; it
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

MUTATIONS_TABLE=$(cat <<'EOF'
core/clinical/Brock.cpp@@0.0287 * (f.ageYears - 62.0)@@-0.0287 * (f.ageYears - 62.0)@@CORE "[clinical]"
core/clinical/Brock.cpp@@0.2961 * (f.familyHistory@@-0.2961 * (f.familyHistory@@CORE "[clinical]"
core/clinical/Brock.cpp@@0.2953 * (f.emphysema@@-0.2953 * (f.emphysema@@CORE "[clinical]"
core/clinical/Brock.cpp@@0.0824 * (double(f.noduleCount) - 4.0)@@0.0824 * (4.0 - double(f.noduleCount))@@CORE "[clinical]"
core/clinical/Brock.cpp@@logit += -0.1276@@logit += 0.1276@@CORE "[clinical]"
core/clinical/Brock.cpp@@std::pow(size / 10.0, -0.5)@@std::pow(size / 10.0, 0.5)@@CORE "[clinical]"
core/clinical/LungRads.cpp@@if (d < 6) r = {"2", n.id, "part-solid@@if (d <= 6) r = {"2", n.id, "part-solid@@CORE "[clinical]"
core/clinical/LungRads.cpp@@else if (s < 8) r = {"4A"@@else if (s <= 8) r = {"4A"@@CORE "[clinical]"
core/clinical/LungRads.cpp@@if (d < 6) r = {"2", n.id, "solid nodule@@if (d <= 6) r = {"2", n.id, "solid nodule@@CORE "[clinical]"
core/clinical/LungRads.cpp@@else if (s < 6) r = {"3"@@else if (s <= 6) r = {"3"@@CORE "[clinical]"
core/clinical/LungRads.cpp@@if (d < 30) r = {"2"@@if (d <= 30) r = {"2"@@CORE "[clinical]"
core/clinical/LungRads.cpp@@else if (d < 15) r = {"4A"@@else if (d <= 15) r = {"4A"@@CORE "[clinical]"
core/clinical/LungRads.cpp@@else if (d < 8) r = {"3"@@else if (d <= 8) r = {"3"@@CORE "[clinical]"
ai/nodule/NoduleDetector.cpp@@rSolid >= 0.7 * rAll@@rSolid >= 0.5 * rAll@@AI "[reference]"
ai/nodule/NoduleDetector.cpp@@std::max(1.0, 0.25 * rAll)@@std::max(1.0, 0.15 * rAll)@@AI "[reference]"
core/segmentation/SegmentTools.cpp@@corners.push_back({(double(i) + di) * sx, (double(j) + dj) * sy})@@corners.push_back({(double(i) + di) * sx, (double(j) + dj) * sx})@@CORE "[reference]"
core/segmentation/SegmentTools.cpp@@for (double di : {-0.5, 0.5})@@for (double di : {0.0, 0.0})@@CORE "[reference]"
core/util/AtomicFile.cpp@@const std::string tmp = atomicTemporaryPrefix(path) + std::to_string(::getpid()) + "." + std::to_string(++counter);@@const std::string tmp = path; // written in place@@CORE "[reference]"
app/report/FinalizeReport.cpp@@formatNumber("%.1f", f.mask.longAxisMm) << ',' << formatNumber("%.1f", f.mask.shortAxisMm)@@formatNumber("%.1f", f.mask.shortAxisMm) << ',' << formatNumber("%.1f", f.mask.longAxisMm)@@REPORT "lightbox report: SEG*"
core/batch/BatchRecord.cpp@@if (state == "failed") return retryFailed || e.interrupted;@@if (state == "failed") return retryFailed;@@CORE "[batch]"
core/batch/BatchRecord.cpp@@if (fd < 0) return false; // never locked@@if (fd >= 0) return false;@@CORE "[batch]"
core/batch/BatchRecord.cpp@@  add(settings);@@  (void)settings;@@CORE "[batch]"
core/batch/BatchRecord.cpp@@if (state == "running" || e.queued) return false;@@if (state == "running") return false;@@CORE "[batch]"
app/cli/BatchWorker.cpp@@constexpr double kMinLungMl = 250.0;@@constexpr double kMinLungMl = 25.0;@@BATCH_LOCAL
app/cli/BatchWorker.cpp@@if (f.sizeDisagreement > kMaskSizeConfirmFactor) {@@if (f.sizeDisagreement > 100.0) {@@BATCH_LOCAL
core/dicom/SeriesAssembler.h@@constexpr double kSpacingRelTol = 0.01;@@constexpr double kSpacingRelTol = 0.02;@@CORE "[assembly]"
core/clinical/Growth.cpp@@constexpr long kGrowthTenthsMm = 15;@@constexpr long kGrowthTenthsMm = 25;@@CORE "[clinical],[growth]"
EOF
)

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
    *) echo "unknown check $spec" >&2; return 2 ;;
  esac
}

printf "n\tfile\tresult\tcheck\n" >"$out"
n=0
while IFS= read -r line; do
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
done <<<"$MUTATIONS_TABLE"
(cd "$copy/build" && cmake --build . >/dev/null)
echo "results in $out"
