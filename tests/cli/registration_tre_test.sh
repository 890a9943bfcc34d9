#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Registration against a known answer (issue 13), small enough for CTest: the real POPI chest CT,
# 40 slices binned 2x2 in-plane (256x256x40, 1.95x1.95x2 mm: the
# resolution the deformable engine works at; at 4x4 binning, 3.9 mm voxels, the B-spline stage
# gained only 0.06 mm over rigid), exported with `lightbox convert`, and
# two synthetic priors from bench/synth_deform.py: pure rigid motion, and rigid + a smooth
# breathing-like field (max 8 mm). Contracts, on ~150 landmarks on structure:
#   - rigid engine on the rigid pair: mean TRE < 0.5 mm (0.15 here);
#   - deformable engine on the deformed pair: mean TRE < 0.65 mm (0.48; the L-BFGS-B engine before
#     issue 26 ended at 1.16, or 0.77 when its stage was dropped) and below the rigid and the affine
#     engines' on the same pair;
#   - learned engine (model) on the deformed pair: mean TRE < 0.6 mm (0.37), its registration.json
#     names the model, its hash and the instance optimisation's levels (NCC rises);
#   - the points `lightbox map-points` gives equal, within 0.01 mm, the points mapped through the
#     exported ITK files (transform.tfm after deformation.nii.gz) by tests/cli/itk_transform_points.py,
#     which reads them without our code: a field composed after the affine instead of before moves
#     them by (A - I) u, up to 0.2 mm here, while the TRE changes by less than 0.01 mm.
# Missing data, python/numpy or the binary is a failure, not a skip.
# usage: registration_tre_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR
set -euo pipefail
lb=${1:?usage: registration_tre_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR}
data=${2:?usage: registration_tre_test.sh LIGHTBOX_BINARY SHARED_DATA_DIR}
here=$(cd "$(dirname "$0")" && pwd)
synth=$here/../../bench/synth_deform.py
py=/usr/bin/python3
popi=$data/ct/chest_4dct_popi_phase00/dicom
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$lb" ] || fail "lightbox binary missing: $lb"
[ -d "$popi" ] || fail "test data missing: $popi"
[ -f "$synth" ] || fail "generator missing: $synth"
$py -c "import numpy" || fail "$py cannot import numpy"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$lb" convert "$popi" "$work/popi.nii.gz" > /dev/null || fail "lightbox convert failed"
common=(--kind chest --crop-z 50:90 --downsample 2,2,1 --landmarks 150 --min-dist 8 --edge-mm 10)
$py "$synth" "$work/popi.nii.gz" "$work/rigid" "${common[@]}" --seed 7 --def-mm 0 > /dev/null || fail "synth_deform (rigid) failed"
$py "$synth" "$work/popi.nii.gz" "$work/deformed" "${common[@]}" --seed 8 > /dev/null || fail "synth_deform (deformed) failed"

