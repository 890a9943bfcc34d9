#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Target registration error on synthetic deformations of real volumes (issue 13's proof), every
# Lightbox engine and elastix side by side in one run. Per case: the real series is exported with
# `lightbox convert`, bench/synth_deform.py builds a prior with a known map (rigid motion of a few
# degrees and mm plus a smooth field of max 8 mm; breathing-like for chest) and a few hundred
# landmarks on structure with their true prior positions. Then, each timed as a whole process
# (/usr/bin/time): `lightbox register --engine E` + `lightbox map-points` for E in rigid, affine,
# deformable, model, and elastix rigid + B-spline
# (bench/elastix_rigid_bspline_{1_rigid,2_bspline}.txt) + `transformix -def` for the points and
# `-jac all` for its folding. TRE = |mapped - truth| per landmark: mean, 95th percentile, max; the
# identity (no registration) is the baseline; "vs elastix" is the mean distance between an engine's
# mapped points and elastix's (rigid and affine against elastix's rigid stage, mapped alone). One
# table per case; all of it in OUT/results.json.
#
# usage: bench/registration_tre.sh [--threads N] [--out DIR] [--engines "rigid affine deformable model"]
#                                  [--no-elastix] [--regenerate] [--mem-gb G] [--repeat N] [CASE...]
# cases: popi (141-slice chest CT), cptac (contrast chest CT), mr (brain T1w, enhanced MR),
#        popi-small (POPI, 60 slices, 2x2 in-plane binning); `all` = popi cptac mr (the default);
#        sanity checks: mr-identity, mr-rigid, mr-translation, popi-small-rigid (`sanity` = all four);
#        issue 26's large deformations at any seed: popi-large-SEED, cptac-large-SEED (max 20 mm,
#        6 degrees, 10 mm) and mr-large-SEED (max 10 mm, 6 degrees, 10 mm); `issue26` = seeds
#        2611-2613 of POPI and 2614-2615 of CPTAC, 2621-2625 of the MR.
# The pairs are kept in OUT (default /tmp/lightbox-registration-tre) and reused while their
# generator arguments do not change (--regenerate forces them). Each registration runs with its
# virtual memory capped at --mem-gb (default 12; the machine is shared): over it, it fails as such.
# --repeat N runs every timed process (each engine and elastix) N times and reports the median
# wall time (peak RSS: the largest): on a shared virtual machine one run of the same elastix
# command took 11.7 s and 15.9 s on two days.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
threads=2
out=/tmp/lightbox-registration-tre
engines="rigid affine deformable model"
elastix=1
regenerate=0
mem_gb=12
repeat=1
cases=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --engines) engines="$2"; shift 2 ;;
    --no-elastix) elastix=0; shift ;;
    --regenerate) regenerate=1; shift ;;
    --mem-gb) mem_gb="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) cases+=("$1"); shift ;;
  esac
done
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "--repeat needs a whole number >= 1, not '$repeat'" >&2; exit 2; }
[ ${#cases[@]} -gt 0 ] || cases=(all)
expanded=()
for c in "${cases[@]}"; do
  case "$c" in
    all) expanded+=(popi cptac mr) ;;
    sanity) expanded+=(mr-identity mr-rigid mr-translation popi-small-rigid) ;;
    issue26) expanded+=(popi-large-2611 popi-large-2612 popi-large-2613 cptac-large-2614 cptac-large-2615
                        mr-large-2621 mr-large-2622 mr-large-2623 mr-large-2624 mr-large-2625) ;;
    *) expanded+=("$c") ;;
  esac
done

lb=${LIGHTBOX:-}
if [ -z "$lb" ]; then
  for c in build/app/lightbox build/bin/lightbox; do [ -x "$c" ] && { lb=$c; break; }; done
