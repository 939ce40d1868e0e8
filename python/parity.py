#!/usr/bin/python3
"""Writes PyTorch reference results for jresnet's parity tests.

usage: parity.py OUT_DIR [--models resnet18,resnet50,resnet20_A,resnet20_B,plain20] [--seed 0]
                 [--dtype float64|float32]

For each model (name[_SHORTCUT][_v1]) it builds the reference net (reference_models.py) with
seeded random weights, BN running statistics set from a calibration batch and then perturbed (so
eval mode differs from train mode and activations stay in a sane range), and writes

  OUT_DIR/<name>.safetensors           the initial state_dict + jresnet metadata (model, shortcut...)
  OUT_DIR/<name>.fixtures.safetensors  input      [N,3,H,W] NCHW (PyTorch's layout; jresnet is NHWC)
                                       target     [N] I64 class indices
                                       logits_eval, logits_train [N,K]; loss [] (mean cross-entropy)
                                       grad.<p>   dloss/dp of every parameter after that train step
                                       bn.<b>     every buffer after that one train-mode forward
                                       sgd3.<p>, sgd3.<b>  parameters and buffers after 3 steps of
                                                  SGD(lr 0.01, momentum 0.9, weight_decay 1e-4) from
                                                  the initial weights, same batch each step
                                       sgd2.<p|b>, sgd2.momentum.<p>  the state after 2 of them
                                       step3.<p|b>  one step from that (float32) state
                                       cond.<key> []  max|PyTorch float32 - reference| / max|reference|,
                                                  the worst over the weights as they are and 3 copies
                                                  moved by one float32 ulp here and there
Inputs: batch 2 at 64x64 for ImageNet nets (resnet50: batch 4 at 128x128, see INPUTS), batch 8 at
32x32 for CIFAR nets.

The reference is computed in float64 by default (from the same float32 weights and inputs), so a
difference measures jresnet's float32 error alone; --dtype float32 gives PyTorch's float32 numbers.
The cond.* tensors say how well conditioned each check is: some are not (BN over the 8 values of
a 2x2 map with batch 2, near-invariances of BN biases in plain nets, chaotic SGD trajectories at
lr 0.01 over 3 steps), and there PyTorch's own float32 result misses the float64 one by more than the tolerance.
Gradients are also ill-conditioned wherever a relu input sits within float32 noise of 0 (relu'
jumps there): such inputs are moved away by small BN-bias shifts (clear_relu_kinks), and the margin
reached is stored as the fixtures' "relu_margin" metadata.
"""
import argparse
import copy
from collections import OrderedDict
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_torchvision  # noqa: E402
import reference_models  # noqa: E402
import safetensors_io  # noqa: E402

DEFAULT_MODELS = "resnet18,resnet50,resnet20_A,resnet20_B,plain20"
# lr 0.01, not the training recipe's 0.1: at 0.1 three free-running steps of plain20 are chaotic (a relu input
# crossing 0 along the trajectory moves parameters by ~1e-1 whatever the precision), which tests luck.
LR, MOMENTUM, WEIGHT_DECAY, SGD_STEPS = 0.01, 0.9, 1e-4, 3
# Relu inputs stay this far from 0, relative to their max: ~10x the largest float32 forward error
# measured (1.2e-6 at resnet20's last block), so float32 rounding cannot flip a relu's gradient.
RELU_MARGIN = 1e-5
MAX_KINK_PASSES = 20


def parse_name(name):
    """'resnet20_B' -> ('resnet20', 'B', 'v1.5'); 'resnet50_v1' -> ('resnet50', None, 'v1')."""
    parts = name.split("_")
    model, shortcut, variant = parts[0], None, "v1.5"
    for p in parts[1:]:
        if p in ("A", "B", "C"):
            shortcut = p
        elif p in ("v1", "v1.5"):
            variant = p
        else:
            raise ValueError("bad model spec %r" % name)
    return model, shortcut, variant


def metadata(model, net, shortcut, variant, cifar, num_classes):
    return export_torchvision.metadata(model, num_classes, shortcut=shortcut, variant=variant,
                                       classes=["class%d" % i for i in range(num_classes)])


def randomise(net, gen, calib):
    """Random BN affine parameters and running statistics near the batch statistics of `calib`."""
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.weight.uniform_(0.5, 1.5, generator=gen)
            m.bias.normal_(0.0, 0.2, generator=gen)
            m.momentum = 1.0  # running stats := this batch's stats
        for m in net.modules():
            if isinstance(m, nn.Linear):
                m.bias.normal_(0.0, 0.1, generator=gen)
        net.train()
        net(calib)
        for m in bns:
            m.momentum = 0.1
            std = m.running_var.sqrt()
            m.running_mean.add_(0.2 * std * torch.randn(m.running_mean.shape, generator=gen))
            m.running_var.mul_(torch.empty(m.running_var.shape).uniform_(0.7, 1.3, generator=gen))
            m.num_batches_tracked.fill_(int(torch.randint(0, 1000, (1,), generator=gen)))


