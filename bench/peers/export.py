#!/usr/bin/python3
"""Model files for the peer runners, made by Debian's torch from bench/torch_bench.py's networks.

usage: export.py --model NAME --out DIR [--formats torchscript,onnx]

Writes into DIR:
  NAME-train.pt, NAME-infer.pt  TorchScript traces, one per mode: a trace freezes BatchNorm's mode
                                (batch statistics in train, running statistics in eval).
  NAME.onnx                     ONNX (opset 17, dynamic batch) of the eval-mode network.
  NAME-check.json               one small input and the eager PyTorch outputs of both modes, so a
                                runner can prove it computes the same function before it is timed.
Weights are random (fixed seed); BN running statistics are first recalibrated on random batches,
since random-weight ResNet-50 logits otherwise reach ~1e2 and no tolerance means anything.
"""
import argparse, json, os, sys, warnings
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from torch_bench import build  # noqa: E402  (bench/torch_bench.py: the networks PyTorch is timed on)

CHECK_BATCH = 2        # the check input's batch; the traces are checked at another batch too
CALIBRATION_BATCHES = 4
ONNX_OPSET = 17


def atomic_write(path, write):
    tmp = path + ".tmp"
    write(tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--formats", default="torchscript,onnx")
    a = ap.parse_args()
    formats = set(a.formats.split(","))
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)  # Debian's torch starts with one thread
    m, size, classes = build(a.model)

    # BN running statistics: the cumulative average over a few random batches.
    for bn in m.modules():
        if isinstance(bn, torch.nn.BatchNorm2d):
            bn.momentum = None
            bn.reset_running_stats()
    m.train()
    with torch.no_grad():
        for _ in range(CALIBRATION_BATCHES):
            m(torch.randn(8, 3, size, size))
    for bn in m.modules():
        if isinstance(bn, torch.nn.BatchNorm2d):
            bn.momentum = 0.1

    x = torch.randn(CHECK_BATCH, 3, size, size)
    other = torch.randn(CHECK_BATCH + 1, 3, size, size)
    check = {"model": a.model, "shape": list(x.shape), "classes": classes, "input": x.flatten().tolist()}
    for mode in ("train", "infer"):
        m.train(mode == "train")
        with torch.no_grad():
            # Eager outputs first: a train-mode forward moves the running statistics, so each
            # comparison below starts from a fresh copy of the state.
            state = {k: v.clone() for k, v in m.state_dict().items()}
            ref, ref_other = m(x), m(other)
            m.load_state_dict(state)
            check[mode] = ref.flatten().tolist()
            if "torchscript" in formats:
                traced = torch.jit.trace(m, x, check_trace=False)
                for inp, want in ((x, ref), (other, ref_other)):
                    m.load_state_dict(state)
                    got = traced(inp)
                    err = (got - want).abs().max().item()
                    if err > 1e-4 * max(1.0, want.abs().max().item()):
                        sys.exit("export: %s %s trace differs from eager by %g at batch %d"
                                 % (a.model, mode, err, inp.shape[0]))
                m.load_state_dict(state)
                atomic_write(os.path.join(a.out, "%s-%s.pt" % (a.model, mode)), lambda p: traced.save(p))
    m.eval()
    if "onnx" in formats:
        # torch 1.13's exporter warns about slices it does not constant-fold (the option-A
        # shortcut's x[:, :, ::2, ::2]); the graph is still exact.
        warnings.filterwarnings("ignore", category=UserWarning)
        atomic_write(os.path.join(a.out, a.model + ".onnx"), lambda p: torch.onnx.export(
            m, x, p, opset_version=ONNX_OPSET, input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}))
    atomic_write(os.path.join(a.out, a.model + "-check.json"), lambda p: json.dump(check, open(p, "w")))
    print(json.dumps({"model": a.model, "out": a.out, "formats": sorted(formats), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
