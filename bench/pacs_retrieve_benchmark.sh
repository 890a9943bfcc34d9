#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 27: retrieving the 141-slice POPI CT from a real Orthanc on loopback, Lightbox against
# DCMTK's own tools in the same run: `lightbox pacs get` (C-GET, into the store and the index) vs
# `getscu -od DIR` (C-GET to a folder), and `lightbox pacs get --method move` vs `movescu` with its
# own storage receiver (+P PORT, to a folder). Alternating rounds, each into an empty folder; wall
# time of the whole process; medians and ratios (Lightbox / DCMTK).
# usage: bench/pacs_retrieve_benchmark.sh [ROUNDS] [LIGHTBOX_BINARY] [SHARED_DATA]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
lb=${2:-build/app/lightbox}
data=${3:-${LIGHTBOX_SHARED_DATA:-../shared/data}}
fail() { echo "FAIL: $*" >&2; exit 1; }
popi=$data/ct/chest_4dct_popi_phase00/dicom
[ -d "$popi" ] || fail "missing $popi"
work=$(mktemp -d)
source tests/net/orthanc_server.sh
trap 'stop_orthanc; rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/share XDG_CONFIG_HOME=$work/config LIGHTBOX_INDEX=$work/index.sqlite
mkdir -p "$HOME"
read -r our_port < <(free_ports 1)
start_orthanc "$work/orthanc" LIGHTBOX "$our_port"
port=$ORTHANC_DICOM_PORT
storescu -aec ORTHANC +sd 127.0.0.1 "$port" "$popi" || fail "seeding Orthanc"
study=$(/usr/bin/python3 -c "import pydicom,glob; print(pydicom.dcmread(sorted(glob.glob('$popi/*.dcm'))[0]).StudyInstanceUID)")

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || fail "$* failed"; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
declare -A times
for r in $(seq 1 "$rounds"); do
  rm -rf "$work/lb" "$work/getscu" "$work/movescu" "$LIGHTBOX_INDEX"; mkdir -p "$work/getscu" "$work/movescu"
  times[lb_get]+="$(seconds "$lb" pacs get "ORTHANC@127.0.0.1:$port" --study-uid "$study" --store "$work/lb" --quiet) "
  times[getscu]+="$(seconds getscu -aec ORTHANC -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$study" -od "$work/getscu" 127.0.0.1 "$port") "
  rm -rf "$work/lb" "$LIGHTBOX_INDEX"
  times[lb_move]+="$(seconds "$lb" pacs get "ORTHANC@127.0.0.1:$port" --study-uid "$study" --method move --aet LIGHTBOX --port "$our_port" --store "$work/lb" --quiet) "
  times[movescu]+="$(seconds movescu -aec ORTHANC -aet LIGHTBOX +P "$our_port" -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$study" -od "$work/movescu" 127.0.0.1 "$port") "
  [ "$(ls "$work/getscu" | wc -l)" -eq 141 ] && [ "$(ls "$work/movescu" | wc -l)" -eq 141 ] || fail "DCMTK's tools did not get 141 objects"
  [ "$(find "$work/lb" -name '*.dcm' | wc -l)" -eq 141 ] || fail "lightbox did not get 141 objects"
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
lg=$(median <<<"${times[lb_get]}"); gs=$(median <<<"${times[getscu]}")
lm=$(median <<<"${times[lb_move]}"); ms=$(median <<<"${times[movescu]}")
echo "POPI 141 slices from Orthanc on loopback, $rounds rounds, median wall seconds"
printf "C-GET : lightbox %.2f s (into the index)  getscu %.2f s   ratio %.2f\n" "$lg" "$gs" "$(echo "$lg / $gs" | bc -l)"
printf "C-MOVE: lightbox %.2f s (into the index)  movescu %.2f s  ratio %.2f\n" "$lm" "$ms" "$(echo "$lm / $ms" | bc -l)"