# Registers PAIR with ENGINE, maps its landmarks and prints "mean p95 max" TRE in mm.
tre() {
  local pair=$work/$1 engine=$2 out=$work/$1-$2 rc=0 t0=$SECONDS
  # 8 GB of address space at most: a runaway engine fails here instead of starving the machine. Not
  # under a sanitizer (scripts/sanitize.sh): its shadow memory needs terabytes of address space.
  (if [ -z "${ASAN_OPTIONS:-}${TSAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ]; then ulimit -v $((8 * 1024 * 1024)); fi
   exec "$lb" register "$pair/current.nii.gz" "$pair/prior.nii.gz" -o "$out" \
    --engine "$engine" --threads 2) > "$work/log" 2>&1 || rc=$?
  echo "register --engine $engine on $1: exit $rc after $((SECONDS - t0)) s" >&2
  [ $rc = 0 ] || fail "register --engine $engine on $1 exited $rc: $(tail -3 "$work/log")"
  "$lb" map-points "$out" "$pair/landmarks.csv" -o "$out/mapped.csv" > /dev/null || fail "map-points failed"
  $py - "$pair/landmarks_truth.csv" "$out/mapped.csv" <<'PY'
import sys
import numpy as np
truth = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
mapped = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
assert truth.shape == mapped.shape, (truth.shape, mapped.shape)
e = np.linalg.norm(mapped - truth, axis=1)
print("%.3f %.3f %.3f" % (e.mean(), np.percentile(e, 95), e.max()))
PY
}
below() { $py -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$1" "$2"; }
# $1 <= $2 within 0.01 mm (the rounding of the printed TRE)
not_above() { $py -c "import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) + 0.01 else 1)" "$1" "$2"; }
identity() {
  $py - "$work/$1/landmarks.csv" "$work/$1/landmarks_truth.csv" <<'PY'
import sys
import numpy as np
a, b = (np.loadtxt(p, delimiter=",", ndmin=2) for p in sys.argv[1:3])
print("%.3f" % np.linalg.norm(a - b, axis=1).mean())
PY
}

read -r mean p95 max < <(tre rigid rigid) || fail "rigid engine unavailable"
echo "rigid pair (identity TRE $(identity rigid) mm): rigid engine TRE mean $mean, p95 $p95, max $max mm"
below "$mean" 0.5 || fail "rigid engine on a purely rigid pair: mean TRE $mean mm, want < 0.5 mm"

read -r rmean rp95 rmax < <(tre deformed rigid) || fail "rigid engine unavailable"
echo "deformed pair (identity TRE $(identity deformed) mm): rigid engine TRE mean $rmean, p95 $rp95, max $rmax mm"
read -r amean ap95 amax < <(tre deformed affine) || fail "affine engine unavailable"
echo "deformed pair: affine engine TRE mean $amean, p95 $ap95, max $amax mm"
rc=0
result=$(tre deformed deformable) || rc=$?
[ $rc = 0 ] || fail "deformable engine unavailable (exit $rc)"
read -r dmean dp95 dmax <<< "$result"
echo "deformed pair: deformable engine TRE mean $dmean, p95 $dp95, max $dmax mm"
below "$dmean" 0.65 || fail "deformable engine: mean TRE $dmean mm, want < 0.65 mm"
below "$dmean" "$rmean" || fail "deformable engine: mean TRE $dmean mm is not below the rigid engine's $rmean mm"
# Better than the stage it started from (issue 26): the L-BFGS-B engine ended worse than the affine
# here (1.16 vs 0.77 mm; its stage was then dropped by the held-back check).
below "$dmean" "$amean" ||
  fail "deformable engine: mean TRE $dmean mm is not below the affine stage's $amean mm it started from"
out=$work/deformed-deformable
$py - "$out/registration.json" "$out" <<'PY' || fail "registration.json of the deformable run is not as documented"
import json, os, sys
j = json.load(open(sys.argv[1]))
assert [s["name"] for s in j["stages"]] == ["rigid", "affine", "deformable"], j["stages"]
assert [len(s["levels"]) for s in j["stages"]] == [3, 3, 4], j["stages"]
d = j["stages"][2]
assert "held_back_similarity" in d, d
field = os.path.exists(os.path.join(sys.argv[2], "deformation.nii.gz"))
if d["kept"]:
    assert field and j["itk_displacement_field"] == "deformation.nii.gz"
    assert 0.0 <= j["folding_fraction"] < 0.001, j["folding_fraction"]
else:
    assert d["dropped_reason"], d  # said, and the affine result is the transform: no field
    assert not field and "itk_displacement_field" not in j, j
assert 0.0 < j["quality"]["median_local_ncc"] <= 1.0 and j["quality"]["threshold"] == 0.7, j["quality"]
print("deformable run: stage %s%s, %.1f s" % ("kept" if d["kept"] else "dropped: ", "" if d["kept"] else d["dropped_reason"], j["seconds"]))
PY

result=$(tre deformed model) || fail "model engine failed"
read -r mmean mp95 mmax <<< "$result"
echo "deformed pair: model engine TRE mean $mmean, p95 $mp95, max $mmax mm"
below "$mmean" 0.6 || fail "model engine: mean TRE $mmean mm, want < 0.6 mm"
below "$mmean" "$rmean" || fail "model engine: mean TRE $mmean mm is not below the rigid engine's $rmean mm"
$py - "$work/deformed-model/registration.json" <<'PY' || fail "registration.json of the model run is not as documented"
import json, sys
j = json.load(open(sys.argv[1]))
assert [s["name"] for s in j["stages"]] == ["rigid", "affine", "model"], j["stages"]
m = j["model"]
assert m["name"].startswith("lightbox-registration "), m
assert len(m["weights_sha256"]) == 64
levels = m["instance_optimisation"]
assert [l["name"] for l in levels] == ["4mm", "full"], levels
assert all(l["ncc_after"] > l["ncc_before"] for l in levels), levels
assert 0.0 <= j["folding_fraction"] < 0.001, j["folding_fraction"]
assert j["stages"][2]["kept"] and m["instance_optimisation_kept"], j["stages"]
print("model run: network %.1f s, NCC %s, %.1f s" % (m["network_seconds"],
      " -> ".join("%.4f" % v for v in [levels[0]["ncc_before"]] + [l["ncc_after"] for l in levels]), j["seconds"]))
PY
# The model's map is kept here: its field for ITK tools beside the transform.
out=$work/deformed-model
[ -s "$out/deformation.nii.gz" ] || fail "no deformation.nii.gz beside the model's transform"
[ -s "$out/transform.json.field.f32" ] || fail "no field data beside the model's transform.json"
# The same points through the ITK files, read by an independent reader in ITK's composite order.
$py "$here/itk_transform_points.py" "$out/transform.tfm" "$out/deformation.nii.gz" "$work/deformed/landmarks.csv" \
  > "$out/itk_mapped.csv" || fail "the exported ITK files could not be read"
$py "$here/itk_transform_points.py" "$out/transform.tfm" "$work/deformed/landmarks.csv" > "$out/affine_mapped.csv" ||
  fail "the exported ITK affine could not be read"
$py - "$out/mapped.csv" "$out/itk_mapped.csv" "$out/affine_mapped.csv" "$work/deformed/landmarks_truth.csv" <<'PY' ||
import sys
import numpy as np
ours, itk, affine, truth = (np.loadtxt(p, delimiter=",", ndmin=2) for p in sys.argv[1:5])
apart = np.linalg.norm(ours - itk, axis=1)
field = np.linalg.norm(itk - affine, axis=1)
print("map-points vs the ITK files: %.4f mm apart at most (the field moves the points %.2f mm on average); "
      "TRE through the ITK files %.3f mm" % (apart.max(), field.mean(), np.linalg.norm(itk - truth, axis=1).mean()))
assert field.mean() > 0.2, "the field does nothing here: the check would not see a wrong composition"
assert apart.max() < 0.01, "map-points and the ITK files disagree by up to %.3f mm" % apart.max()
PY
  fail "lightbox map-points does not map as the exported ITK transform and field do"
echo "PASS"