fi
[ -n "$lb" ] && [ -x "$lb" ] || { echo "lightbox binary not found: build first (scripts/build.sh) or set LIGHTBOX" >&2; exit 1; }
lb=$(realpath "$lb")
py=/usr/bin/python3
$py -c "import numpy" 2> /dev/null || { echo "$py lacks numpy" >&2; exit 1; }
if [ $elastix = 1 ]; then
  command -v elastix > /dev/null && command -v transformix > /dev/null ||
    { echo "elastix/transformix missing: scripts/setup.sh installs them (or pass --no-elastix)" >&2; exit 1; }
fi
data=$(realpath ../shared/data)
popi=$data/ct/chest_4dct_popi_phase00/dicom
cptac=$data/ct/chest_cptac-luad_c3n-00247_contrast/dicom
mr=$data/mr/brain_siemens_xa30_enhanced_t1w/dicom

# case -> "SOURCE|generator arguments"
case_spec() {
  case "$1" in
    popi) echo "$popi|--kind chest --seed 1301 --min-dist 12" ;;
    cptac) echo "$cptac|--kind chest --seed 1302 --min-dist 12" ;;
    mr) echo "$mr|--kind brain --seed 1303 --min-dist 8" ;;
    popi-small) echo "$popi|--kind chest --seed 1304 --min-dist 10 --crop-z 40:100 --downsample 2,2,1" ;;
    # Issue 26: deformations at least as large as the held-out ones (max 20 mm, 6 degrees, 10 mm).
    popi-large) echo "$popi|--kind chest --seed 2601 --min-dist 12 --def-mm 20 --rot-deg 6 --trans-mm 10" ;;
    popi-small-large) echo "$popi|--kind chest --seed 2602 --min-dist 10 --crop-z 40:100 --downsample 2,2,1 --def-mm 20 --rot-deg 6 --trans-mm 10" ;;
    cptac-large) echo "$cptac|--kind chest --seed 2603 --min-dist 12 --def-mm 20 --rot-deg 6 --trans-mm 10" ;;
    # Issue 26's sets: any seed, e.g. popi-large-2611 (seeds 2611-2699 were never tuned on).
    popi-large-[0-9]*) echo "$popi|--kind chest --seed ${1##*-} --min-dist 12 --def-mm 20 --rot-deg 6 --trans-mm 10" ;;
    cptac-large-[0-9]*) echo "$cptac|--kind chest --seed ${1##*-} --min-dist 12 --def-mm 20 --rot-deg 6 --trans-mm 10" ;;
    mr-large-[0-9]*) echo "$mr|--kind brain --seed ${1##*-} --min-dist 8 --def-mm 10 --rot-deg 6 --trans-mm 10" ;;
    mr-identity) echo "$mr|--kind brain --seed 1 --min-dist 8 --rot-deg 0 --trans-mm 0 --def-mm 0" ;;
    mr-rigid) echo "$mr|--kind brain --seed 2 --min-dist 8 --def-mm 0" ;;
    mr-translation) echo "$mr|--kind brain --seed 3 --min-dist 8 --rot-deg 0 --def-mm 0 --translation 4.5,-3,6" ;;
    popi-small-rigid) echo "$popi|--kind chest --seed 4 --min-dist 10 --crop-z 40:100 --downsample 2,2,1 --def-mm 0" ;;
    *) return 1 ;;
  esac
}

# Runs "$@" as a timed process --repeat times (stopping at a failure); writes DIR/seconds (one
# "wall peak-KB" line per run), DIR/rc, DIR/stdout.txt, DIR/stderr.txt (of the last run).
timed() {
  local dir=$1; shift
  mkdir -p "$dir"
  rm -f "$dir/seconds"
  local r
  set +e
  for ((r = 0; r < repeat; r++)); do
    (ulimit -v $((mem_gb * 1024 * 1024)); exec nice /usr/bin/time -a -f "%e %M" -o "$dir/seconds" "$@") \
      > "$dir/stdout.txt" 2> "$dir/stderr.txt"
    echo $? > "$dir/rc"
    [ "$(cat "$dir/rc")" = 0 ] || break
  done
  set -e
}

