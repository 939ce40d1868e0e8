#!/usr/bin/python3
"""Export a PyTorch ResNet to a safetensors file that jresnet loads with no other flag.

Recipes (Debian's interpreter has torch; no Python `safetensors` package is needed):

  # a torchvision architecture with weights from a .pth file you have (torch.save of a state_dict,
  # or of a dict holding one under "state_dict"/"model"); the file is loaded with weights_only=True
  /usr/bin/python3 python/export_torchvision.py --model resnet50 --weights resnet50-11ad3fa6.pth out.safetensors

  # torchvision's published ImageNet weights (torchvision downloads them: needs internet access)
  /usr/bin/python3 python/export_torchvision.py --model resnet50 --pretrained IMAGENET1K_V2 out.safetensors

  # a CIFAR ResNet checkpoint from common PyTorch code (keys conv1/bn1/layerK.i.*/linear or fc,
  # shortcut.0/1 for projections, optional "module." prefixes): keys are kept; jresnet maps them
  /usr/bin/python3 python/export_torchvision.py --model resnet20 --shortcut A --weights ckpt.th out.safetensors

  # a model object in your own code:
  #   import safetensors_io, export_torchvision
  #   export_torchvision.export(model.state_dict(), "out.safetensors", "resnet18", num_classes=10)

The file holds the state_dict's tensors under their own names (float32; num_batches_tracked as I64)
and __metadata__: format=jresnet, model, shortcut, variant, num_classes, classes, mean, std,
input_size. Without --classes/--mean/--std: the 10 CIFAR-10 names and its usual statistics for
CIFAR nets; torchvision's ImageNet categories and statistics for ImageNet nets.
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

CIFAR10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
CIFAR_MEAN, CIFAR_STD = [0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616]
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
CIFAR_DEPTHS = (20, 32, 44, 56, 110, 1202)


def is_cifar(model):
    return int(model.replace("resnet", "").replace("plain", "")) in CIFAR_DEPTHS


def imagenet_categories():
    from torchvision.models import ResNet50_Weights
    return list(ResNet50_Weights.IMAGENET1K_V2.meta["categories"])


def metadata(model, num_classes, shortcut=None, variant="v1.5", classes=None, mean=None, std=None, input_size=None):
    cifar = is_cifar(model)
    if classes is None:
        if cifar and num_classes == 10:
            classes = CIFAR10
        elif not cifar and num_classes == 1000:
            classes = imagenet_categories()
        else:
            classes = [str(i) for i in range(num_classes)]
    if len(classes) != num_classes:
        raise SystemExit("export: %d class names for %d classes" % (len(classes), num_classes))
    plain = model.startswith("plain")
    return {
        "format": "jresnet",
        "format_version": "1",
        "model": model,
        "shortcut": "none" if plain else (shortcut or ("A" if cifar else "B")),
        "variant": variant,
        "num_classes": str(num_classes),
        "classes": json.dumps(classes),
        "mean": json.dumps(mean or (CIFAR_MEAN if cifar else IMAGENET_MEAN)),
        "std": json.dumps(std or (CIFAR_STD if cifar else IMAGENET_STD)),
        "input_size": json.dumps(input_size or ([3, 32, 32] if cifar else [3, 224, 224])),
    }


def unwrap(obj):
    """The state_dict inside what torch.save wrote (a bare dict, or under a usual key)."""
    for key in ("state_dict", "model", "model_state_dict", "net"):
        if isinstance(obj, dict) and key in obj and isinstance(obj[key], dict):
            return obj[key]
    return obj


def export(state_dict, path, model, num_classes=None, **meta):
    """Writes `state_dict` (module. prefixes stripped, tensors as float32/int64) with jresnet metadata."""
    import torch
    sd = OrderedDict()
    for k, v in state_dict.items():
        while k.startswith("module."):
            k = k[len("module."):]
        if not torch.is_tensor(v):
            continue
        sd[k] = v.float() if v.is_floating_point() else v.long()
    if num_classes is None:
        fc = sd.get("fc.weight", sd.get("linear.weight"))
        if fc is None:
            raise SystemExit("export: cannot tell the number of classes (no fc.weight/linear.weight); give --num-classes")
        num_classes = fc.shape[0]
    safetensors_io.save_state_dict(sd, path, metadata(model, num_classes, **meta))
    return sd


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--model", required=True, help="jresnet model name: resnet18..152, resnet20..1202, plainN")
    ap.add_argument("--weights", help="a .pth/.pt/.th file holding a state_dict")
    ap.add_argument("--pretrained", help="torchvision weights enum name, e.g. IMAGENET1K_V2 (downloads)")
    ap.add_argument("--shortcut", choices=["A", "B", "C"])
    ap.add_argument("--variant", choices=["v1.5", "v1"], default="v1.5")
    ap.add_argument("--num-classes", type=int)
    ap.add_argument("--classes", help="JSON array of class names, or a file with one name per line")
    ap.add_argument("--mean", type=float, nargs=3)
    ap.add_argument("--std", type=float, nargs=3)
    a = ap.parse_args()
    import torch
    import reference_models

    if a.pretrained:
        import torchvision
        enum = getattr(torchvision.models, "ResNet%s_Weights" % a.model.replace("resnet", ""))
        net = getattr(torchvision.models, a.model)(weights=getattr(enum, a.pretrained))
        sd = net.state_dict()
    elif a.weights:
        sd = unwrap(torch.load(a.weights, map_location="cpu", weights_only=True))
    else:
        raise SystemExit("export: give --weights FILE or --pretrained NAME")
    classes = None
    if a.classes:
        if os.path.exists(a.classes):
            with open(a.classes) as f:
                classes = [line.strip() for line in f if line.strip()]
        else:
            classes = json.loads(a.classes)
    # check a torchvision-named state_dict against the reference net before writing it
    clean = OrderedDict((k[7:] if k.startswith("module.") else k, v) for k, v in sd.items())
    if "fc.weight" in clean and not any(".shortcut." in k for k in clean):
        net = reference_models.build(a.model, a.shortcut, a.variant, num_classes=a.num_classes or clean["fc.weight"].shape[0])
        net.load_state_dict(clean, strict=True)
    sd = export(sd, a.out, a.model, a.num_classes, shortcut=a.shortcut, variant=a.variant, classes=classes,
                mean=a.mean, std=a.std)
    print("export: %d tensors -> %s" % (len(sd), a.out))


if __name__ == "__main__":
    main()
