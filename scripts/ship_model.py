#!/usr/bin/python3
"""Copies the weights of a jresnet run (its model.safetensors, or its checkpoint while it is still
training) into the file the repository ships, keeping the model's metadata and dropping the
optimizer state and the run's bookkeeping.

usage: scripts/ship_model.py RUN_FILE [OUT]   (OUT defaults to models/resnet20-cifar10.safetensors)
"""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import safetensors_io

RUN_KEYS = ("train_config", "run_state")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    src = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.join(os.path.dirname(__file__), "..", "models",
                                                               "resnet20-cifar10.safetensors")
    meta, tensors = safetensors_io.read(src)
    if meta.get("format") != "jresnet":
        sys.exit("ship_model: %s has no jresnet metadata" % src)
    kept = {k: v for k, v in tensors.items() if not k.startswith("optim.")}
    meta = {k: v for k, v in meta.items() if k not in RUN_KEYS}
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    safetensors_io.write(out, kept, meta)
    print("wrote %s: %d tensors, model %s" % (out, len(kept), meta.get("model")))


if __name__ == "__main__":
    main()
