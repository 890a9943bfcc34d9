#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Trains the promptable lesion model (lightbox-lesion-prompt) for CT, MR and PET.

  /usr/bin/python3 ai/training/train_promptable_lesion.py cv FOLD FOLDS SARCOMA_DIR LUNG_CT.nii OUT.json
      trains on every case not in fold FOLD (cases split by name, every FOLDS-th) and evaluates the
      held-out cases with the engine's procedure (one click at the most interior point, then 3
      simulated corrections); writes the per-image Dice to OUT.json. LIGHTBOX_OWN_CLICKS_FROM=0.2
      (cv and final): clicks on the network's own errors in half the steps from a fifth of the
      iterations on (measured on the folds, no better at 500 iterations: model card); unset, the
      shipped recipe.
  /usr/bin/python3 ai/training/train_promptable_lesion.py final SARCOMA_DIR LUNG_CT.nii OUT_MODELS_DIR GOLDEN_JSON
      trains on every case and exports TorchScript (with this torch: 1.13), the manifest and the golden values.

  /usr/bin/python3 ai/training/train_promptable_lesion.py correct WEIGHTS FOLD FOLDS SARCOMA_DIR LUNG_CT.nii OUT
      fine-tunes weights (FOLD held out; -1: every case) for LIGHTBOX_CORRECT_ITERS (150) iterations
      where every other step adds 1-3 correction clicks at the most interior point of what the network
      itself gets wrong (LIGHTBOX_OWN_CLICKS=0: the same steps without them, the control); writes
      OUT.pt (a state dict). WEIGHTS is a state dict, or an exported TorchScript: its batch norms,
      folded by the exporter, are unfolded and given the statistics of training cubes
      (LIGHTBOX_FROZEN_BN=1: kept frozen instead; measured worse on MR). Measured on the folds and on
      the shipped model (model card); not shipped.

  /usr/bin/python3 ai/training/train_promptable_lesion.py export-ensemble OUT_MODELS_DIR GOLDEN_JSON WEIGHTS WEIGHTS...
      exports several trained networks (state dicts or exported TorchScripts) as one TorchScript
      whose output is the mean of their logits, with the golden values (two runs' folds as one:
      the members' mean, not better; model card; not shipped).

CPU, deterministic per seed (20261204) (checked across processes, one thread; another thread count
or lung CT conversion need not give the same weights); LIGHTBOX_ITERS iterations of 8 cubes
(default 900). Two runs of the same recipe differed by 0.026 in the folds' one-click mean (0.08
on CT; model card): compare recipes over more than one run.
"""
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from promptable_lesion_data import Image, Sampler, load_sarcomas, read_nifti  # noqa: E402
from promptable_lesion_infer import Engine, evaluate  # noqa: E402
from promptable_lesion_model import CHANNELS, EDGE, PromptableLesionNet, click_maps, golden_case, model_input  # noqa: E402

SEED = 20261204
ITERS = int(os.environ.get("LIGHTBOX_ITERS", "900"))
BATCH = 8


def own_error_clicks(net, x, y, rng, share=0.7, rounds=3):
    """Correction clicks where the network itself is wrong, roughly as `lightbox eval-clicks`
    simulates a reader: for `share` of the cubes, 1-`rounds` times, the network's mask with the
    clicks so far, then a click at the deepest point of what it gets wrong (positive where it misses
    lesion, negative where it takes too much), added to the click channels. x is changed in place;
    the network is left in eval mode (train() sets its mode for the step).
    Differences from eval-clicks: the deepest point of all the error, not of its largest component,
    by 3x3x3 erosion in samples (not the distance in mm), and the cube's faces are no boundary."""
    net.eval()
    todo = [i for i in range(x.shape[0]) if rng.random() < share]
    want = {i: int(rng.integers(1, rounds + 1)) for i in todo}
    with torch.no_grad():
        for r in range(rounds):
            todo = [i for i in todo if want[i] > r]
            if not todo:
                break
            p = torch.sigmoid(net(x[todo]))
            for j, i in enumerate(todo):
                wrong = ((p[j, 0] >= 0.5) != (y[i, 0] >= 0.5)) & (x[i, 7] > 0.5)
                if not bool(wrong.any()):
                    continue
                # the deepest point of the error: erode until nothing is left, keep the last layer
                cur = wrong.float()[None, None]
                while True:
                    nxt = -F.max_pool3d(-cur, 3, 1, 1)
                    if not bool((nxt > 0.5).any()):
                        break
                    cur = nxt
                pts = torch.nonzero(cur[0, 0] > 0.5)
                c, b, a = pts[int(rng.integers(pts.shape[0]))].tolist()
                positive = bool(y[i, 0, c, b, a] >= 0.5)
                x[i, 8 if positive else 9] = torch.maximum(x[i, 8 if positive else 9],
                                                            click_maps(EDGE, [(a, b, c, True)])[0])


