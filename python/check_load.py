#!/usr/bin/python3
"""Round-trip check: loads a jresnet-written weights file strictly into the PyTorch reference net
(torchvision for ImageNet nets) and writes its eval-mode logits (and pooled features) for an input.

usage: check_load.py WEIGHTS.safetensors INPUT.safetensors OUT.safetensors
INPUT holds "input" [N,3,H,W] (NCHW); OUT gets "logits" [N,K] and "features" [N,F], float32,
computed in float64 from the file's float32 weights.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models  # noqa: E402
import safetensors_io  # noqa: E402


def main():
    weights, inp, out = sys.argv[1:4]
    sd, meta = safetensors_io.load_state_dict(weights)
    net = reference_models.load_jresnet(sd, meta, "check_load")  # exactly the model's keys and shapes
    for k, v in net.state_dict().items():
        if v.dtype != sd[k].dtype:
            raise SystemExit("check_load: %s has dtype %s, PyTorch expects %s" % (k, sd[k].dtype, v.dtype))
    x, _ = safetensors_io.load_state_dict(inp)
    net = net.double().eval()
    with torch.no_grad():
        xd = x["input"].double()
        logits = net(xd).float()
        feats = reference_models.features(net, xd).float()
    safetensors_io.save_state_dict({"logits": logits, "features": feats}, out, {"classes": meta["classes"]})
    print(json.dumps({"model": meta["model"], "keys": len(sd), "logits": list(logits.shape)}))


if __name__ == "__main__":
    main()
