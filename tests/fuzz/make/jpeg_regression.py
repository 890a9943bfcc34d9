#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Writes the frame-decode fuzz finding of issue 25 (JPEG family) as a small synthetic file: a 10 x 50
# 16-bit MONOCHROME2 image compressed by DCMTK (dcmcjpls: JPEG-LS lossless, or dcmcjpeg: JPEG
# lossless SV1), whose DICOM Rows then says ROWS. GDCM 3.0 decodes the stream's 50 rows and asserts
# (aborting the process in Debian's build) when the frame is smaller than the header says.
#   jpeg_regression.py OUT.dcm [jpeg-ls|jpeg-lossless] [ROWS]
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

out = sys.argv[1]
kind = sys.argv[2] if len(sys.argv) > 2 else "jpeg-ls"
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 52

meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
meta.MediaStorageSOPInstanceUID = "2.25.250011"
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.StudyInstanceUID = "2.25.250012"
ds.SeriesInstanceUID = "2.25.250013"
ds.Modality = "OT"
ds.PatientName = "FUZZ^JPEG"
ds.PatientID = "FUZZ-JPEG"
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME2"
ds.Rows = 50
ds.Columns = 10
ds.BitsAllocated = 16
ds.BitsStored = 16
ds.HighBit = 15
ds.PixelRepresentation = 0
ds.PixelData = (np.arange(500, dtype="<u2") * 97 % 4096).tobytes()
with tempfile.TemporaryDirectory() as tmp:
    raw = os.path.join(tmp, "raw.dcm")
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    pydicom.dcmwrite(raw, ds, write_like_original=False)
    tool = ["dcmcjpls", "--encode-lossless"] if kind == "jpeg-ls" else ["dcmcjpeg", "--encode-lossless-sv1"]
    subprocess.run(tool + [raw, out], check=True)
compressed = pydicom.dcmread(out)
compressed.Rows = rows
compressed.save_as(out)
