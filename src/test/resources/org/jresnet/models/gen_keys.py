# Generates torchvision's parameter and buffer names for the key-name tests. Run once from this
# folder with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14); the output is committed.
import torch.nn as nn, torchvision
from torchvision.models.resnet import BasicBlock

class Cifar(nn.Module):
    def __init__(self, n, option):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        cin = 16
        for s, planes in enumerate([16, 32, 64]):
            blocks = []
            for i in range(n):
                stride = 2 if (i == 0 and s > 0) else 1
                ds = None
                if option == 'C' or (option == 'B' and (stride != 1 or cin != planes)):
                    ds = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
                blocks.append(BasicBlock(cin, planes, stride, ds))
                cin = planes
            setattr(self, 'layer%d' % (s + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(64, 10)

def dump(name, m):
    with open(name + '.params.txt', 'w') as f:
        f.write(''.join('%s %s\n' % (k, 'x'.join(map(str, v.shape))) for k, v in m.named_parameters()))
    with open(name + '.buffers.txt', 'w') as f:
        f.write(''.join('%s %s\n' % (k, 'x'.join(map(str, v.shape))) for k, v in m.named_buffers()))

dump('resnet18', torchvision.models.resnet18())
dump('resnet50', torchvision.models.resnet50())
dump('resnet20_A', Cifar(3, 'A'))
dump('resnet20_B', Cifar(3, 'B'))
dump('resnet20_C', Cifar(3, 'C'))
