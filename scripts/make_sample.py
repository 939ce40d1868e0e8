#!/usr/bin/python3
"""Makes data/cifar10-sample.zip, the CIFAR-10 sample bundled with jresnet, from the full JPEG zip.

usage: scripts/make_sample.py [SOURCE_ZIP] [OUT_ZIP] [--train-per-class 500] [--test-per-class 100] [--seed 0]

Takes a balanced, seeded random choice of images per class from each split (train/<class>/…,
test/<class>/…), copies the JPEG bytes as they are into a stored (uncompressed) zip with the same
layout, entries in sorted order with the source's timestamps, so the output is byte-identical for
the same inputs. Defaults: ../shared/datasets/cifar10-jpg.zip -> data/cifar10-sample.zip.
"""
import argparse, os, random, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", nargs="?", default=os.path.join(ROOT, "..", "shared", "datasets", "cifar10-jpg.zip"))
    ap.add_argument("out", nargs="?", default=os.path.join(ROOT, "data", "cifar10-sample.zip"))
    ap.add_argument("--train-per-class", type=int, default=500)
    ap.add_argument("--test-per-class", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    per_split = {"train": a.train_per_class, "test": a.test_per_class}
    with zipfile.ZipFile(a.source) as src:
        by_class = {}
        for info in src.infolist():
            parts = info.filename.split("/")
            if info.is_dir() or len(parts) != 3 or parts[0] not in per_split:
                continue
            by_class.setdefault((parts[0], parts[1]), []).append(info)
        chosen = []
        for (split, cls) in sorted(by_class):
            infos = sorted(by_class[(split, cls)], key=lambda i: i.filename)
            k = per_split[split]
            if len(infos) < k:
                raise SystemExit("%s/%s has only %d images, %d wanted" % (split, cls, len(infos), k))
            # One generator per (seed, split, class): the choice for a class does not depend on the others.
            rng = random.Random("%d/%s/%s" % (a.seed, split, cls))
            chosen += rng.sample(infos, k)
        chosen.sort(key=lambda i: i.filename)
        tmp = a.out + ".tmp"
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as dst:
            for info in chosen:
                out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                out.compress_type = zipfile.ZIP_STORED
                out.external_attr = 0o644 << 16
                dst.writestr(out, src.read(info.filename))
        os.replace(tmp, a.out)
    counts = {s: sum(1 for i in chosen if i.filename.startswith(s + "/")) for s in per_split}
    print("%s: %d train + %d test images, %.1f MB" % (a.out, counts["train"], counts["test"], os.path.getsize(a.out) / 1e6))


if __name__ == "__main__":
    main()
