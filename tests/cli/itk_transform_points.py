#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Maps points through a registration's ITK files, read here without Lightbox's code (issue 25: the
# TRE test's independent reference): transform.tfm (AffineTransform_double_3_3, LPS, centre in
# FixedParameters) and deformation.nii.gz (a float32 vector NIfTI, LPS displacement in mm, read by
# the NIfTI-1 header's sform or qform). ITK's composite order, as registration.json documents:
#   prior = A (p + u(p) - c) + c + t, u trilinear on the field's grid.
# usage: itk_transform_points.py TRANSFORM.tfm [deformation.nii.gz] POINTS.csv  -> x,y,z per line
import gzip
import struct
import sys

import numpy as np


def read_tfm(path):
    params = fixed = None
    kind = None
    for line in open(path):
        if line.startswith("Transform:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("Parameters:"):
            params = [float(v) for v in line.split(":", 1)[1].split()]
        elif line.startswith("FixedParameters:"):
            fixed = [float(v) for v in line.split(":", 1)[1].split()]
    if kind != "AffineTransform_double_3_3" or params is None or len(params) != 12 or fixed is None or len(fixed) != 3:
        sys.exit("%s: not a 3-D ITK affine transform file (%s)" % (path, kind))
    return np.array(params[:9]).reshape(3, 3), np.array(params[9:]), np.array(fixed)


def read_field(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    endian = "<" if struct.unpack("<i", raw[:4])[0] == 348 else ">"
    if struct.unpack(endian + "i", raw[:4])[0] != 348:
        sys.exit("%s: not a NIfTI-1 file" % path)
    dim = struct.unpack(endian + "8h", raw[40:56])
    datatype = struct.unpack(endian + "h", raw[70:72])[0]
    vox_offset = int(struct.unpack(endian + "f", raw[108:112])[0])
    slope, inter = struct.unpack(endian + "2f", raw[112:120])
    qform_code, sform_code = struct.unpack(endian + "2h", raw[252:256])
    if datatype != 16 or dim[0] != 5 or dim[4] != 1 or dim[5] != 3:
        sys.exit("%s: not a float32 3-vector field (dim %s, datatype %d)" % (path, dim, datatype))
    nx, ny, nz = dim[1:4]
    if sform_code > 0:
        srow = np.array(struct.unpack(endian + "12f", raw[280:328]), dtype=float).reshape(3, 4)
    elif qform_code > 0:
        b, c, d = struct.unpack(endian + "3f", raw[256:268])
        offset = np.array(struct.unpack(endian + "3f", raw[268:280]))
        pixdim = struct.unpack(endian + "8f", raw[76:108])
        a = np.sqrt(max(0.0, 1.0 - (b * b + c * c + d * d)))
        r = np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                      [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
                      [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]])
        qfac = -1.0 if pixdim[0] < 0 else 1.0
        srow = np.hstack([r * np.array([pixdim[1], pixdim[2], qfac * pixdim[3]]), offset[:, None]])
    else:
        sys.exit("%s: no sform or qform" % path)
    data = np.frombuffer(raw, dtype=endian + "f4", count=nx * ny * nz * 3, offset=vox_offset).astype(float)
    if slope not in (0.0, 1.0) or inter != 0.0:
        data = data * (slope if slope else 1.0) + inter
    # NIfTI order: x fastest, the vector component slowest.
    field = data.reshape(3, nz, ny, nx)
    # index -> RAS is srow; LPS = diag(-1, -1, 1) RAS.
    ras_from_index = np.vstack([srow, [0, 0, 0, 1]])
    lps_from_ras = np.diag([-1.0, -1.0, 1.0, 1.0])
    index_from_lps = np.linalg.inv(lps_from_ras @ ras_from_index)
    return field, index_from_lps


def trilinear(field, ijk):
    """ITK's DisplacementFieldTransform: zero outside [-0.5, size - 0.5] in index space, else trilinear."""
    size = np.array(field.shape[:0:-1])  # nx, ny, nz
    inside = np.all((ijk >= -0.5) & (ijk <= size - 0.5), axis=1)
    c = np.clip(ijk, 0, size - 1)
    base = np.minimum(np.floor(c).astype(int), np.maximum(size - 2, 0))
    frac = c - base
    out = np.zeros((len(ijk), 3))
    for dz in (0, 1):
        for dy in (0, 1):
            for dx in (0, 1):
                w = (np.where(dx, frac[:, 0], 1 - frac[:, 0]) * np.where(dy, frac[:, 1], 1 - frac[:, 1])
                     * np.where(dz, frac[:, 2], 1 - frac[:, 2]))
                i = np.minimum(base[:, 0] + dx, size[0] - 1)
                j = np.minimum(base[:, 1] + dy, size[1] - 1)
                k = np.minimum(base[:, 2] + dz, size[2] - 1)
                out += w[:, None] * field[:, k, j, i].T
    out[~inside] = 0.0
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: itk_transform_points.py TRANSFORM.tfm [deformation.nii.gz] POINTS.csv")
    matrix, translation, centre = read_tfm(sys.argv[1])
    points = np.loadtxt(sys.argv[-1], delimiter=",", ndmin=2)
    moved = points.copy()
    if len(sys.argv) == 4:
        field, index_from_lps = read_field(sys.argv[2])
        ijk = (index_from_lps @ np.hstack([points, np.ones((len(points), 1))]).T).T[:, :3]
        moved = points + trilinear(field, ijk)
    mapped = (matrix @ (moved - centre).T).T + centre + translation
    for p in mapped:
        print("%.6f,%.6f,%.6f" % tuple(p))


if __name__ == "__main__":
    main()