def unfold_torchscript(scripted, path):
    """A state dict for PromptableLesionNet from an exported (frozen) TorchScript of it, whose batch
    norms the exporter folded into the convolutions: each convolution's weight as exported, each
    batch norm the identity plus the folded bias (gamma 1, beta the bias, mean 0, variance 1 - eps).
    Exact in eval mode; then recalibrate_batch_norms() before training with batch statistics, or
    train with the batch norms frozen (`frozen_bn`)."""
    graph = scripted.graph
    convs = []
    for node in graph.nodes():
        if node.kind() == "aten::_convolution":
            inputs = list(node.inputs())
            convs.append((inputs[1].toIValue(), inputs[2].toIValue()))
    net = PromptableLesionNet()
    layers = [m for m in net.modules() if isinstance(m, (torch.nn.Conv3d, torch.nn.BatchNorm3d))]
    if len(convs) != sum(isinstance(m, torch.nn.Conv3d) for m in layers):
        raise SystemExit(f"{path}: {len(convs)} convolutions, not PromptableLesionNet's")
    k = 0
    with torch.no_grad():
        for i, m in enumerate(layers):
            if not isinstance(m, torch.nn.Conv3d):
                continue
            weight, bias = convs[k]
            k += 1
            m.weight.copy_(weight)
            following = layers[i + 1] if i + 1 < len(layers) else None
            if isinstance(following, torch.nn.BatchNorm3d):
                following.weight.fill_(1.0)
                following.bias.copy_(bias)
                following.running_mean.zero_()
                following.running_var.fill_(1.0 - following.eps)
            else:
                m.bias.copy_(bias)
    return net.state_dict()


def recalibrate_batch_norms(net, sampler, batches=16):
    """Gives an unfolded network's batch norms (the identity plus a bias) the statistics of their
    inputs on training cubes, without changing the function in eval mode: mean m and variance v
    measured, gamma sqrt(v + eps), beta m + bias. So training with batch statistics starts from
    the exported model rather than from a network whose normalisation it never had."""
    norms = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm3d)]
    sums = {id(m): [0.0, 0.0, 0] for m in norms}

    def hook(module, inputs):
        x = inputs[0].detach().double()
        acc = sums[id(module)]
        acc[0] = acc[0] + x.sum((0, 2, 3, 4))
        acc[1] = acc[1] + (x * x).sum((0, 2, 3, 4))
        acc[2] += x.numel() // x.shape[1]

    handles = [m.register_forward_pre_hook(hook) for m in norms]
    net.eval()
    with torch.no_grad():
        for _ in range(batches):
            net(torch.stack([sampler.draw()[0] for _ in range(BATCH)]))
    for h in handles:
        h.remove()
    with torch.no_grad():
        for m in norms:
            total, squares, count = sums[id(m)]
            mean = total / count
            var = (squares / count - mean * mean).clamp(min=1e-6)
            bias = m.bias.double().clone()
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)
            m.weight.copy_(torch.sqrt(var + m.eps))
            m.bias.copy_(mean + bias)


def set_train_mode(net, frozen_bn):
    net.train()
    if frozen_bn:
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm3d):
                m.eval()


