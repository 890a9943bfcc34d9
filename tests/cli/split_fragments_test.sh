#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 25: a compressed frame whose bytes an encoder split over several fragments, the cut inside
# the codestream's main header (the standard allows a cut anywhere at an even offset). The shared
# CT slice in JPEG lossless SV1, JPEG-LS and JPEG 2000 is re-encapsulated (pydicom) with its frame
# cut 10 or 20 bytes in, and in three pieces; `lightbox convert` must give the same voxels as the
# file as shipped (the header check joins the fragments, the decoder gets the frame in one piece).
# usage: split_fragments_test.sh LIGHTBOX_BINARY SHARED_DATA
set -euo pipefail
lb=${1:?usage: split_fragments_test.sh LIGHTBOX_BINARY SHARED_DATA}
data=${2:?usage: split_fragments_test.sh LIGHTBOX_BINARY SHARED_DATA}
fail() { echo "FAIL: $*" >&2; exit 1; }
src=$data/syntaxes/cornerstone_ctimage
[ -d "$src" ] || fail "missing test data: $src"
/usr/bin/python3 -c "import pydicom, numpy" || fail "pydicom and numpy (python3-pydicom, python3-numpy) are needed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$src" "$work" <<'PY' || fail "making the split files"
import os, struct, sys, pydicom
from pydicom.encaps import generate_pixel_data_frame
src, work = sys.argv[1:]
cases = {"jpeg-lossless": "1.2.840.10008.1.2.4.70", "jpeg-ls": "1.2.840.10008.1.2.4.80", "jpeg2000": "1.2.840.10008.1.2.4.90"}
for name, ts in cases.items():
    path = [os.path.join(src, f) for f in os.listdir(src) if f.endswith(ts + ".dcm")][0]
    os.makedirs(os.path.join(work, "whole", name))
    ds = pydicom.dcmread(path)
    ds.save_as(os.path.join(work, "whole", name, "x.dcm"))
    frame = next(generate_pixel_data_frame(ds.PixelData))
    for cuts in ([10], [20], [10, 30]):
        pieces, at = [], 0
        for c in cuts + [len(frame)]:
            pieces.append(frame[at:c]); at = c
        value = b"\xfe\xff\x00\xe0" + struct.pack("<I", 0)
        for p in pieces:
            assert len(p) % 2 == 0
            value += b"\xfe\xff\x00\xe0" + struct.pack("<I", len(p)) + p
        ds.PixelData = value
        ds["PixelData"].is_undefined_length = True
        folder = os.path.join(work, "split", f"{name}-{'-'.join(map(str, cuts))}")
        os.makedirs(folder)
        ds.save_as(os.path.join(folder, "x.dcm"))
PY
for whole in "$work"/whole/*; do
  "$lb" convert "$whole" "$whole.nii" > /dev/null 2> "$whole.err" || fail "$(basename "$whole") as shipped: $(cat "$whole.err")"
done
for split in "$work"/split/*; do
  name=$(basename "$split")
  "$lb" convert "$split" "$split.nii" > /dev/null 2> "$split.err" || fail "$name: $(cat "$split.err")"
  [ ! -s "$split.err" ] || fail "$name: $(cat "$split.err")"
  reference=$work/whole/${name%%-[0-9]*}.nii
  /usr/bin/python3 - "$reference" "$split.nii" <<'PY' || fail "$name: other voxels than the file as shipped"
import struct, sys, numpy as np
def voxels(p):
    b = open(p, "rb").read()
    offset = int(struct.unpack("<f", b[108:112])[0]); code = struct.unpack("<h", b[70:72])[0]
    return np.frombuffer(b[offset:], dtype={4: np.int16, 16: np.float32, 512: np.uint16, 8: np.int32}[code])
a, b = voxels(sys.argv[1]), voxels(sys.argv[2])
assert a.shape == b.shape and np.array_equal(a, b) and a.min() < a.max(), (a.min(), a.max(), b.min(), b.max())
PY
  echo "$name: same voxels as the file as shipped"
done
echo "PASS"