mkdir -p "$out"
for c in "${expanded[@]}"; do
  spec=$(case_spec "$c") || { echo "unknown case: $c" >&2; exit 2; }
  src=${spec%%|*}
  gen=${spec#*|}
  [ -e "$src" ] || { echo "missing data for $c: $src" >&2; exit 1; }
  cdir=$out/$c
  mkdir -p "$cdir"
  input=$out/input-$(basename "$(dirname "$src")").nii.gz
  [ -s "$input" ] || "$lb" convert "$src" "$input" > /dev/null
  stamp="$input $gen $(sha1sum bench/synth_deform.py | cut -c1-12)"
  if [ $regenerate = 1 ] || [ ! -s "$cdir/pair/truth.json" ] || [ "$(cat "$cdir/pair/stamp" 2> /dev/null)" != "$stamp" ]; then
    echo "== $c: generating the pair ($gen)" >&2
    rm -rf "$cdir/pair"
    # shellcheck disable=SC2086
    nice $py bench/synth_deform.py "$input" "$cdir/pair" $gen > /dev/null
    echo "$stamp" > "$cdir/pair/stamp"
  fi
  pair=$cdir/pair
  for e in $engines; do
    echo "== $c: lightbox register --engine $e" >&2
    rm -rf "$cdir/$e"
    timed "$cdir/$e" "$lb" register "$pair/current.nii.gz" "$pair/prior.nii.gz" -o "$cdir/$e/reg" --engine "$e" --threads "$threads"
    if [ "$(cat "$cdir/$e/rc")" = 0 ]; then
      "$lb" map-points "$cdir/$e/reg" "$pair/landmarks.csv" -o "$cdir/$e/mapped.csv" > /dev/null 2> "$cdir/$e/map-points.err" ||
        echo "map-points failed for $e: $(cat "$cdir/$e/map-points.err")" >&2
    fi
  done
  if [ $elastix = 1 ]; then
    echo "== $c: elastix rigid + B-spline" >&2
    rm -rf "$cdir/elastix"
    timed "$cdir/elastix" elastix -f "$pair/current.nii.gz" -m "$pair/prior.nii.gz" \
      -p bench/elastix_rigid_bspline_1_rigid.txt -p bench/elastix_rigid_bspline_2_bspline.txt \
      -out "$cdir/elastix" -threads "$threads"
    if [ "$(cat "$cdir/elastix/rc")" = 0 ]; then
      # transformix point file: "point", the count, then one "x y z" line each (physical = LPS mm).
      { echo point; wc -l < "$pair/landmarks.csv"; tr ',' ' ' < "$pair/landmarks.csv"; } > "$cdir/elastix/points.txt"
      mkdir -p "$cdir/elastix/tfx"
      transformix -def "$cdir/elastix/points.txt" -jac all -tp "$cdir/elastix/TransformParameters.1.txt" \
        -out "$cdir/elastix/tfx" -threads "$threads" > "$cdir/elastix/tfx/stdout.txt" 2>&1 ||
        echo "transformix failed: see $cdir/elastix/tfx/transformix.log" >&2
      # The rigid stage alone (its own row: elastix's rigid answer, e.g. for the pure-motion checks).
      mkdir -p "$cdir/elastix/tfx0"
      transformix -def "$cdir/elastix/points.txt" -tp "$cdir/elastix/TransformParameters.0.txt" \
        -out "$cdir/elastix/tfx0" -threads "$threads" > "$cdir/elastix/tfx0/stdout.txt" 2>&1 ||
        echo "transformix (rigid stage) failed: see $cdir/elastix/tfx0/transformix.log" >&2
    fi
  fi
  $py - "$cdir" "$c" "$engines" "$threads" "$root/bench" <<'PY'
import json, os, re, statistics, sys
import numpy as np
cdir, case, engines, threads, bench = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4], sys.argv[5]
sys.path.insert(0, bench)
from synth_deform import read_nifti