def train(images, lung, log, start=None, iters=ITERS, max_lr=3e-3, real_share=0.65, lung_share=0.15, seed=SEED,
          own_clicks=False, frozen_bn=False, recalibrate=False, own_from=0):
    """From scratch, or (start: a state dict) fine-tuned with another mix of sources; with
    `own_clicks`, half the steps from iteration `own_from` on add correction clicks where the
    network itself is wrong; with `frozen_bn`, the batch norms keep their statistics (weights
    unfolded from a TorchScript)."""
    torch.manual_seed(seed)
    sampler = Sampler(images, lung, seed, real_share, lung_share)
    net = PromptableLesionNet()
    if start is not None:
        net.load_state_dict(start)
    if recalibrate:
        recalibrate_batch_norms(net, sampler)
    opt = torch.optim.AdamW(net.parameters(), lr=max_lr / 1.5, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=iters, pct_start=0.1)
    t0 = time.time()
    run = 0.0
    for it in range(iters):
        xs, ys = zip(*[sampler.draw() for _ in range(BATCH)])
        x, y = torch.stack(xs), torch.stack(ys)
        if own_clicks and it % 2 == 1 and it >= own_from:
            own_error_clicks(net, x, y, sampler.rng)
        set_train_mode(net, frozen_bn)
        logit = net(x)
        p = torch.sigmoid(logit)
        inter = (p * y).sum((1, 2, 3, 4))
        dice = 1 - (2 * inter + 1) / (p.sum((1, 2, 3, 4)) + y.sum((1, 2, 3, 4)) + 1)
        loss = F.binary_cross_entropy_with_logits(logit, y) + dice.mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        run = 0.98 * run + 0.02 * float(loss) if it else float(loss)
        if it % 50 == 0 or it == iters - 1:
            print(f"{log} it {it} loss {run:.3f} {time.time() - t0:.0f}s", flush=True)
    return net.eval()


def evaluate_fold(net, images, held, out):
    engine = Engine(net)
    rows = []
    for img in (i for i in images if i.case in held):
        t = time.time()
        d, state = evaluate(engine, img)
        rows.append({"case": img.case, "image": img.name, "dice": d, "passes": state["passes"],
                     "touches": state["touches"], "seconds": time.time() - t})
        print(img.case, img.name, " ".join(f"{v:.3f}" for v in d), state["passes"], flush=True)
    json.dump(rows, open(out, "w"), indent=1)


def lung_image(path):
    img, sp = read_nifti(path)
    return Image("lung", "CT", img, sp)


def own_throughout():
    """LIGHTBOX_OWN_CLICKS_FROM=F (cv and final): clicks on the network's own errors in half the
    steps from fraction F of the iterations on, from scratch (as interactive models are trained);
    unset: the shipped recipe, without them."""
    start = os.environ.get("LIGHTBOX_OWN_CLICKS_FROM")
    return {} if start is None else {"own_clicks": True, "own_from": int(float(start) * ITERS)}


