#!/usr/bin/python3
"""Writes the seed files the loader fuzzers mutate (src/test/resources/fuzz/), with the real
writers: PIL for images of every layout the decoder supports, torch.save for checkpoints in both
containers. Tiny on purpose: a fuzz case costs its size in every mutation. Run once; the output is
committed (the fuzzers never need Python).

usage: make_fuzz_seeds.py OUT_DIR
"""
import os
import sys

import numpy as np
import torch
from PIL import Image


def images(out):
    rng = np.random.RandomState(0)
    yy, xx = np.mgrid[0:12, 0:16]
    base = np.stack([(xx * 15) % 256, (yy * 20) % 256, ((xx + yy) * 9) % 256], -1)
    rgb = Image.fromarray(np.clip(base + rng.randint(-30, 30, base.shape), 0, 255).astype(np.uint8))
    alpha = Image.fromarray((np.arange(12 * 16).reshape(12, 16) % 256).astype(np.uint8))
    rgba = rgb.copy()
    rgba.putalpha(alpha)
    palette = rgb.convert("P", palette=Image.ADAPTIVE, colors=16)
    files = {
        "baseline.jpg": (rgb, dict(quality=75)),
        "progressive.jpg": (rgb, dict(quality=80, progressive=True)),
        "grey.jpg": (rgb.convert("L"), dict(quality=85)),
        "rgb444.jpg": (rgb, dict(quality=90, subsampling=0)),
        "rgb.png": (rgb, {}),
        "rgba.png": (rgba, {}),
        "palette.png": (palette, {}),
        "grey16.png": (Image.fromarray((np.asarray(rgb.convert("L")).astype(np.uint16) * 257)), {}),
        "rgb.bmp": (rgb, {}),
        "palette.bmp": (palette, {}),
        "rgb.gif": (rgb, {}),
        "transparent.gif": (palette, dict(transparency=3)),
    }
    for name, (im, kw) in files.items():
        im.save(os.path.join(out, name), **kw)


def checkpoints(out):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 1, bias=False), torch.nn.BatchNorm2d(2), torch.nn.Linear(2, 3))
    sd = net.state_dict()
    torch.save(sd, os.path.join(out, "state_dict.pth"))
    torch.save(sd, os.path.join(out, "legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save({"epoch": 3, "state_dict": sd, "best_acc1": torch.tensor(0.5), "arch": "tiny"},
               os.path.join(out, "training.pth.tar"))
    view = {"w": torch.arange(12, dtype=torch.float32).reshape(3, 4)[:, 1:3], "i": torch.arange(4, dtype=torch.int64),
            "h": torch.ones(2, 2, dtype=torch.float16)}
    torch.save(view, os.path.join(out, "views.pth"))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    images(out)
    checkpoints(out)


if __name__ == "__main__":
    main()