def relu_inputs(net, x):
    """One float64 train-mode forward of a copy of `net` (the forward behind grad.* and bn.*):
    [(bn, pre)] per relu call, in call order, where pre is the relu's input and bn the BatchNorm2d
    that ran last before it. In every net here pre = bn(.) (+ a shortcut), so bn's bias shifts
    channel c of pre by exactly its change."""
    net64 = copy.deepcopy(net).to(torch.float64).train()
    names = {id(m): k for k, m in net64.named_modules()}
    last, calls = [None], []
    for m in net64.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.register_forward_hook(lambda mod, i, o: last.__setitem__(0, names[id(mod)]))
    relu = F.relu

    def recording_relu(t, inplace=False):
        calls.append((last[0], t.detach().clone()))
        return relu(t, inplace=inplace)

    F.relu = recording_relu
    try:
        with torch.no_grad():
            net64(x.to(torch.float64))
    finally:
        F.relu = relu
    return calls


def clear_relu_kinks(net, x):
    """Shifts BN biases by a few RELU_MARGIN so that no relu input of the train-mode forward on `x`
    lies within RELU_MARGIN * max|input| of 0; returns the smallest min|pre| / max|pre| left.

    Why: relu' jumps at 0. A float32 engine's forward error is up to ~1e-6 of max|pre|, so an input
    closer to 0 than that may land on the other side (e.g. float64 -1.7e-6, float32 +1.8e-6 after
    summing in another order): the gradient through that element then switches on or off and the
    parameter gradients below move by ~1e-2 relative with no error anywhere. Such a fixture tests
    rounding luck, not the engine. Only the initial state is cleared: along the free-running SGD
    trajectory (sgd3.*) the relu inputs move too much for bias shifts to keep up.

    Each pass is one float64 forward that fixes every relu as it is reached: the bias change (as
    float32 rounds it) is added to the relu's input in place, so later layers already see it. A
    fresh forward then checks; one pass usually suffices (a pass per relu made resnet50 at 128x128
    take minutes)."""
    modules = dict(net.named_modules())
    for _ in range(MAX_KINK_PASSES):
        fix_relu_kinks_in_one_forward(net, modules, x)
        calls = relu_inputs(net, x)
        worst = min(float(p.abs().min() / p.abs().max().clamp_min(1e-30)) for _, p in calls)
        if worst >= RELU_MARGIN:
            return worst
    raise RuntimeError("relu inputs still within %g of 0 after %d passes" % (RELU_MARGIN, MAX_KINK_PASSES))


def fix_relu_kinks_in_one_forward(net, modules, x):
    """One float64 train-mode forward of a copy of `net`; at each relu, the channels with an input
    within the margin of 0 get their last BN's bias shifted in `net` (pre = bn(.) (+ a shortcut), so
    the shift moves channel c of pre by exactly the change) and in the running forward."""
    net64 = copy.deepcopy(net).to(torch.float64).train()
    names = {id(m): k for k, m in net64.named_modules()}
    last = [None]
    for m in net64.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.register_forward_hook(lambda mod, i, o: last.__setitem__(0, names[id(mod)]))
    relu = F.relu

    def fixing_relu(t, inplace=False):
        margin = RELU_MARGIN * float(t.abs().max())
        per_channel = t.transpose(0, 1).reshape(t.shape[1], -1)
        near = (per_channel.abs().min(dim=1).values < margin).nonzero().flatten().tolist()
        if near:
            bn = modules[last[0]]
            assert isinstance(bn, nn.BatchNorm2d) and bn.num_features == t.shape[1], last[0]
            for c in near:
                v = per_channel[c]
                shift = next(s * k * 2 * margin for k in range(1, 1000) for s in (1, -1)
                             if float((v + s * k * 2 * margin).abs().min()) >= 1.5 * margin)
                before = float(bn.bias[c])
                bn.bias[c] += shift
                t[:, c] += float(bn.bias[c]) - before  # the change as float32 stored it
        return relu(t, inplace=inplace)

    F.relu = fixing_relu
    try:
        with torch.no_grad():
            net64(x.to(torch.float64))
    finally:
        F.relu = relu


COND_PERTURBATIONS = 3
# (batch, side) per model where the default (2 at 64x64 for ImageNet nets, 8 at 32x32 for CIFAR nets)
# is ill-conditioned: resnet50's last BN would normalise 2x2x2 = 8 values a channel, and PyTorch's own
# float32 gradients missed float64 by 35%; at 4 x 128x128 it normalises 4x4x4 = 64.
INPUTS = {"resnet50": (4, 128)}


def perturbed(state, seed, trial):
    """`state` with every float tensor multiplied by (1 + u 2^-23), u uniform in [-1, 1], rounded to its
    dtype: about half the values move by one ulp (trial 0: as is)."""
    if trial == 0:
        return state
    gen = torch.Generator().manual_seed(seed * 1000 + trial)
    out = OrderedDict()
    for k, v in state.items():
        if v.is_floating_point():
            u = torch.rand(v.shape, generator=gen, dtype=torch.float64) * 2 - 1
            v = (v.double() * (1 + u * 2.0 ** -23)).to(v.dtype)
        out[k] = v
    return out


