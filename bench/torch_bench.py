#!/usr/bin/python3
"""PyTorch side of bench/compare: one workload, one process, JSON on stdout.

usage: torch_bench.py --model resnet20|resnet56|resnet50|... --mode train|infer --batch B
                      [--threads T] [--warmup W] [--warmup-seconds S] [--iters N] [--layout nchw|channels_last|best] [--pick-layout]

Training step = forward + cross-entropy + backward + SGD(momentum 0.9, weight decay 1e-4), BN in
train mode. Inference = eval() under torch.inference_mode(). The CIFAR nets are the paper's
(option A shortcuts), as in shared/reference/torch_cifar_reference.py; ImageNet nets are
torchvision's. Synthetic input, as jresnet's bench.
"""
import argparse, json, resource, statistics, sys, time
import torch, torch.nn as nn, torch.nn.functional as F
import torchvision

CIFAR_DEPTHS = {20: 3, 32: 5, 44: 7, 56: 9, 110: 18, 1202: 200}


class Block(nn.Module):
    def __init__(s, cin, cout, stride):
        super().__init__()
        s.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); s.bn1 = nn.BatchNorm2d(cout)
        s.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(cout)
        s.pad = (cout - cin) // 2 if (stride != 1 or cin != cout) else None

    def forward(s, x):
        y = s.bn2(s.conv2(F.relu(s.bn1(s.conv1(x)))))
        sc = x if s.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, s.pad, s.pad))
        return F.relu(y + sc)


class CifarResNet(nn.Module):
    def __init__(s, n, classes=10):
        super().__init__()
        s.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False); s.bn1 = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for c, st in [(16, 1), (32, 2), (64, 2)]:
            blocks = []
            for k in range(n):
                blocks.append(Block(cin, c, st if k == 0 else 1)); cin = c
            layers.append(nn.Sequential(*blocks))
        s.layer1, s.layer2, s.layer3 = layers
        s.fc = nn.Linear(64, classes)

    def forward(s, x):
        x = F.relu(s.bn1(s.conv1(x)))
        return s.fc(s.layer3(s.layer2(s.layer1(x))).mean((2, 3)))


def build(name):
    if name.startswith("resnet") and int(name[6:]) in CIFAR_DEPTHS:
        return CifarResNet(CIFAR_DEPTHS[int(name[6:])]), 32, 10
    return getattr(torchvision.models, name)(), 224, 1000


def timed(step, warmup, iters, warmup_seconds, times):
    start, done = time.perf_counter(), 0
    while done < warmup or time.perf_counter() - start < warmup_seconds:
        step()
        done += 1
    for _ in range(iters):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)


def measure(model, mode, batch, warmup, iters, layout, warmup_seconds=0.0):
    """Times `iters` steps after at least `warmup` steps and `warmup_seconds` seconds of warm-up."""
    m, size, classes = model
    fmt = torch.channels_last if layout == "channels_last" else torch.contiguous_format
    m = m.to(memory_format=fmt)
    x = torch.randn(batch, 3, size, size).to(memory_format=fmt)
    y = torch.randint(0, classes, (batch,))
    times = []
    if mode == "train":
        m.train()
        opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
        def step():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(m(x), y).backward()
            opt.step()
        timed(step, warmup, iters, warmup_seconds, times)
    else:
        m.eval()
        with torch.inference_mode():
            timed(lambda: m(x), warmup, iters, warmup_seconds, times)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True); ap.add_argument("--mode", choices=["train", "infer"], required=True)
    ap.add_argument("--batch", type=int, required=True); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--warmup-seconds", type=float, default=2.0); ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--layout", choices=["nchw", "channels_last", "best"], default="best")
    ap.add_argument("--pick-layout", action="store_true", help="only time each layout and print the faster")
    a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    layouts = ["nchw", "channels_last"] if a.layout == "best" else [a.layout]
    trials = {}
    if len(layouts) > 1:
        # Each layout is tried after the same warm-up as the measurement (oneDNN builds its
        # primitives on the first calls); the full measurement is then taken on the faster.
        for layout in layouts:
            trials[layout] = statistics.median(measure(build(a.model), a.mode, a.batch, a.warmup, a.iters, layout,
                                                       a.warmup_seconds))
    best = min(trials, key=trials.get) if trials else layouts[0]
    if a.pick_layout:
        print(json.dumps({"layout": best, "trial_ms": {k: 1000 * v for k, v in trials.items()}}))
        return
    times = measure(build(a.model), a.mode, a.batch, a.warmup, a.iters, best, a.warmup_seconds)
    times.sort()
    med = statistics.median(times)
    q = lambda p: times[min(len(times) - 1, int(p * (len(times) - 1) + 0.5))]
    print(json.dumps({
        "model": a.model, "mode": a.mode, "batch": a.batch, "threads": a.threads, "layout": best,
        "torch": torch.__version__, "images_per_second": a.batch / med, "ms_per_batch": 1000 * med,
        "ms_p10": 1000 * q(0.1), "ms_p90": 1000 * q(0.9),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}))


if __name__ == "__main__":
    main()
