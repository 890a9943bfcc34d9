#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Writes the frame-decode fuzz finding of issue 25 as a small synthetic file: a 64 x 64 JPEG 2000
# lossless DICOM whose codestream (hand-made: one tile, no decomposition, one empty packet, so it
# decodes to zeros) declares an image of 64 x ROWS. GDCM 3.0's codec copied the decoded image into
# the buffer sized by the header and wrote far past it.
#   j2k_regression.py OUT.dcm [ROWS]
import struct
import sys

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import JPEG2000Lossless

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 65600


def codestream(width, height):
    siz = struct.pack(">HHIIIIIIIIH", 41, 0, width, height, 0, 0, width, height, 0, 0, 1) + bytes([15, 1, 1])
    cod = struct.pack(">HBBHBBBBBB", 12, 0, 0, 1, 0, 0, 4, 4, 0, 1)
    qcd = struct.pack(">HBB", 4, 0x40, 0x48)
    body = b"\x00"  # one empty packet
    sot = struct.pack(">HHIBB", 10, 0, 12 + 2 + len(body), 0, 1)
    return (b"\xff\x4f" + b"\xff\x51" + siz + b"\xff\x52" + cod + b"\xff\x5c" + qcd + b"\xff\x90" + sot + b"\xff\x93"
            + body + b"\xff\xd9")


meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
meta.MediaStorageSOPInstanceUID = "2.25.250001"
meta.TransferSyntaxUID = JPEG2000Lossless
ds = Dataset()
ds.file_meta = meta
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.StudyInstanceUID = "2.25.250002"
ds.SeriesInstanceUID = "2.25.250003"
ds.Modality = "MR"
ds.PatientName = "FUZZ^J2K"
ds.PatientID = "FUZZ-J2K"
ds.ImagePositionPatient = [0, 0, 0]
ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
ds.PixelSpacing = [1, 1]
ds.SliceThickness = 1
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME2"
ds.Rows = 64
ds.Columns = 64
ds.BitsAllocated = 16
ds.BitsStored = 16
ds.HighBit = 15
ds.PixelRepresentation = 0
ds.PixelData = encapsulate([codestream(64, rows)])
ds["PixelData"].VR = "OB"
ds.is_little_endian = True
ds.is_implicit_VR = False
pydicom.dcmwrite(out, ds, write_like_original=False)
