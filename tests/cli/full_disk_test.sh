#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Full disk and read-only places (issue 25, item 4). The annotation folder, the report folder and
# the study index live on a 6 MB tmpfs (mounted in a private mount namespace: `unshare -m`, root).
# With the filesystem full, then remounted read-only, every write of the real commands fails
# cleanly: a non-zero exit with the path and the system's reason, the previous good file unchanged
# (same bytes), no temporary or half file left, and the next run works once there is room. The
# viewer's document is driven the same way (lightbox_viewer_tests "[.fulldisk]"): the reader is
# told, the edit stays in the window, and it is saved with the next edit once there is room.
# Where no mount is allowed the same checks run with a file-size limit of 0 (ulimit -f: "File too
# large") for the full disk and, as the unprivileged user nobody, a folder without write
# permission for the read-only place; the mode is printed.
# usage: full_disk_test.sh LIGHTBOX_BINARY VIEWER_TESTS_BINARY SHARED_DATA_DIR
set -euo pipefail
lb=${1:?usage: full_disk_test.sh LIGHTBOX VIEWER_TESTS SHARED_DATA}
viewer_tests=${2:?usage: full_disk_test.sh LIGHTBOX VIEWER_TESTS SHARED_DATA}
data=${3:?usage: full_disk_test.sh LIGHTBOX VIEWER_TESTS SHARED_DATA}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$lb" ] || fail "lightbox binary missing: $lb"
[ -x "$viewer_tests" ] || fail "viewer test binary missing: $viewer_tests"
slab=$data/ct/chest_lidc-idri-0001_nodule_slab/dicom
other=$data/seg-sr/dcmqi_liver_ct3slice/ct
for d in "$slab" "$other"; do [ -d "$d" ] || fail "test data missing: $d"; done

if [ -z "${LIGHTBOX_FULLDISK_MODE:-}" ]; then
  if [ "$(id -u)" = 0 ] && unshare -m sh -c 'd=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs "$d" && umount "$d"; rmdir "$d"' 2>/dev/null; then
    LIGHTBOX_FULLDISK_MODE=tmpfs exec unshare -m bash "$0" "$@"
  fi
  export LIGHTBOX_FULLDISK_MODE=limit
fi
mode=$LIGHTBOX_FULLDISK_MODE
work=$(mktemp -d)
chmod 755 "$work"
small=$work/small
mkdir -p "$small"
cleanup() { [ "$mode" = tmpfs ] && umount "$small" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ "$mode" = tmpfs ]; then
  mount -t tmpfs -o size=6m tmpfs "$small"
  full_reason="No space left on device|database or disk is full"
  ro_reason="Read-only file system|attempt to write a readonly database|readonly database"
else
  full_reason="File too large|database or disk is full|disk I/O error"
  ro_reason="Permission denied|attempt to write a readonly database|readonly database|unable to open"
fi
echo "== mode: $mode"
export HOME=$work/home XDG_DATA_HOME=$work/share LIGHTBOX_ANNOTATIONS=$small/annotations LIGHTBOX_INDEX=$small/index/index.sqlite
mkdir -p "$HOME"
chmod -R a+rwX "$work"

# With room: a review with decisions, a report version, an index holding the slab.
study=$work/phantom
source "$(dirname "$0")/first_report.sh"
first_report "$lb" "$study" "$small/reports" "$work"
"$lb" import "$slab" --quiet >/dev/null
rejected=$("$lb" review "$study" --json | python3 -c "import json,sys; print(next(f['id'] for f in json.load(sys.stdin)['findings'] if f['state']=='accepted'))")
# Every file's bytes, except the filler and SQLite's own write-ahead log and its shared-memory
# index (index.sqlite-wal/-shm: SQLite keeps them while it cannot checkpoint, and recovers from them).
snapshot() { (cd "$small" && find . \( -path ./filler -o -name '*-wal' -o -name '*-shm' \) -prune -o -type f -print0 | sort -z | xargs -0 sha256sum) ; }
before=$(snapshot)

as_user() { # run the command as the writer the mode needs
  if [ "$mode" = limit ] && [ "$1" = ro ] && [ "$(id -u)" = 0 ]; then shift; setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$HOME" "$@"
  elif [ "$mode" = limit ] && [ "$1" = full ]; then
    # The limit applies to every file the process writes, its own stdout and stderr too when they
    # are files: they go through pipes (cat runs without the limit).
    shift; { (trap '' XFSZ; ulimit -S -f 0; exec "$@") 2>&1 1>&3 3>&- | cat >&2; } 3>&1 | cat
  else shift; "$@"; fi
}

