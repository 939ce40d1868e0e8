#!/usr/bin/python3
"""Grad-CAM with autograd, the reference for jresnet's class activation maps (ExplainTorchParityTest).

usage: gradcam.py WEIGHTS.safetensors INPUT.safetensors OUT.safetensors

WEIGHTS is a jresnet-written file (its metadata names the network); INPUT holds "input" [N,3,H,W]
(NCHW) and "classes" [N] (I64), the class to explain for each row. In float64 from the file's
float32 weights, eval mode, the way pytorch-grad-cam computes Grad-CAM on the last stage: hooks
keep the stage's output A and the gradient of sum_i logits[i, classes[i]] with respect to it;
each channel's weight is that gradient's mean over the map; cam = ReLU(sum_k weight_k A_k).
Then F.interpolate(cam, (H, W), mode="bilinear", align_corners=False) and min-max normalisation
((m - min) / (max - min), 0 where the map is constant). OUT gets, as float32:

  raw     [N,h,w]  the Grad-CAM map at the stage's resolution, before resizing
  cam     [N,H,W]  resized and normalised
  cam_align_corners [N,H,W]  the same with align_corners=True (a wrong resize, for the test to tell apart)
  logits  [N,K]
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models  # noqa: E402
import safetensors_io  # noqa: E402


def last_stage(net):
    """layer4 of ImageNet nets, layer3 of CIFAR ones."""
    for name in ("layer4", "layer3"):
        if hasattr(net, name):
            return getattr(net, name)
    raise SystemExit("gradcam: no layer3/layer4 in %s" % type(net).__name__)


def normalise(m):
    """Per map (over all but the first dimension): (m - min) / (max - min), 0 where max == min."""
    flat = m.reshape(m.shape[0], -1)
    lo, hi = flat.min(1, keepdim=True).values, flat.max(1, keepdim=True).values
    rng = hi - lo
    out = torch.where(rng > 0, (flat - lo) / torch.where(rng > 0, rng, torch.ones_like(rng)), torch.zeros_like(flat))
    return out.reshape(m.shape)


def main():
    weights, inp, out = sys.argv[1:4]
    sd, meta = safetensors_io.load_state_dict(weights)
    net = reference_models.load_jresnet(sd, meta, "gradcam")  # exactly the model's keys and shapes
    net = net.double().eval()
    fx, _ = safetensors_io.load_state_dict(inp)
    x, classes = fx["input"].double(), fx["classes"].long()

    kept = {}
    stage = last_stage(net)


    def keep(mod, args, output):  # as pytorch-grad-cam's ActivationsAndGradients: the output and, later, its gradient
        kept["a"] = output
        output.register_hook(lambda grad: kept.__setitem__("g", grad))

    stage.register_forward_hook(keep)
    logits = net(x)
    net.zero_grad()
    logits.gather(1, classes[:, None]).sum().backward()
    a, g = kept["a"].detach(), kept["g"].detach()
    weights_k = g.mean((2, 3), keepdim=True)                        # [N,C,1,1]
    raw = F.relu((weights_k * a).sum(1, keepdim=True))             # [N,1,h,w]
    size = tuple(x.shape[2:])
    cam = normalise(F.interpolate(raw, size, mode="bilinear", align_corners=False))[:, 0]
    cam_ac = normalise(F.interpolate(raw, size, mode="bilinear", align_corners=True))[:, 0]
    safetensors_io.save_state_dict({"raw": raw[:, 0].float().contiguous(), "cam": cam.float().contiguous(),
                                    "cam_align_corners": cam_ac.float().contiguous(),
                                    "logits": logits.detach().float().contiguous()}, out)
    print(json.dumps({"model": meta["model"], "input": list(x.shape), "stage": list(a.shape)}))


if __name__ == "__main__":
    main()
