#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole project built with a sanitizer in its own folder (build-<kind>, ccache), then the whole
# CTest suite under it (Xvfb for the window tests). Issue 25.
#   scripts/sanitize.sh address     AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/sanitize.sh undefined   UndefinedBehaviorSanitizer alone
#   scripts/sanitize.sh thread      ThreadSanitizer
# Extra arguments go to ctest (e.g. -R batch, -L batch). The kill tests run KILL_ROUNDS (default 20)
# SIGKILL rounds each instead of 200. Reports land in build-<kind>/sanitizer-logs;
# the script prints how many tests ran, failed, and how many sanitizer reports name our code.
# Suppressions (scripts/sanitizer-suppressions/<kind>.txt) are for third-party libraries only, each
# with the reason.
set -euo pipefail
kind=${1:?usage: scripts/sanitize.sh address|undefined|thread [CTEST ARGS...]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# scale: every test's timeout is multiplied by it (tests/CMakeLists.txt), the sanitizer's slowdown.
case "$kind" in
  address) flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined" scale=3 ;;
  undefined) flags="-fsanitize=undefined -fno-sanitize-recover=undefined" scale=2 ;;
  # tsan_annotations.h: libstdc++'s shared_ptr hooks for TSan (see the file).
  thread) flags="-fsanitize=thread -include $here/scripts/sanitizer-suppressions/tsan_annotations.h" scale=6 ;;
  *) echo "unknown sanitizer '$kind' (address, undefined, thread)" >&2; exit 2 ;;
esac
build=$here/build-$kind
logs=$build/sanitizer-logs
supp=$here/scripts/sanitizer-suppressions
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}" CCACHE_NOHASHDIR=1
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIGHTBOX_BUILD_TESTS=ON \
  -DCMAKE_C_FLAGS="$flags -fno-omit-frame-pointer" -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" -DLIGHTBOX_TEST_TIMEOUT_SCALE=$scale \
  -DLIGHTBOX_KILL_ROUNDS="${KILL_ROUNDS:-20}" >/dev/null
# SANITIZE_TARGETS="lightbox_core_tests ..." builds only those (a quicker partial run); the ctest
# arguments should then select their tests.
if [ -n "${SANITIZE_TARGETS:-}" ]; then
  cmake --build "$build" --target $SANITIZE_TARGETS
else
  cmake --build "$build"
fi
rm -rf "$logs" && mkdir -p "$logs"
# log_path: one file per process (the tests start the real binaries too); exitcode 0 keeps a report
# from turning a passing test into a crash we cannot read: the reports are counted below instead.
common="log_path=$logs/$kind:exitcode=0"
export ASAN_OPTIONS="$common:detect_leaks=0:allocator_may_return_null=1:detect_odr_violation=0"
export UBSAN_OPTIONS="$common:print_stacktrace=1:suppressions=$supp/undefined.txt"
export TSAN_OPTIONS="$common:second_deadlock_stack=1:suppressions=$supp/thread.txt"
set +e
xvfb-run -a -s "-screen 0 1920x1080x24" ctest --test-dir "$build" -j2 --timeout $((1800 * scale)) "$@" | tee "$logs/ctest.txt"
status=${PIPESTATUS[0]}
set -e
reports=$(cat "$logs"/"$kind".* 2>/dev/null | grep -cE "^(==[0-9]+==ERROR|SUMMARY|WARNING: ThreadSanitizer)|runtime error:" || true)
# ASan/UBSan frames read "#N 0x... in function file:line"; TSan's "#N function file:line (lib+0x...)".
# A TSan report that is printed was not suppressed (third-party ones are): every one counts.
if [ "$kind" = thread ]; then
  ours=$(cat "$logs"/"$kind".* 2>/dev/null | grep -c "^WARNING: ThreadSanitizer" || true)
else
  ours=$(cat "$logs"/"$kind".* 2>/dev/null | grep -E "runtime error:|#[0-9]+ .* in " | grep -cE "/(core|ai|app|tests)/" || true)
fi
echo "sanitizer $kind: ctest exit $status; $(grep -E 'tests passed' "$logs/ctest.txt" || true)"
echo "reports: $reports lines in $(ls "$logs"/"$kind".* 2>/dev/null | wc -l) process logs; frames in our code: $ours"
echo "logs: $logs"
[ "$status" -eq 0 ] && [ "$ours" -eq 0 ]
