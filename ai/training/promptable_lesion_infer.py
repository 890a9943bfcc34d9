# SPDX-License-Identifier: Apache-2.0
"""The engine's procedure in Python, for cross-validation during training (the C++ engine,
ai/segmentation/PromptableLesionEngine.cpp, does the same; `lightbox eval-clicks` measures that).

A first pass on a 96 mm cube centred on the click (2 mm samples); while the lesion connected to the
click touches a face of the cube inside the image, the spacing doubles (up to 8 mm: a 384 mm cube) and
the cube moves to the lesion's centre; a lesion smaller than 30 % of the cube is seen once more at
the spacing that makes it about 55 % of the cube (at least 0.5 mm). The probability comes back to
the image's grid trilinearly; >= 0.5 is the lesion. A correction click reruns the last cube with all
clicks and changes only the region it points at: an add click adds the part of the new mask that is
new and connected to the click, a remove click removes the part of the old mask that the new one
drops and that is connected to the click. The C++ engine's correction also claims a region by
geodesic fronts (core geodesicClaim); this mirror does not, so its Dice after corrections is lower
than `lightbox eval-clicks` gives for the same weights.
"""
import numpy as np
import torch
import torch.nn.functional as F

from promptable_lesion_data import sample_cube
from promptable_lesion_model import EDGE, model_input


def flood(mask, seed_zyx, limit=400):
    """The 26-connected part of `mask` (bool tensor) containing the seed; empty when the seed is outside."""
    z, y, x = seed_zyx
    if not (0 <= z < mask.shape[0] and 0 <= y < mask.shape[1] and 0 <= x < mask.shape[2]) or not bool(mask[z, y, x]):
        return torch.zeros_like(mask)
    m = mask.float()[None, None]
    cur = torch.zeros_like(m)
    cur[0, 0, z, y, x] = 1
    for _ in range(limit):
        nxt = F.max_pool3d(cur, 3, 1, 1) * m
        if torch.equal(nxt, cur):
            break
        cur = nxt
    return cur[0, 0] > 0.5


