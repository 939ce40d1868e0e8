#!/usr/bin/python3
"""bench/e2e: whole training epochs of ResNet-20 on CIFAR-10 JPEGs, jresnet against the PyTorch
reference script, with the shared reference recipe (batch 128, SGD momentum 0.9, weight decay
1e-4, lr 0.1 cosine with 200 warm-up iterations, pad-4 crop + flip, 2 threads, seed 0).

Per round, three runs:
  jresnet-cold  bin/jresnet train with an empty decode cache (--cache-dir in a fresh folder)
  jresnet-warm  the same, the cache filled by the cold run
  pytorch       shared/reference/torch_cifar_reference.py, its decoded .npz already made
Reported per run: each epoch's wall time including the test pass (jresnet's metrics.jsonl and
the script's JSON count the same span: from the start of the training loop to the end of the
epoch's test pass), the process's whole wall time (start-up, decoding, writing), and every other
per-epoch *_s figure train records in metrics.jsonl (where the epoch's time goes). Ratio > 1
means jresnet's epoch is shorter. Other jresnet processes are paused while it measures.
"""
import argparse, datetime, json, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
sys.path.insert(0, HERE)
from compare import cpu_info, ensure_torch, log, pause_others, resume_all, run_json, spread  # noqa: E402

THREADS = 2        # the reference script always runs torch.set_num_threads(2)
RECIPE = ["--model", "resnet20", "--batch", "128", "--lr", "0.1", "--momentum", "0.9", "--weight-decay", "1e-4",
          "--schedule", "cosine", "--warmup", "200", "--seed", "0"]


def timed(cmd, env=None):
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        err = [l for l in r.stderr.splitlines() if l.strip()]
        raise RuntimeError("%s failed (exit %d): %s" % (os.path.basename(cmd[1] if cmd[0] == PY else cmd[0]),
                                                       r.returncode, err[-1] if err else "no message"))
    return wall


def epoch_times(elapsed):
    """Per-epoch seconds from cumulative elapsed_s."""
    return [b - a for a, b in zip([0.0] + elapsed[:-1], elapsed)]


def run_jresnet(data, epochs, out, cache):
    if os.path.exists(out):
        shutil.rmtree(out)
    wall = timed([os.path.join(ROOT, "bin", "jresnet"), "train", "--data", data, "--epochs", str(epochs),
                  "--threads", str(THREADS), "--cache-dir", cache, "--out", out, "--quiet"] + RECIPE)
    rows = [json.loads(l) for l in open(os.path.join(out, "metrics.jsonl")) if l.strip()]
    res = {"wall_s": wall, "epoch_s": epoch_times([r["elapsed_s"] for r in rows]),
           "test_err": [r["test_err"] for r in rows]}
    # Where the epoch went, as train records it (any per-epoch *_s figure beside elapsed_s).
    parts = sorted({k for r in rows for k in r if k.endswith("_s") and k != "elapsed_s"})
    if parts:
        res["breakdown"] = {k: [r.get(k) for r in rows] for k in parts}
    return res