def main():
    torch.set_num_threads(int(os.environ.get("LIGHTBOX_THREADS", "2")))
    mode = sys.argv[1]
    if mode == "cv":
        fold, folds, root, lung_path, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
        images = load_sarcomas(root)
        cases = sorted({i.case for i in images})
        held = {c for k, c in enumerate(cases) if k % folds == fold}
        net = train([i for i in images if i.case not in held], lung_image(lung_path), f"fold {fold}",
                    **own_throughout())
        torch.save(net.state_dict(), out + ".pt")
        evaluate_fold(net, images, held, out)
    elif mode == "cv-eval":  # a fold's saved weights evaluated again (after a change of the procedure)
        state, fold, folds, root, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
        images = load_sarcomas(root)
        cases = sorted({i.case for i in images})
        held = {c for k, c in enumerate(cases) if k % folds == fold}
        net = PromptableLesionNet()
        net.load_state_dict(torch.load(state))
        evaluate_fold(net.eval(), images, held, out)
    elif mode == "final":
        root, lung_path, models, golden = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        images = load_sarcomas(root)
        net = train(images, lung_image(lung_path), "final", **own_throughout())
        torch.save(net.state_dict(), os.path.join(models, "lightbox-lesion-prompt.state.pt"))
        export(net, models, golden)
    elif mode in ("continue", "correct"):
        # continue: more iterations from saved weights; correct: fine-tuned on clicks where the
        # network itself is wrong. FOLD -1: every case; else fold FOLD held out (continue evaluates it).
        state, fold, folds, root, lung_path, out = (sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5],
                                                    sys.argv[6], sys.argv[7])
        images = load_sarcomas(root)
        cases = sorted({i.case for i in images})
        held = {c for k, c in enumerate(cases) if fold >= 0 and k % folds == fold}
        if mode == "continue":
            iters, max_lr, seed, own = (int(os.environ.get("LIGHTBOX_MORE_ITERS", "700")), 1.5e-3,
                                        SEED + int(os.environ.get("LIGHTBOX_SEED_OFFSET", "2")), False)
        else:
            iters, max_lr, seed, own = (int(os.environ.get("LIGHTBOX_CORRECT_ITERS", "150")), 1e-3, SEED + 3,
                                        os.environ.get("LIGHTBOX_OWN_CLICKS", "1") != "0")
        # An exported TorchScript (batch norms folded) is unfolded, its batch norms given the training
        # cubes' statistics (or kept frozen: LIGHTBOX_FROZEN_BN=1); else a state dict.
        start, unfolded = read_weights(state)
        frozen = unfolded and os.environ.get("LIGHTBOX_FROZEN_BN", "0") != "0"
        net = train([i for i in images if i.case not in held], lung_image(lung_path), f"{mode} {fold}", start,
                    iters, max_lr, seed=seed, own_clicks=own, frozen_bn=frozen, recalibrate=unfolded and not frozen)
        torch.save(net.state_dict(), out + ".pt")
        if held and mode == "continue":
            evaluate_fold(net, images, held, out)
    elif mode == "finetune":  # more nodules (part-solid, against the pleura): 45 % real, 40 % lung
        state, root, lung_path, out = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        images = load_sarcomas(root)
        net = train(images, lung_image(lung_path), "finetune", torch.load(state), int(os.environ.get("LIGHTBOX_FT_ITERS", "300")),
                    1e-3, 0.45, 0.4, SEED + 1)
        torch.save(net.state_dict(), out)
    elif mode == "export":
        state, models, golden = sys.argv[2], sys.argv[3], sys.argv[4]
        export(load_member(state), models, golden)
    elif mode == "export-ensemble":
        if len(sys.argv) < 6:
            raise SystemExit(__doc__)
        models, golden, members = sys.argv[2], sys.argv[3], sys.argv[4:]
        export(MeanLogit([load_member(m) for m in members]).eval(), models, golden)
    else:
        raise SystemExit(__doc__)


class MeanLogit(torch.nn.Module):
    """Several trained networks as one: the mean of their logits (what the engine thresholds at
    0.5 after the sigmoid). Exported like a single network: the same input and output."""

    def __init__(self, members):
        super().__init__()
        self.members = torch.nn.ModuleList(members)

    def forward(self, x):
        return torch.stack([m(x) for m in self.members]).mean(0)


def read_weights(path):
    """(state dict, unfolded): a saved state dict as is, or an exported TorchScript's weights with
    its folded batch norms unfolded (the same function in eval mode, unfold_torchscript)."""
    try:
        scripted = torch.jit.load(path)
    except RuntimeError:
        return torch.load(path), False
    return unfold_torchscript(scripted, path), True


def load_member(path):
    """A PromptableLesionNet in eval mode from a state dict or an exported TorchScript."""
    net = PromptableLesionNet()
    net.load_state_dict(read_weights(path)[0])
    return net.eval()


def export(net, models, golden):
    os.makedirs(models, exist_ok=True)
    path = os.path.join(models, "lightbox-lesion-prompt.pt")
    traced = torch.jit.trace(net, torch.zeros(1, CHANNELS, EDGE, EDGE, EDGE))
    traced = torch.jit.freeze(traced)
    traced.save(path)
    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
    s, valid, clicks = golden_case()
    x = model_input(torch.from_numpy(s), torch.from_numpy(valid), "MR", clicks)[None]
    with torch.no_grad():
        p = torch.sigmoid(torch.jit.load(path)(x))[0, 0]
    e = EDGE
    probes = [(e // 2, e // 2, e // 2), (e // 2, e // 2, e // 2 + 16), (4, 4, 4), (e // 2 + 10, e // 2, e // 2 - 6)]
    json.dump({"model": "lightbox-lesion-prompt", "sha256": sha,
               "input": "golden_case() in ai/training/promptable_lesion_model.py, modality MR",
               "probability_mean": float(p.mean()),
               "probes": [{"abc": list(q), "probability": float(p[q[2], q[1], q[0]])} for q in probes]},
              open(golden, "w"), indent=1)
    print("exported", path, sha, "golden mean", float(p.mean()))


if __name__ == "__main__":
    main()