class Engine:
    def __init__(self, net, min_spacing=0.5, max_spacing=8.0, first_spacing=2.0):
        self.net = net.eval()
        self.min_s, self.max_s, self.first_s = min_spacing, max_spacing, first_spacing

    def run_cube(self, img, centre, s, clicks):
        v, valid, _, to_patch = sample_cube(img, centre, s, mask=False)
        pc = [to_patch(c[:3]) + (c[3],) for c in clicks]
        x = model_input(v, valid, img.modality, pc)
        with torch.no_grad():
            prob = torch.sigmoid(self.net(x[None]))[0, 0]
        self.last_samples = torch.as_tensor(np.asarray(v, np.float64))
        return prob, valid, pc

    def spread(self, comp, valid):
        """The standard deviation of the last cube's samples in the component (kept by run_cube)."""
        vals = self.last_samples[comp & (torch.as_tensor(valid) > 0.5)]
        return float(vals.std(unbiased=False)) if vals.numel() > 1 else 0.0

    def component(self, prob, at):
        a, b, c = (int(round(t)) for t in at)
        m = prob >= 0.5
        e = EDGE
        if not (0 <= a < e and 0 <= b < e and 0 <= c < e):
            return torch.zeros_like(m)
        if not bool(m[c, b, a]):  # the nearest lesion sample within 2 samples
            lo = [max(0, t - 2) for t in (c, b, a)]
            sub = m[lo[0]:c + 3, lo[1]:b + 3, lo[2]:a + 3]
            idx = torch.nonzero(sub)
            if idx.shape[0] == 0:
                return torch.zeros_like(m)
            d = ((idx - torch.tensor([c - lo[0], b - lo[1], a - lo[2]])) ** 2).sum(1)
            k = idx[int(torch.argmin(d))]
            c, b, a = int(k[0]) + lo[0], int(k[1]) + lo[1], int(k[2]) + lo[2]
        return flood(m, (c, b, a), 200)

    def coarse_to_fine(self, img, clicks):
        """Returns (prob, comp, centre, s, passes, touches)."""
        first = next(c for c in clicks if c[3])
        centre = np.array(first[:3], np.float64)
        first_centre = centre.copy()
        # As the C++ engine (kCoarseImageFactor): a coarse image is not sampled much finer than it is.
        s = min(self.max_s, max(self.first_s, 0.6 * max(img.spacing[0], img.spacing[1])))
        passes = []
        touches = False
        for _ in range(7):
            prob, valid, pc = self.run_cube(img, centre, s, clicks)
            comp = self.component(prob, pc[0][:3])
            first_spread = self.spread(comp, valid)
            passes.append(s)
            if not bool(comp.any()):
                return prob, comp, centre, s, passes, False
            touches, ext, new_centre = self._facts(img, comp, valid, centre, s)
            # As the C++ engine (kWiderLookMinFill, kWiderLookRatio, kWiderLookUniformRatio,
            # kWiderLookSpreadRatio): a first mask spanning a third of the window is looked at through
            # one twice as wide, kept on MR when it holds > 4x the volume, on CT and PET when it holds
            # more and the image's standard deviation in it is at most 1.3 times the first mask's.
            if len(passes) == 1 and not touches and ext >= 0.3 * EDGE * s and s * 2 <= self.max_s:
                wprob, wvalid, wpc = self.run_cube(img, first_centre, s * 2, clicks)
                wcomp = self.component(wprob, wpc[0][:3])
                passes.append(s * 2)
                ratio = float(wcomp.sum()) * 8.0 / max(1.0, float(comp.sum()))
                keep = ratio > 4.0 if img.modality == "MR" else (
                    ratio > 1.0 and self.spread(wcomp, wvalid) <= 1.3 * first_spread)
                if keep:
                    s, centre, prob, comp, valid = s * 2, first_centre.copy(), wprob, wcomp, wvalid
                    touches, ext, new_centre = self._facts(img, comp, valid, centre, s)
            if touches and s < self.max_s:
                s = min(self.max_s, s * 2)
                centre = new_centre
                continue
            if not touches and ext < 0.3 * EDGE * s and s > self.min_s and len(passes) < 7 and passes.count(s) == 1:
                s2 = max(self.min_s, ext / (0.55 * EDGE))
                if s2 < s * 0.8:
                    s, centre = s2, new_centre
                    continue
            break
        return prob, comp, centre, s, passes, touches

    def _facts(self, img, comp, valid, centre, s):
        """Whether the component meets a face inside the image, its extent (mm), its middle (native)."""
        faces = [comp[0], comp[-1], comp[:, 0], comp[:, -1], comp[:, :, 0], comp[:, :, -1]]
        vfaces = [valid[0], valid[-1], valid[:, 0], valid[:, -1], valid[:, :, 0], valid[:, :, -1]]
        touches = any(bool((f & (vf > 0.5)).any()) for f, vf in zip(faces, vfaces))
        idx = torch.nonzero(comp).float()
        lo, hi = idx.min(0).values, idx.max(0).values
        mid_zyx = (lo + hi) / 2
        ext = float((hi - lo + 1).max()) * s
        middle = self._patch_to_native(img, centre, s, (float(mid_zyx[2]), float(mid_zyx[1]), float(mid_zyx[0])))
        return touches, ext, middle

    @staticmethod
    def _patch_to_native(img, centre, s, abc):
        sp = img.spacing
        return np.array([centre[k] + (abc[k] - EDGE / 2 + 0.5) * s / sp[k] for k in range(3)])

    def to_native(self, img, prob_comp, centre, s):
        """Probability (masked to the component, dilated by one sample) on the image grid."""
        z, y, x = img.shape
        sp = img.spacing
        half = EDGE / 2 * s
        lo = [max(0, int(np.floor(centre[k] - half / sp[k]))) for k in range(3)]
        hi = [min(n - 1, int(np.ceil(centre[k] + half / sp[k]))) for k, n in enumerate((x, y, z))]
        out = torch.zeros(z, y, x)
        if any(h < l for l, h in zip(lo, hi)):
            return out
        ax = [(torch.arange(lo[k], hi[k] + 1, dtype=torch.float32) - centre[k]) * sp[k] / s + EDGE / 2 - 0.5 for k in range(3)]
        gz, gy, gx = torch.meshgrid(ax[2], ax[1], ax[0], indexing="ij")
        grid = torch.stack([gx / (EDGE - 1) * 2 - 1, gy / (EDGE - 1) * 2 - 1, gz / (EDGE - 1) * 2 - 1], -1)[None]
        p = F.grid_sample(prob_comp[None, None], grid, mode="bilinear", padding_mode="zeros", align_corners=True)[0, 0]
        out[lo[2]:hi[2] + 1, lo[1]:hi[1] + 1, lo[0]:hi[0] + 1] = p
        return out

    def segment(self, img, clicks):
        """clicks: [(x, y, z, positive)] native voxel indices, the first one positive. Returns the
        mask (bool, image grid) and the state for corrections."""
        prob, comp, centre, s, passes, touches = self.coarse_to_fine(img, clicks[:1])
        keep = F.max_pool3d(comp.float()[None, None], 3, 1, 1)[0, 0]
        mask = self.to_native(img, prob * keep, centre, s) >= 0.5
        state = {"centre": centre, "s": s, "clicks": list(clicks[:1]), "passes": passes, "touches": touches}
        for c in clicks[1:]:
            mask = self.correct(img, mask, state, c)
        return mask, state

    def correct(self, img, mask, state, click):
        state["clicks"].append(click)
        centre, s = state["centre"], state["s"]
        # a click outside the cube's inner 80 %: the cube grows (and moves) to take it in
        d = max(abs(click[k] - centre[k]) * img.spacing[k] for k in range(3))
        if d > 0.4 * EDGE * s:
            s = min(self.max_s, max(s, d / (0.4 * EDGE)))
            state["s"] = s
        prob, valid, pc = self.run_cube(img, centre, s, state["clicks"])
        new = self.to_native(img, prob, centre, s) >= 0.5
        x, y, z = (int(round(t)) for t in click[:3])
        if click[3]:
            grow = flood(new & ~mask, (z, y, x))
            if not bool(grow.any()) and not bool(mask[z, y, x]):
                grow = torch.zeros_like(mask)
                grow[max(0, z - 1):z + 2, max(0, y - 1):y + 2, max(0, x - 1):x + 2] = True
            return mask | grow
        drop = flood(mask & ~new, (z, y, x))
        if not bool(drop.any()) and bool(mask[z, y, x]):
            drop = torch.zeros_like(mask)
            drop[max(0, z - 1):z + 2, max(0, y - 1):y + 2, max(0, x - 1):x + 2] = True
        return mask & ~drop


