#!/usr/bin/python3
"""PyTorch checkpoints of every kind jresnet's reader must handle, and hostile pickles it must refuse.

Usage: torch_checkpoints.py OUT_DIR [MARKER_DIR]
       torch_checkpoints.py OUT_DIR --small | --v1

Writes into OUT_DIR, with Debian's torch:
  <kind>.pth / .th / .pth.tar   checkpoints (see KINDS below), zip and legacy containers
  reference.safetensors         per kind: input_<kind> (NCHW) and logits_<kind>, computed in float64
                                from exactly the weights stored in the checkpoint
  evil_<family>.pth             hostile files: pickles whose loading by pickle would run a command
                                that creates a file in MARKER_DIR (jresnet must never run it)
  r50_v1.pth                    (--v1 only) a ResNet-50 v1, the paper's (stride on the first 1x1), whose
                                weights have exactly the shapes of torchvision's v1.5; reference.safetensors
                                holds its logits read as v1 (logits_r50_v1) and as v1.5 (logits_r50_v1_as_v15)
Prints one line per file written.
"""
import argparse
import collections
import io
import os
import pickle
import sys
import tarfile
import zipfile

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models  # noqa: E402
import safetensors_io  # noqa: E402

torch.manual_seed(0)


def perturb_bn(net, gen):
    """BN statistics and affine parameters away from their defaults, so loading them matters."""
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)
            m.num_batches_tracked.fill_(7)
    return net


def logits64(net, sd, x):
    """Logits in float64 from the state dict's own values (whatever their dtype)."""
    net = net.double().eval()
    net.load_state_dict(collections.OrderedDict((k, v.double() if v.is_floating_point() else v) for k, v in sd.items()),
                        strict=True)
    with torch.no_grad():
        return net(x.double())


def tensor_entry(t):
    t = t.contiguous()
    return ("F32" if t.dtype == torch.float32 else "F64", list(t.shape), t.numpy().tobytes())


def retag_cuda(path):
    """Rewrites the pickle so every storage says it was saved on cuda:0, as most published checkpoints were."""
    old, new = b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            items = [(i, z.read(i.filename)) for i in z.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            for info, data in items:
                if info.filename.endswith("/data.pkl"):
                    assert old in data
                    data = data.replace(old, new)
                z.writestr(info, data)
    else:
        data = open(path, "rb").read()
        assert old in data
        open(path, "wb").write(data.replace(old, new))


def shared_views(sd):
    """Every float tensor a view into one shared storage, at an offset; fc.weight non-contiguous."""
    floats = [k for k, v in sd.items() if v.is_floating_point()]
    total = sum(sd[k].numel() for k in floats)
    flat = torch.empty(total + 5)
    out, off = collections.OrderedDict(), 5
    for k, v in sd.items():
        if not v.is_floating_point():
            out[k] = v
            continue
        n = v.numel()
        if k == "fc.weight":   # stored transposed: a strided view with stride (1, rows)
            region = flat[off:off + n].view(v.shape[1], v.shape[0])
            region.copy_(v.t())
            out[k] = region.t()
            assert not out[k].is_contiguous()
        else:
            region = flat[off:off + n].view(v.shape)
            region.copy_(v)
            out[k] = region
        off += n
    return out


class Payload:
    """pickle.loads would call fn(*args); jresnet's reader must only note the name."""
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


class Namespace(argparse.Namespace):
    pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("marker_dir", nargs="?")
    p.add_argument("--small", action="store_true", help="only r20_zip.pth, r20_legacy.pth and r20_nested_dp.pth.tar")
    p.add_argument("--v1", action="store_true", help="only r50_v1.pth and its references")
    a = p.parse_args()
    out = a.out
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(1)
    refs = {}
    if a.v1:
        write_v1(out, gen)
        return

    def save(name, obj, legacy, ref_net=None, sd=None, x=None):
        path = os.path.join(out, name)
        torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
        if ref_net is not None:
            kind = name.split(".")[0]
            refs["input_" + kind] = tensor_entry(x)
            refs["logits_" + kind] = tensor_entry(logits64(ref_net, sd, x))
        print("wrote", name)
        return path

    r20 = perturb_bn(reference_models.build("resnet20"), gen).eval()
    sd20 = r20.state_dict()
    x32 = torch.randn(2, 3, 32, 32, generator=gen)
    build20 = lambda: reference_models.build("resnet20")  # noqa: E731

    save("r20_zip.pth", sd20, False, build20(), sd20, x32)
    save("r20_legacy.pth", sd20, True, build20(), sd20, x32)
    # The usual CIFAR training script's checkpoint: DataParallel keys, 'linear' classifier, extras.
    dp = collections.OrderedDict((("module." + k.replace("fc.", "linear.", 1)) if k.startswith("fc.") else "module." + k, v)
                                 for k, v in sd20.items())
    args = Namespace(arch="resnet20", lr=0.1, epochs=200)
    opt = torch.optim.SGD(r20.parameters(), lr=0.1, momentum=0.9)
    for prm in r20.parameters():
        prm.grad = torch.zeros_like(prm)
    opt.step()
    nested = {"epoch": 200, "state_dict": dp, "best_prec1": np.float64(91.73), "args": args,
              "optimizer": opt.state_dict(), "note": Payload(os.system, "true")}
    save("r20_nested_dp.pth.tar", nested, True, build20(), sd20, x32)
    if a.small:
        return
    save("r20_nested_zip.pth.tar", {"epoch": 3, "model": dp, "best_acc": np.float32(0.9)}, False, build20(), sd20, x32)
    retag_cuda(save("r20_cuda_legacy.th", sd20, True, build20(), sd20, x32))
    retag_cuda(save("r20_cuda_zip.th", sd20, False, build20(), sd20, x32))
    # Before PyTorch 0.4.1: no num_batches_tracked.
    old = collections.OrderedDict((k, v) for k, v in sd20.items() if not k.endswith("num_batches_tracked"))
    save("r20_no_nbt.pth", old, True, build20(), old, x32)
    safetensors_io.save_state_dict(old, os.path.join(out, "r20_no_nbt.safetensors"))
    print("wrote r20_no_nbt.safetensors")
    views = shared_views(sd20)
    save("r20_views.pth", views, False, build20(), views, x32)
    save("r20_views_legacy.pth", views, True, build20(), views, x32)
    mixed = collections.OrderedDict()
    for i, (k, v) in enumerate(sd20.items()):
        mixed[k] = v if not v.is_floating_point() else (v.half(), v.bfloat16(), v.double())[i % 3]
    save("r20_dtypes.pt", mixed, False, build20(), mixed, x32)

    r20b = perturb_bn(reference_models.build("resnet20", "B"), gen).eval()
    save("r20b_zip.pth", r20b.state_dict(), False, reference_models.build("resnet20", "B"), r20b.state_dict(), x32)

    r50 = perturb_bn(torchvision.models.resnet50(), gen).eval()
    x64 = torch.randn(2, 3, 64, 64, generator=gen)
    save("r50_zip.pth", r50.state_dict(), False, torchvision.models.resnet50(), r50.state_dict(), x64)

    safetensors_io.write(os.path.join(out, "reference.safetensors"), refs)
    print("wrote reference.safetensors")

    # TorchScript and the pre-1.0 tar container: refused by name.
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), os.path.join(out, "torchscript.pt"))
    with tarfile.open(os.path.join(out, "old_tar.pth"), "w") as t:
        for member in ("storages", "tensors", "pickle", "sys_info"):
            data = pickle.dumps({}, protocol=2)
            info = tarfile.TarInfo(member)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    print("wrote torchscript.pt old_tar.pth")

    if a.marker_dir:
        write_evil(out, a.marker_dir, sd20)