def f32(t):
    return t.detach().to(torch.float32) if t.is_floating_point() else t.detach()


def sgd_steps(net, opt, xd, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(net(xd), y).backward()
        opt.step()


def results(model, shortcut, variant, init, x, y, dtype, state2=None):
    """Every reference tensor, computed in `dtype` from float32 weights and inputs (the single
    step starts from `state2` when given, else from this run's own state after 2 steps)."""
    out = {}
    net = reference_models.build(model, shortcut, variant)
    net.load_state_dict(init)
    net = net.to(dtype)
    xd = x.to(dtype)
    net.eval()
    with torch.no_grad():
        out["logits_eval"] = net(xd)
    net.train()
    net.zero_grad()
    logits = net(xd)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    out["logits_train"] = logits
    out["loss"] = loss
    for k, p in net.named_parameters():
        out["grad." + k] = p.grad
    for k, b in net.named_buffers():
        out["bn." + k] = b

    # free-running: 3 steps from the initial weights
    net = reference_models.build(model, shortcut, variant)
    net.load_state_dict(init)
    net = net.to(dtype).train()
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
    sgd_steps(net, opt, xd, y, SGD_STEPS - 1)
    # the state after 2 steps, rounded to float32 as a file stores it, for the single-step check
    if state2 is None:
        state2 = {"sgd2." + k: f32(v) for k, v in net.state_dict().items()}
        for k, p in net.named_parameters():
            state2["sgd2.momentum." + k] = f32(opt.state[p]["momentum_buffer"])
    sgd_steps(net, opt, xd, y, 1)
    for k, v in net.state_dict().items():
        out["sgd3." + k] = v

    # one step (with momentum) from that float32 state: no chaotic amplification over steps
    net = reference_models.build(model, shortcut, variant)
    net.load_state_dict({k[5:]: v for k, v in state2.items() if not k.startswith("sgd2.momentum.")})
    net = net.to(dtype).train()
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
    for k, p in net.named_parameters():
        opt.state[p]["momentum_buffer"] = state2["sgd2.momentum." + k].to(dtype).clone()
    sgd_steps(net, opt, xd, y, 1)
    for k, v in net.state_dict().items():
        out["step3." + k] = v
    return out, state2


def run(name, out_dir, seed, dtype):
    model, shortcut, variant = parse_name(name)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net = reference_models.build(model, shortcut, variant)
    cifar = isinstance(net, reference_models.CifarResNet)
    n, size = INPUTS.get(model, (8, 32) if cifar else (2, 64))
    num_classes = net.fc.out_features
    x = torch.randn(n, 3, size, size, generator=gen)
    y = torch.randint(0, num_classes, (n,), generator=gen)
    randomise(net, gen, torch.randn(max(n, 8), 3, size, size, generator=gen))
    relu_margin = clear_relu_kinks(net, x)
    init = copy.deepcopy(net.state_dict())
    safetensors_io.save_state_dict(init, os.path.join(out_dir, name + ".safetensors"),
                                   metadata(model, net, shortcut, variant, cifar, num_classes))

    ref, state2 = results(model, shortcut, variant, init, x, y, dtype)
    fix = {"input": x, "target": y}
    fix.update(state2)
    fix.update(ref)
    if dtype == torch.float64:
        # conditioning: how far PyTorch's own float32 results are from this float64 reference,
        # max|f32 - f64| / max|f64| per tensor, the worst of a run on the weights as they are and
        # COND_PERTURBATIONS runs on weights moved by one float32 ulp here and there: a
        # float32 engine sums in its own order, so it sees such perturbations, and where a check
        # turns on one (a relu input of a later SGD step within rounding of 0) it cannot be
        # expected to do better. One unperturbed run alone can miss that by luck.
        cond = {}
        for trial in range(COND_PERTURBATIONS + 1):
            ref32, _ = results(model, shortcut, variant, perturbed(init, seed, trial), x, y, torch.float32, state2)
            for k, v in ref.items():
                if v.is_floating_point():
                    d = (ref32[k].double() - v.double()).abs().max() / v.double().abs().max().clamp_min(1e-30)
                    cond[k] = max(cond.get(k, 0.0), float(d))
        for k, d in cond.items():
            fix["cond." + k] = torch.tensor(d, dtype=torch.float32)
    safetensors_io.save_state_dict({k: f32(v) for k, v in fix.items()},
                                   os.path.join(out_dir, name + ".fixtures.safetensors"),
                                   {"model": name, "dtype": str(dtype).replace("torch.", ""),
                                    "loss": repr(float(ref["loss"])), "torch": torch.__version__,
                                    "relu_margin": repr(relu_margin)})
    print("%s: loss %.6f, max|logits_eval| %.4g, relu inputs >= %.2g max|input| from 0"
          % (name, float(ref["loss"]), float(ref["logits_eval"].abs().max()), relu_margin))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    a = ap.parse_args()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    os.makedirs(a.out_dir, exist_ok=True)
    for name in a.models.split(","):
        run(name.strip(), a.out_dir, a.seed, getattr(torch, a.dtype))


if __name__ == "__main__":
    main()