def dice(a, b):
    a, b = a.bool(), b.bool()
    s = int(a.sum()) + int(b.sum())
    return 1.0 if s == 0 else 2.0 * int((a & b).sum()) / s


def deepest(mask, spacing):
    """The most interior voxel (x, y, z) of the largest-ish error region: the voxel that survives
    the most in-plane-weighted erosions (an approximation of eval-clicks' distance-transform maximum)."""
    m = mask.float()[None, None]
    depth = torch.zeros_like(m)
    cur = m
    for _ in range(100):
        if not bool(cur.any()):
            break
        depth += cur
        cur = -F.max_pool3d(-cur, 3, 1, 1)
    k = int(torch.argmax(depth))
    z, rem = divmod(k, mask.shape[1] * mask.shape[2])
    y, x = divmod(rem, mask.shape[2])
    return x, y, z


def evaluate(engine, img, corrections=3):
    """One click at the lesion's most interior point, then corrections at the most interior point
    of the error; returns the Dice after 0..corrections clicks."""
    ref = img.mask[0, 0] > 0.5
    x, y, z = deepest(ref, img.spacing)
    clicks = [(x, y, z, True)]
    mask, state = engine.segment(img, clicks)
    out = [dice(mask, ref)]
    for _ in range(corrections):
        miss, extra = ref & ~mask, mask & ~ref
        if not bool(miss.any()) and not bool(extra.any()):
            out.append(out[-1])
            continue
        use_miss = int(miss.sum()) >= int(extra.sum())
        err = miss if use_miss else extra
        cx, cy, cz = deepest(err, img.spacing)
        mask = engine.correct(img, mask, state, (cx, cy, cz, use_miss))
        out.append(dice(mask, ref))
    return out, state