pair = os.path.join(cdir, "pair")
truth_info = json.load(open(os.path.join(pair, "truth.json")))
pts = np.loadtxt(os.path.join(pair, "landmarks.csv"), delimiter=",", ndmin=2)
truth = np.loadtxt(os.path.join(pair, "landmarks_truth.csv"), delimiter=",", ndmin=2)

def stats(mapped):
    e = np.linalg.norm(mapped - truth, axis=1)
    return {"tre_mean": float(e.mean()), "tre_p95": float(np.percentile(e, 95)), "tre_max": float(e.max())}

def read(path, default=""):
    return open(path).read().strip() if os.path.exists(path) else default

def runs(d):
    """(wall s, peak KB) per run: the lines /usr/bin/time wrote ("Command exited ..." left out)."""
    out = []
    for line in read(os.path.join(d, "seconds")).splitlines():
        f = line.split()
        if len(f) == 2 and f[0].replace(".", "", 1).isdigit() and f[1].isdigit():
            out.append((float(f[0]), float(f[1])))
    return out

def wall(d):
    return statistics.median(w for w, _ in runs(d))

def rss(d):
    return round(max(m for _, m in runs(d)) / 1048576, 2)

rows = [dict(engine="identity", status="baseline", seconds=0.0, folding_fraction=0.0, **stats(pts))]
mapped_by = {}
for e in engines:
    d = os.path.join(cdir, e)
    rc = int(read(os.path.join(d, "rc"), "-1"))
    err = read(os.path.join(d, "stderr.txt"))
    row = {"engine": "lightbox " + e, "rc": rc}
    if rc == 2 and "not built" in err:
        row["status"] = "not built"
    elif rc > 128:
        row["status"] = "killed (signal %d)" % (rc - 128)
    elif rc != 0:
        msg = [l for l in err.splitlines() if l.strip() and "WARNING" not in l and "does not support scaling" not in l]
        row["status"] = "failed (exit %d): %s" % (rc, msg[-1] if msg else "")
    elif not os.path.exists(os.path.join(d, "mapped.csv")):
        row["status"] = "map-points failed"
    else:
        m = np.loadtxt(os.path.join(d, "mapped.csv"), delimiter=",", ndmin=2)
        reg = json.load(open(os.path.join(d, "reg", "registration.json")))
        row.update(status="ok", seconds=wall(d), wall_runs=[w for w, _ in runs(d)], max_rss_gb=rss(d), internal_seconds=reg.get("seconds"), folding_fraction=reg.get("folding_fraction"),
                   **stats(m))
        mapped_by[e] = m
    rows.append(row)
d = os.path.join(cdir, "elastix")

def elastix_points(path):
    return np.array([list(map(float, re.search(r"OutputPoint = \[([^\]]*)\]", line).group(1).split()))
                     for line in open(path) if "OutputPoint" in line])

if os.path.exists(os.path.join(d, "rc")):
    rc = int(read(os.path.join(d, "rc"), "-1"))
    row = {"engine": "elastix rigid+bspline", "rc": rc}
    outpts = os.path.join(d, "tfx", "outputpoints.txt")
    if rc != 0 or not os.path.exists(outpts):
        row["status"] = "failed (exit %d)" % rc
    else:
        m = elastix_points(outpts)
        jac_path = [os.path.join(d, "tfx", f) for f in os.listdir(os.path.join(d, "tfx")) if f.startswith("spatialJacobian.nii")]
        fold = float((read_nifti(jac_path[0]).data <= 0).mean()) if jac_path else None
        row.update(status="ok", seconds=wall(d), wall_runs=[w for w, _ in runs(d)], max_rss_gb=rss(d), folding_fraction=fold, **stats(m))
        mapped_by["elastix"] = m
    rows.append(row)
    outpts0 = os.path.join(d, "tfx0", "outputpoints.txt")
    if rc == 0 and os.path.exists(outpts0):
        m0 = elastix_points(outpts0)
        rows.append(dict(engine="elastix rigid stage", status="ok (its first stage; time included above)",
                         seconds=None, folding_fraction=0.0, **stats(m0)))
        mapped_by["elastix rigid stage"] = m0
