#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a CT series that is large in memory and small on disk: COUNT slices of ROWS x COLUMNS
16-bit voxels, all air (-1024 HU), each file RLE Lossless (a few KB for a 512 x 512 slice). 2000
slices of 1024 x 1024 are 4 GB once decoded: the series a machine may not hold (issue 25, memory
ceilings). The RLE segments are written here by hand (PackBits runs of one byte value), so no
encoder is needed.
usage: bench/blank_rle_series.py COUNT ROWS COLUMNS OUT_DIR"""
import os
import struct
import sys

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import generate_uid

RLE_LOSSLESS = "1.2.840.10008.1.2.5"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"


def packbits_constant(value, count):
    """PackBits of `count` copies of one byte: replicate runs of 128, then the rest."""
    out = bytearray()
    while count >= 128:
        out += bytes((0x81, value))  # -127: repeat the next byte 128 times
        count -= 128
    if count >= 2:
        out += bytes(((257 - count) & 0xFF, value))
    elif count == 1:
        out += bytes((0x00, value))  # a literal run of one byte
    if len(out) % 2:
        out.append(0)
    return bytes(out)


def rle_frame(rows, columns, stored):
    """One RLE Lossless frame of 16-bit voxels all equal to `stored`: two segments, high byte first."""
    segments = [packbits_constant((stored >> 8) & 0xFF, rows * columns), packbits_constant(stored & 0xFF, rows * columns)]
    offsets = [64, 64 + len(segments[0])]
    header = struct.pack("<16I", len(segments), *offsets, *([0] * 13))
    return header + b"".join(segments)


def main():
    count, rows, columns, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.makedirs(out, exist_ok=True)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    pixels = encapsulate([rle_frame(rows, columns, 0xFC00)])  # -1024 HU, signed 16-bit
    for k in range(count):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = RLE_LOSSLESS
        ds = Dataset()
        ds.file_meta = meta
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.SOPClassUID, ds.SOPInstanceUID = CT_IMAGE, meta.MediaStorageSOPInstanceUID
        ds.Modality = "CT"
        ds.PatientName, ds.PatientID = "Memory^Ceiling", "MEM-0001"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.StudyDate, ds.SeriesNumber, ds.InstanceNumber = "20261205", 1, k + 1
        ds.SeriesDescription = f"blank {count} x {rows} x {columns}"
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [-0.5 * columns * 0.5, -0.5 * rows * 0.5, -0.5 * k]
        ds.PixelSpacing, ds.SliceThickness = [0.5, 0.5], 0.5
        ds.Rows, ds.Columns = rows, columns
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleIntercept, ds.RescaleSlope = 0, 1
        ds.PixelData = pixels
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
        ds.save_as(os.path.join(out, f"{k + 1:05d}.dcm"), write_like_original=False)


if __name__ == "__main__":
    main()
