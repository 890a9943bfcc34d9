#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 28: every user-visible string of the interface and the PDF report has a finished zh_CN
# translation. lupdate (Debian's Qt 6 Linguist tools) re-reads the sources into a copy of the
# committed .ts: the copy must come out unchanged (no string added, changed or dropped since the
# translation was made) and hold no unfinished or empty translation. Fails loudly without lupdate.
# usage: tests/i18n/check_translations.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: check_translations.sh SOURCE_DIR}
lupdate=/usr/lib/qt6/bin/lupdate
[ -x "$lupdate" ] || { echo "FAIL: $lupdate is missing (Debian package qt6-l10n-tools)"; exit 1; }
ts=$src/resources/translations/lightbox_zh_CN.ts
[ -f "$ts" ] || { echo "FAIL: $ts is missing"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$ts" "$work/lightbox_zh_CN.ts"
(cd "$src" && "$lupdate" -locations none -no-obsolete -I . app -ts "$work/lightbox_zh_CN.ts") > "$work/lupdate.log" 2>&1
cat "$work/lupdate.log"
grep -q "Found [0-9]* source text(s) (0 new and" "$work/lupdate.log" ||
  { echo "FAIL: lupdate found strings the translation does not have"; diff "$ts" "$work/lightbox_zh_CN.ts" | head -40; exit 1; }
if ! cmp -s "$ts" "$work/lightbox_zh_CN.ts"; then
  echo "FAIL: the sources' strings differ from the translation file's (run lupdate and translate):"
  diff "$ts" "$work/lightbox_zh_CN.ts" | head -40
  exit 1
fi
unfinished=$(grep -c 'type="unfinished"' "$ts" || true)
empty=$(grep -c '<translation></translation>\|<translation/>' "$ts" || true)
total=$(grep -c '<source>' "$ts")
echo "zh_CN: $total strings, $unfinished unfinished, $empty empty"
[ "$unfinished" -eq 0 ] && [ "$empty" -eq 0 ] || { echo "FAIL: untranslated strings"; grep -B2 'type="unfinished"' "$ts" | head -30; exit 1; }
[ "$total" -gt 300 ] || { echo "FAIL: only $total strings: lupdate read nothing?"; exit 1; }
echo "PASS"