def write_v1(out, gen):
    """Nothing in the file says v1: the same state dict in a v1.5 net gives other logits, which only
    a loader told the variant can avoid."""
    v1 = perturb_bn(reference_models.build("resnet50", variant="v1"), gen).eval()
    sd = v1.state_dict()
    x = torch.randn(2, 3, 64, 64, generator=gen)
    torch.save(sd, os.path.join(out, "r50_v1.pth"))
    refs = {"input_r50_v1": tensor_entry(x),
            "logits_r50_v1": tensor_entry(logits64(reference_models.build("resnet50", variant="v1"), sd, x)),
            "logits_r50_v1_as_v15": tensor_entry(logits64(reference_models.build("resnet50"), sd, x))}
    safetensors_io.write(os.path.join(out, "reference.safetensors"), refs)
    print("wrote r50_v1.pth reference.safetensors")


def write_evil(out, marker_dir, sd):
    """One hostile file per family; each would create MARKER_DIR/<family> if anything ran it."""
    import subprocess

    def marker(f):
        return os.path.join(marker_dir, f)

    small = collections.OrderedDict((k, sd[k]) for k in ("conv1.weight", "bn1.weight"))
    families = {
        "os_system": Payload(os.system, "touch " + marker("os_system")),
        "eval": {"state_dict": small, "x": Payload(eval, "__import__('os').system('touch %s')" % marker("eval"))},
        "exec": Payload(exec, "open(%r, 'w').close()" % marker("exec")),
        "popen_nested": {"state_dict": small, "meta": {"a": [(1, Payload(subprocess.Popen, ["touch", marker("popen_nested")]))]}},
        "placeholder_in_sd": collections.OrderedDict(list(small.items())
                                                     + [("fc.weight", Payload(os.system, "touch " + marker("placeholder_in_sd")))]),
        "whole_module": {"model": Payload(os.system, "touch " + marker("whole_module"))},
    }
    for name, obj in families.items():
        torch.save(obj, os.path.join(out, "evil_%s.pth" % name), _use_new_zipfile_serialization=name != "exec")
        print("wrote evil_%s.pth" % name)
    # A plain pickle of a payload (no torch container at all).
    with open(os.path.join(out, "evil_plain_pickle.pkl"), "wb") as f:
        pickle.dump(Payload(os.system, "touch " + marker("plain")), f, protocol=4)
    print("wrote evil_plain_pickle.pkl")


if __name__ == "__main__":
    main()
