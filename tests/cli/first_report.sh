# SPDX-License-Identifier: Apache-2.0
# Sourced by the kill and full-disk tests (issue 25): a reviewed phantom study and its first report.
#   first_report LIGHTBOX STUDY OUTDIR WORK
# writes the synthetic chest phantom to STUDY, detects, imports the findings into its review,
# accepts them, rejects those whose mask and AI size disagree (they wait for the reader's
# confirmation) and finalizes version 1 into OUTDIR. Sets FIRST_REPORT_SECONDS to the successful
# report run's wall time. Calls fail (defined by the caller) when it cannot.
first_report() {
  local lb=$1 study=$2 out=$3 work=$4 attempt start ids
  "$lb" make-phantom "$study" >/dev/null
  "$lb" detect "$study" --json "$work/det.json" >/dev/null 2>&1
  "$lb" review "$study" --import "$work/det.json" >/dev/null
  "$lb" review "$study" --accept all >/dev/null
  for attempt in 1 2 3 4 5; do
    start=$(date +%s.%N)
    if "$lb" report "$study" -o "$out" >"$work/first.txt" 2>&1; then break; fi
    ids=$(sed -n 's/.*NEEDS CONFIRMATION: \(F[0-9]*\):.*/\1/p' "$work/first.txt" | paste -sd, -)
    [ -n "$ids" ] || fail "the first report failed: $(tail -3 "$work/first.txt")"
    "$lb" review "$study" --reject "$ids" --reason "test: size not confirmed" >/dev/null
  done
  [ -d "$out/v1" ] || fail "no first report version: $(tail -3 "$work/first.txt")"
  FIRST_REPORT_SECONDS=$(python3 -c "import sys; print(max(0.2, float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)")
}