if "elastix" in mapped_by:
    for row in rows:
        key = row["engine"].replace("lightbox ", "")
        if key in mapped_by and key != "elastix":
            # Mean distance to elastix's mapped points (rigid engines against elastix's rigid stage).
            ref = "elastix rigid stage" if key in ("rigid", "affine") and "elastix rigid stage" in mapped_by else "elastix"
            if key != ref:
                row["vs_elastix_mm"] = float(np.linalg.norm(mapped_by[key] - mapped_by[ref], axis=1).mean())

print("\n%s: %s, %d landmarks; truth: rotation %.2f deg, translation %.2f mm, max |d| %.1f mm, min det J %.3f (threads %s)" % (
    case, "x".join(map(str, truth_info["size"])), len(pts), truth_info["rotation_deg"],
    float(np.linalg.norm(truth_info["translation_mm"])), truth_info["def_mm"], truth_info["jacobian_det_min"], threads))
fmt = "%-24s %8s %7s %9s %9s %9s %9s %10s  %s"
print(fmt % ("engine", "seconds", "RSS GB", "TRE mean", "TRE p95", "TRE max", "folding", "vs elastix", "status"))
for r in rows:
    if "tre_mean" in r:
        print(fmt % (r["engine"], "-" if r["seconds"] is None else "%.2f" % r["seconds"],
                     "%.2f" % r["max_rss_gb"] if "max_rss_gb" in r else "-", "%.2f" % r["tre_mean"], "%.2f" % r["tre_p95"], "%.2f" % r["tre_max"],
                     "-" if r.get("folding_fraction") is None else "%.4f" % r["folding_fraction"],
                     "%.2f" % r["vs_elastix_mm"] if "vs_elastix_mm" in r else "-", r["status"]))
    else:
        print(fmt % (r["engine"], "-", "-", "-", "-", "-", "-", "-", r["status"]))
by = {r["engine"]: r for r in rows}
ratios = {}
elx = by.get("elastix rigid+bspline", {})
for e in engines:
    r = by.get("lightbox " + e, {})
    if "tre_mean" in r and "tre_mean" in elx:
        ratios[e] = {"time": r["seconds"] / elx["seconds"], "tre_mean": r["tre_mean"] / elx["tre_mean"]}
for e in [k for k in ("deformable", "model") if k in ratios]:
    print("lightbox %s / elastix: time %.2f, TRE mean %.2f (goal: both <= 1; TRE mean < 1.5 mm)" % (
        e, ratios[e]["time"], ratios[e]["tre_mean"]))
if not any(k in ratios for k in ("deformable", "model")) and ratios:
    print("ratios to elastix (no deformable engine ran): " + ", ".join(
        "%s time %.2f TRE %.2f" % (k, v["time"], v["tre_mean"]) for k, v in ratios.items()))
json.dump({"case": case, "threads": int(threads), "truth": truth_info, "rows": rows, "ratios_to_elastix": ratios},
          open(os.path.join(cdir, "result.json"), "w"), indent=1)
PY
done
$py - "$out" "${expanded[@]}" <<'PY'
import json, os, sys
out, cases = sys.argv[1], sys.argv[2:]
merged = {c: json.load(open(os.path.join(out, c, "result.json"))) for c in cases}
json.dump(merged, open(os.path.join(out, "results.json"), "w"), indent=1)
print("\nresults: %s" % os.path.join(out, "results.json"))
PY
