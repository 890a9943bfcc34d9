#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one libFuzzer target with AddressSanitizer + UndefinedBehaviorSanitizer (issue 25).
#   scripts/fuzz.sh TARGET SECONDS [LIBFUZZER ARGS...]
#   scripts/fuzz.sh list                 the targets
# Builds build-fuzz (clang, LIGHTBOX_FUZZ=ON, ccache) on first use, seeds the corpus
# (build-fuzz/corpus/TARGET) from tests/fuzz/seeds.txt and tests/fuzz/regressions/TARGET, and runs
# with a 10 s timeout per input and a 2 GB memory limit. A crash, hang or blow-up is written to
# build-fuzz/artifacts/TARGET/ (crash-*, timeout-*, oom-*, slow-unit-*); minimise it, fix the
# code, and add the input to tests/fuzz/regressions/TARGET so fuzz_regression_TARGET replays it in
# every build. Prints executions per second and coverage (edges) at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${LIGHTBOX_SHARED_DATA:-$here/../shared/data}
targets=$(sed -n 's/^set(LIGHTBOX_FUZZ_TARGETS \(.*\)/\1/p;/^  research_image/p' "$here/tests/fuzz/CMakeLists.txt" | tr -d ')' | xargs)
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS [LIBFUZZER ARGS] (targets: scripts/fuzz.sh list)}
if [ "$target" = list ]; then echo "$targets" | tr ' ' '\n'; exit 0; fi
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
shift 2
case " $targets " in *" $target "*) ;; *) echo "unknown fuzz target '$target' (one of: $targets)" >&2; exit 2 ;; esac
[ -d "$shared" ] || { echo "the shared data folder $shared is missing: the seeds come from it" >&2; exit 2; }

build=$here/build-fuzz
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd "$here/.." && pwd)}" CCACHE_NOHASHDIR=1
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLIGHTBOX_FUZZ=ON -DLIGHTBOX_SHARED_DATA="$shared" >/dev/null
fi
cmake --build "$build" --target "fuzz_$target"

corpus=$build/corpus/$target
artifacts=$build/artifacts/$target
mkdir -p "$corpus" "$artifacts"
seeds=()
while read -r t path; do
  [ "$t" = "$target" ] || continue
  case "$path" in repo:*) seeds+=("$here/${path#repo:}") ;; *) seeds+=("$shared/$path") ;; esac
done < <(grep -v '^#' "$here/tests/fuzz/seeds.txt")
[ -d "$here/tests/fuzz/regressions/$target" ] && seeds+=("$here/tests/fuzz/regressions/$target")
for s in "${seeds[@]}"; do [ -e "$s" ] || { echo "seed $s is missing" >&2; exit 2; }; done
# libFuzzer takes folders: single seed files are copied into one (in the build folder, ignored).
files=$build/seed-files/$target
rm -rf "$files" && mkdir -p "$files"
dirs=()
for s in "${seeds[@]}"; do if [ -d "$s" ]; then dirs+=("$s"); else cp "$s" "$files/"; fi; done
[ -n "$(ls "$files")" ] && dirs+=("$files")
seeds=("${dirs[@]}")

export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=0:detect_odr_violation=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
log=$build/fuzz-$target.log
set +e
"$build/tests/fuzz/fuzz_$target" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=1048576 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$@" 2>&1 | tee "$log" | grep -E "INITED|DONE|ERROR|SUMMARY|==[0-9]+==|runtime error|Test unit written|deadly signal|Slowest unit" | tail -40
status=${PIPESTATUS[0]}
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
persec=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
echo "fuzz $target: ${seconds} s, exit $status, ${execs:-?} executions, ${persec:-?}/s, coverage ${cov:-?} edges, ${ft:-?} features, corpus $(ls "$corpus" | wc -l) files; findings: $(ls "$artifacts" | wc -l) in $artifacts"
exit "$status"
