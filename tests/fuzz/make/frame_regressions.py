#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Writes the frame-decode fuzz findings of issue 25 as small synthetic files (no shared data in them):
#   frame_regressions.py j2k OUT.dcm [ROWS]
#       a 64 x 64 JPEG 2000 lossless DICOM whose codestream (hand-made: one tile, no decomposition,
#       one empty packet, so it decodes to zeros) declares 64 x ROWS (default 65600). GDCM 3.0's codec
#       copied the decoded image into the buffer sized by the header and wrote far past it.
#   frame_regressions.py jpeg-ls|jpeg-lossless OUT.dcm [ROWS]
#       a 10 x 50 16-bit image compressed by DCMTK (dcmcjpls: JPEG-LS lossless; dcmcjpeg: JPEG
#       lossless SV1) whose DICOM Rows then says ROWS (default 52). GDCM 3.0 decodes the stream's 50
#       rows and asserts (aborting the process in Debian's build) when the frame is smaller.
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import ExplicitVRLittleEndian, JPEG2000Lossless


def dataset(sop_class, transfer_syntax, uid_base, name, rows, columns):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = "2.25.%d1" % uid_base
    meta.TransferSyntaxUID = transfer_syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = "2.25.%d2" % uid_base
    ds.SeriesInstanceUID = "2.25.%d3" % uid_base
    ds.PatientName = "FUZZ^" + name
    ds.PatientID = "FUZZ-" + name
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = rows
    ds.Columns = columns
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    return ds


def codestream(width, height):
    siz = struct.pack(">HHIIIIIIIIH", 41, 0, width, height, 0, 0, width, height, 0, 0, 1) + bytes([15, 1, 1])
    cod = struct.pack(">HBBHBBBBBB", 12, 0, 0, 1, 0, 0, 4, 4, 0, 1)
    qcd = struct.pack(">HBB", 4, 0x40, 0x48)
    body = b"\x00"  # one empty packet
    sot = struct.pack(">HHIBB", 10, 0, 12 + 2 + len(body), 0, 1)
    return (b"\xff\x4f" + b"\xff\x51" + siz + b"\xff\x52" + cod + b"\xff\x5c" + qcd + b"\xff\x90" + sot + b"\xff\x93"
            + body + b"\xff\xd9")


def j2k(out, rows):
    ds = dataset("1.2.840.10008.5.1.4.1.1.4", JPEG2000Lossless, 25000, "J2K", 64, 64)
    ds.Modality = "MR"
    ds.ImagePositionPatient = [0, 0, 0]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [1, 1]
    ds.SliceThickness = 1
    ds.PixelData = encapsulate([codestream(64, rows)])
    ds["PixelData"].VR = "OB"
    pydicom.dcmwrite(out, ds, write_like_original=False)


def jpeg(out, kind, rows):
    ds = dataset("1.2.840.10008.5.1.4.1.1.7", ExplicitVRLittleEndian, 25001, "JPEG", 50, 10)
    ds.Modality = "OT"
    ds.PixelData = (np.arange(500, dtype="<u2") * 97 % 4096).tobytes()
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.dcm")
        pydicom.dcmwrite(raw, ds, write_like_original=False)
        tool = ["dcmcjpls", "--encode-lossless"] if kind == "jpeg-ls" else ["dcmcjpeg", "--encode-lossless-sv1"]
        subprocess.run(tool + [raw, out], check=True)
    compressed = pydicom.dcmread(out)
    compressed.Rows = rows
    compressed.save_as(out)


if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("j2k", "jpeg-ls", "jpeg-lossless"):
    sys.exit("usage: frame_regressions.py j2k|jpeg-ls|jpeg-lossless OUT.dcm [ROWS]")
if sys.argv[1] == "j2k":
    j2k(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 65600)
else:
    jpeg(sys.argv[2], sys.argv[1], int(sys.argv[3]) if len(sys.argv) > 3 else 52)