def run_pytorch(script, data, epochs, out):
    wall = timed([PY, script, data, out, "--epochs", str(epochs), "--n", "3", "--schedule", "cosine", "--seed", "0"])
    log_ = json.load(open(out))
    eps = log_["epochs"]
    return {"wall_s": wall, "epoch_s": epoch_times([e["elapsed_s"] for e in eps]),
            "test_err": [e["test_err"] for e in eps]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=None, help="CIFAR-10 JPEG zip (default: SHARED/datasets/cifar10-jpg.zip)")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"),
                    help="the shared folder with reference/ and datasets/ (default: %(default)s)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ap.add_argument("--keep", help="keep the run folders and caches in this folder (default: a temporary one)")
    ap.add_argument("--no-pause", action="store_true", help="do not pause other jresnet processes")
    a = ap.parse_args()
    script = os.path.join(a.shared, "reference", "torch_cifar_reference.py")
    data = os.path.abspath(a.data or os.path.join(a.shared, "datasets", "cifar10-jpg.zip"))
    if not os.path.isfile(script):
        ap.error("no %s (set --shared to the folder holding reference/)" % script)
    if not os.path.isfile(data):
        ap.error("no %s (set --data, or --shared to the folder holding datasets/)" % data)
    if not data.lower().endswith(".zip"):
        ap.error("--data is the CIFAR-10 JPEG zip (an ImageFolder zip with train/ and test/), not %s" % data)
    if a.epochs < 1 or a.rounds < 1:
        ap.error("--epochs and --rounds must be >= 1")
    ensure_torch()
    work = os.path.abspath(a.keep) if a.keep else tempfile.mkdtemp(prefix="jresnet-e2e-")
    os.makedirs(work, exist_ok=True)
    paused = [] if a.no_pause else pause_others("e2e")
    try:
        jres = [os.path.join(ROOT, "bin", "jresnet")]
        info = run_json(jres + ["info", "--json", "--threads", str(THREADS)])
        torch_out = os.path.join(work, "torch.json")
        log("e2e: decoding the zip once for the reference script (its .npz cache; not timed)")
        timed([PY, script, data, torch_out, "--epochs", "0"])
        runs = {"jresnet-cold": [], "jresnet-warm": [], "pytorch": []}
        for r in range(a.rounds):
            cache = os.path.join(work, "cache-%d" % r)
            shutil.rmtree(cache, ignore_errors=True)
            steps = [("jresnet-cold", lambda: run_jresnet(data, a.epochs, os.path.join(work, "cold"), cache)),
                     ("jresnet-warm", lambda: run_jresnet(data, a.epochs, os.path.join(work, "warm"), cache)),
                     ("pytorch", lambda: run_pytorch(script, data, a.epochs, torch_out))]
            if r % 2:   # the reference first every other round; cold always before warm
                steps = steps[2:] + steps[:2]
            for name, fn in steps:
                log("e2e: round %d/%d %s (%d epoch(s))" % (r + 1, a.rounds, name, a.epochs))
                runs[name].append(fn())
        sides = {}
        for name, rs in runs.items():
            s = {"wall_s": spread([x["wall_s"] for x in rs]),
                 "epoch_s": [spread([x["epoch_s"][e] for x in rs]) for e in range(a.epochs)],
                 "test_err": [x["test_err"] for x in rs]}
            if any("breakdown" in x for x in rs):
                s["breakdown"] = [x.get("breakdown") for x in rs]
            sides[name] = s
        torch_v = subprocess.run([PY, "-c", "import torch; print(torch.__version__)"], capture_output=True,
                                 text=True).stdout.strip()
        last = a.epochs - 1   # the last epoch: the JIT has compiled by then in a multi-epoch run
        ratio = lambda side: round(sides["pytorch"]["epoch_s"][last]["median"]
                                   / sides[side]["epoch_s"][last]["median"], 3)
        out = {"date": datetime.date.today().isoformat(), "cpu": cpu_info(), "jdk": info["jdk"],
               "torch": torch_v, "threads": THREADS, "data": data, "epochs": a.epochs, "rounds": a.rounds,
               "sides": sides, "ratio_warm": ratio("jresnet-warm"), "ratio_cold": ratio("jresnet-cold"),
               "target": 1.2}
    finally:
        resume_all(paused)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    if a.json:
        print(json.dumps(out, indent=1))
        return
    c = out["cpu"]
    print("date %s | %s (family %s, model %s) | JDK %s | torch %s | %d threads | %s | %d epoch(s) x %d round(s)"
          % (out["date"], c["model_name"], c["family"], c["model"], out["jdk"], out["torch"], THREADS,
             os.path.basename(data), a.epochs, a.rounds))
    print("%-14s %-28s %-26s %s" % ("run", "epoch s, median [min-max]", "process wall s", "test error"))
    for name, s in sides.items():
        eps = ", ".join("%.1f [%.1f-%.1f]" % (e["median"], e["min"], e["max"]) for e in s["epoch_s"])
        w = s["wall_s"]
        errs = " ".join("%.2f%%" % (100 * x[-1]) for x in s["test_err"])
        print("%-14s %-28s %-26s %s" % (name, eps, "%.1f [%.1f-%.1f]" % (w["median"], w["min"], w["max"]), errs))
        for rnd in s.get("breakdown") or []:
            if rnd:
                print("  " + ", ".join("%s %s" % (k, "/".join("%.1f" % v for v in vs if v is not None))
                                       for k, vs in rnd.items()))
    print("epoch %d, PyTorch / jresnet: warm cache %.2fx, cold cache %.2fx (target %.1fx)"
          % (a.epochs, out["ratio_warm"], out["ratio_cold"], out["target"]))


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:   # a side's run failed: its own last line says why
        print("e2e: %s" % e, file=sys.stderr)
        sys.exit(1)
