#!/usr/bin/python3
"""The PyTorch reference networks that jresnet is checked against, built by jresnet's model names.

- ImageNet nets (resnet18/34/50/101/152) are torchvision's own. variant "v1" moves the bottleneck's
  stride from the 3x3 (torchvision's "v1.5", the default) to the first 1x1, as in the paper.
  shortcut "C" (projection on every block) replaces identity shortcuts by 1x1 conv + BN.
  plainN is the same net without shortcuts.
- CIFAR nets (resnet20/32/44/56/110/1202, plain20...) follow the common PyTorch CIFAR ResNet
  (and shared/reference/torch_cifar_reference.py): 3x3 stem with 16 filters, three stages of
  16/32/64 filters, option A (subsample + zero-padded channels, half before and half after),
  B (1x1 projection + BN where the shape changes) or C (projection on every block).
State-dict keys are torchvision's: conv1, bn1, layerK.i.{conv1,bn1,conv2,bn2,downsample.0/1}, fc.
"""
import re

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

IMAGENET_DEPTHS = {18: "resnet18", 34: "resnet34", 50: "resnet50", 101: "resnet101", 152: "resnet152"}
CIFAR_DEPTHS = (20, 32, 44, 56, 110, 1202)


class CifarBlock(nn.Module):
    def __init__(self, cin, cout, stride, shortcut):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = shortcut
        changes = stride != 1 or cin != cout
        self.pad = (cout - cin) // 2 if changes else None
        if shortcut == "C" or (shortcut == "B" and changes):
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        else:
            self.downsample = None

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.shortcut == "none":
            return F.relu(y)
        if self.downsample is not None:
            sc = self.downsample(x)
        elif self.pad is not None:  # option A
            sc = F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
        else:
            sc = x
        return F.relu(y + sc)


class CifarResNet(nn.Module):
    def __init__(self, n, shortcut, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        cin = 16
        for i, (c, stride) in enumerate([(16, 1), (32, 2), (64, 2)]):
            blocks = []
            for k in range(n):
                blocks.append(CifarBlock(cin, c, stride if k == 0 else 1, shortcut))
                cin = c
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(x.mean((2, 3)))

    def features(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return self.layer3(self.layer2(self.layer1(x))).mean((2, 3))


class _NoShortcut(nn.Module):
    """Wraps a torchvision block and drops its identity: relu(bn(conv(...))) only."""

    def __init__(self, block):
        super().__init__()
        # keep the block's children at this level so state_dict keys stay torchvision's
        for name, child in block.named_children():
            if name != "downsample":
                self.add_module(name, child)
        self.downsample = None
        self.kind = type(block).__name__

    def forward(self, x):
        if self.kind == "BasicBlock":
            y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        else:
            y = self.relu(self.bn1(self.conv1(x)))
            y = self.relu(self.bn2(self.conv2(y)))
            y = self.bn3(self.conv3(y))
        return self.relu(y)


def build(model, shortcut=None, variant="v1.5", num_classes=None):
    """A reference net by jresnet's model name ('resnet50', 'resnet20', 'plain20', ...)."""
    m = re.fullmatch(r"(resnet|plain)(\d+)", model)
    if not m:
        raise ValueError("unknown model %r" % model)
    plain, depth = m.group(1) == "plain", int(m.group(2))
    if depth in CIFAR_DEPTHS:
        sc = "none" if plain else (shortcut or "A")
        return CifarResNet((depth - 2) // 6, sc, num_classes or 10)
    if depth not in IMAGENET_DEPTHS:
        raise ValueError("unknown depth %d" % depth)
    net = getattr(torchvision.models, IMAGENET_DEPTHS[depth])(weights=None, num_classes=num_classes or 1000)
    blocks = [b for layer in (net.layer1, net.layer2, net.layer3, net.layer4) for b in layer]
    if variant == "v1":
        for b in blocks:
            if isinstance(b, torchvision.models.resnet.Bottleneck) and b.conv2.stride != (1, 1):
                b.conv1.stride, b.conv2.stride = b.conv2.stride, (1, 1)
    elif variant != "v1.5":
        raise ValueError("unknown variant %r" % variant)
    if plain:
        for layer in (net.layer1, net.layer2, net.layer3, net.layer4):
            for i in range(len(layer)):
                layer[i] = _NoShortcut(layer[i])
    elif (shortcut or "B") == "C":
        for b in blocks:
            if b.downsample is None:
                cin, cout = b.conv1.in_channels, (b.bn3 if hasattr(b, "bn3") else b.bn2).num_features
                b.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, 1, bias=False), nn.BatchNorm2d(cout))
    elif (shortcut or "B") != "B":
        raise ValueError("ImageNet nets support shortcut B or C, not %r" % shortcut)
    return net


def load_jresnet(state_dict, meta, tool):
    """The reference net a jresnet-written file describes (its metadata), loaded strictly with its state dict."""
    if meta.get("format") != "jresnet":
        raise SystemExit("%s: the weights have no jresnet metadata" % tool)
    shortcut = meta["shortcut"] if meta["shortcut"] != "none" else None
    net = build(meta["model"], shortcut, meta["variant"], int(meta["num_classes"]))
    net.load_state_dict(state_dict, strict=True)  # exactly the model's keys and shapes
    return net


def features(net, x):
    """The pooled vector before fc."""
    if isinstance(net, CifarResNet):
        return net.features(x)
    x = net.maxpool(net.relu(net.bn1(net.conv1(x))))
    x = net.layer4(net.layer3(net.layer2(net.layer1(x))))
    return torch.flatten(net.avgpool(x), 1)