expect_clean_failure() { # place what reason command...
  local place=$1 what=$2 reason=$3; shift 3
  set +e
  as_user "$place" "$@" >"$work/out.txt" 2>"$work/err.txt"
  local status=$?
  set -e
  [ $status -ne 0 ] || fail "$place: $what succeeded on a $place place"
  grep -qE "$reason" "$work/err.txt" || fail "$place: $what: the message gives no reason ($reason): $(cat "$work/err.txt")"
  grep -qF "$small" "$work/err.txt" || fail "$place: $what: the message names no path under $small: $(cat "$work/err.txt")"
  [ "$(snapshot)" = "$before" ] || fail "$place: $what changed or left files: $(diff <(echo "$before") <(snapshot))"
  echo "$place: $what refused: $( (grep -F "error:" "$work/err.txt" || cat "$work/err.txt") | grep -m1 -F "$small")"
}

check_place() { # full|ro
  local place=$1 reason=$2
  expect_clean_failure "$place" "a review decision" "$reason" "$lb" review "$study" --reject "$rejected" --reason "no room"
  as_user "$place" "$lb" review "$study" --json >"$work/review.json" 2>"$work/err.txt" || fail "$place: the review does not open: $(cat "$work/err.txt")"
  python3 -c "import json,sys; s={f['id']:f['state'] for f in json.load(open(sys.argv[1]))['findings']}; assert s[sys.argv[2]]=='accepted', s" "$work/review.json" "$rejected" \
    || fail "$place: the saved decision changed"
  expect_clean_failure "$place" "a report version" "$reason" "$lb" report "$study" -o "$small/reports"
  expect_clean_failure "$place" "an index import" "$reason" "$lb" import "$other" --quiet
  as_user "$place" "$lb" list --json >"$work/list.json" 2>"$work/err.txt" || fail "$place: the index cannot be read: $(cat "$work/err.txt")"
  python3 -c "import json,sys; n=sum(se['files'] for st in json.load(open(sys.argv[1])) for se in st['series']); assert n==16, n" "$work/list.json" \
    || fail "$place: the index lost the slab"
  local room=rlimit
  [ "$mode" = tmpfs ] && room=$small/filler
  LIGHTBOX_FULLDISK_ROOM=$room QT_QPA_PLATFORM=offscreen LIGHTBOX_FULLDISK_PLACE=$place LIGHTBOX_FULLDISK_REASON=$reason as_user "$place" "$viewer_tests" "[.fulldisk]" >"$work/viewer.txt" 2>&1 \
    || fail "$place: the viewer's document: $(tail -20 "$work/viewer.txt")"
  echo "$place: viewer document: told, edit kept in the window"
}

if [ "$mode" = tmpfs ]; then
  dd if=/dev/zero of="$small/filler" bs=64k 2>/dev/null || true
  [ "$(df --output=avail -B1 "$small" | tail -1)" -lt 65536 ] || fail "the tmpfs is not full"
fi
export LIGHTBOX_FULLDISK_FOLDER=$small/viewer-annotations
mkdir -p "$LIGHTBOX_FULLDISK_FOLDER" 2>/dev/null || true
chmod -R a+rwX "$small" 2>/dev/null || true
before=$(snapshot)
check_place full "$full_reason"

if [ "$mode" = tmpfs ]; then
  rm -f "$small/filler"
  mount -o remount,ro "$small"
else
  chmod -R a-w "$small"
fi
before=$(snapshot)
check_place ro "$ro_reason"

# Room again: every command works with no repair, and the decision is saved.
if [ "$mode" = tmpfs ]; then mount -o remount,rw "$small"; else chmod -R u+w "$small"; fi
"$lb" review "$study" --reject "$rejected" --reason "room again" >/dev/null || fail "the review decision fails with room again"
"$lb" report "$study" -o "$small/reports" >"$work/out.txt" 2>&1 || fail "the report fails with room again: $(tail -3 "$work/out.txt")"
[ -d "$small/reports/v2" ] || fail "no second version"
ls "$small/reports" | grep -q partial && fail "a temporary report folder was left"
"$lb" import "$other" --quiet >/dev/null || fail "the import fails with room again"
echo "room again: decision, report v2 and import all work"
echo "PASS"
