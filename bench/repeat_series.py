#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a long CT series made by repeating a real one: every slice of SERIES_DIR again and again,
moved along the slice normal so the stack stays continuous, until COUNT slices are written.
New SOP Instance UIDs and instance numbers; one new Series Instance UID; pixel data untouched.
usage: bench/repeat_series.py SERIES_DIR COUNT OUT_DIR"""
import os
import sys

import numpy as np
import pydicom
from pydicom.uid import generate_uid


def main():
    src, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    slices = [pydicom.dcmread(os.path.join(src, f)) for f in sorted(os.listdir(src))]
    iop = np.array(slices[0].ImageOrientationPatient, float)
    normal = np.cross(iop[:3], iop[3:])
    slices.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, float), normal)))
    first = np.array(slices[0].ImagePositionPatient, float)
    step = float(np.dot(np.array(slices[1].ImagePositionPatient, float) - first, normal))
    series_uid = generate_uid()
    for k in range(count):
        d = slices[k % len(slices)]
        d.SeriesInstanceUID = series_uid
        d.SOPInstanceUID = generate_uid()
        d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
        d.InstanceNumber = k + 1
        d.ImagePositionPatient = [f"{v:.4f}" for v in first + normal * step * k]
        d.SliceLocation = f"{float(np.dot(first, normal) + step * k):.4f}"
        d.save_as(os.path.join(out, f"slice{k:05d}.dcm"), write_like_original=True)


if __name__ == "__main__":
    main()
