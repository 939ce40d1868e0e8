#!/usr/bin/python3
"""bench/recipe/run: time to accuracy. ResNet-20 on the CIFAR-10 JPEGs with a training recipe,
jresnet (`bin/jresnet train --recipe R`) and PyTorch (bench/recipe/torch_fast.py --recipe R: the
shared reference script extended with the same ingredients), each run from a cold start: a new
process (a new JVM), an empty decode cache (jresnet: a fresh --cache-dir; PyTorch: its .npz cache
deleted), so decoding the 60,000 JPEGs is part of the time.

Per run it records, in RESULTS/<run>/result.json: the process's wall time from launch to exit,
the wall time since launch at which each epoch's summary line appeared (after its test pass), the
epoch's test error, the final top-1, when the run first reached --target top-1 (if it did), the
exact command, the CPU, JDK / torch versions and the load average at the start. RESULTS/summary.csv
and summary.md list every finished run; RESULTS/time-to-accuracy.png plots test error against wall
time (bench/recipe/Plot.java, the project's plot package).

Resumable: a run whose result.json exists is skipped; a run that stopped half-way is started again
from scratch (a resumed run has no cold-start time). Runs go seed by seed, the sides and recipes
interleaved, so a stopped session leaves comparable pairs.

  bench/recipe/run                                 # fast and reference, jresnet and PyTorch, seeds 0,1,2
  bench/recipe/run --recipes fast --seeds 0        # one run a side
  bench/recipe/run --ablation                      # jresnet: each ingredient removed from fast / added to
                                                   # reference alone, --ablation-epochs (5) each
  bench/recipe/run --data data/cifar10-sample.zip --epochs 1 --results /tmp/smoke   # does it work
  bench/recipe/run --summary                       # only rewrite summary and plot from RESULTS
"""
import argparse, datetime, json, os, re, shutil, signal, subprocess, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = "/usr/bin/python3"
sys.path.insert(0, os.path.dirname(HERE))
from compare import cpu_info, ensure_torch, log, pause_others, resume_all  # noqa: E402

JRESNET_EPOCH = re.compile(r"^epoch (\d+)/\d+\s+iter\s")      # train's epoch summary (step lines lack the /N)
TORCH_EPOCH = re.compile(r"^epoch (\d+) loss ")
TARGET = 0.852  # the bar: 85.2% top-1 on the 10,000 test images

# Each ingredient, as the options that remove it from fast (None: not in fast) and add it to reference.
# fast is reference shortened (18 epochs; --ablation-epochs fixes the length of every ablation run)
# with six test views (flips, one-pixel shifts) and one test pass, at the end; the others are the first fast recipe's
# (train --recipe onecycle), measured one at a time on the reference. The same option names work
# for both sides (torch_fast.py takes train's names).
INGREDIENTS = [
    ("tta-flip", ["--no-tta-flip"], ["--tta-flip"]),
    ("tta-translate", ["--no-tta-translate"], ["--tta-translate"]),
    # the first half of the epochs on 24x24 crops, whatever --ablation-epochs is (measured, not in fast)
    ("crop-epochs", None, lambda epochs: ["--crop-epochs", str(epochs // 2)]),
    ("test-every", ["--test-every", "1"], ["--test-every", "18"]),
    ("onecycle", None, ["--schedule", "onecycle"]),
    ("label-smoothing", None, ["--label-smoothing", "0.1"]),
    ("zero-init", None, ["--zero-init-residual"]),
    ("nesterov", None, ["--nesterov"]),
    ("wd5e-4", None, ["--weight-decay", "5e-4"]),
    ("batch256-lr", None, ["--batch", "256", "--lr", "0.2"]),
]


def atomic_write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def loadavg():
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except OSError:
        return None


def versions():
    v = {}
    try:
        v["jdk"] = json.loads(subprocess.run([os.path.join(ROOT, "bin", "jresnet"), "info", "--json"],
                                             capture_output=True, text=True).stdout)["jdk"]
    except (ValueError, KeyError):
        v["jdk"] = "?"
    v["torch"] = subprocess.run([PY, "-c", "import torch; print(torch.__version__)"], capture_output=True,
                                text=True).stdout.strip() or "?"
    return v


def launch(cmd, log_path, pattern, env=None):
    """Runs cmd, its stdout and stderr merged into log_path, each line stamped with seconds since
    launch; returns (exit code, wall seconds, {epoch: seconds since launch of its summary line})."""
    epochs = {}
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                         env=env, start_new_session=True)
    try:
        with open(log_path, "w") as out:
            out.write("# %s\n" % " ".join(cmd))
            for line in p.stdout:
                t = time.monotonic() - t0
                out.write("%9.2f %s" % (t, line))
                out.flush()   # the log can be followed while the run goes
                m = pattern.match(line)
                if m:
                    epochs[int(m.group(1))] = t
        code = p.wait()
    except BaseException:
        os.killpg(p.pid, signal.SIGTERM)   # the run's own process group only
        p.wait()
        raise
    return code, time.monotonic() - t0, epochs


def first_reaching(rows, target):
    for r in rows:
        if r.get("test_err") is not None and 1 - r["test_err"] >= target - 1e-12:
            return r
    return None


def run_jresnet(a, run_dir, recipe, seed, extra):
    out, cache = os.path.join(run_dir, "out"), os.path.join(run_dir, "cache")
    cmd = [os.path.join(ROOT, "bin", "jresnet"), "train", "--recipe", recipe, "--data", a.data, "--seed", str(seed),
           "--threads", str(a.threads), "--cache-dir", cache, "--out", out]
    if a.epochs:
        cmd += ["--epochs", str(a.epochs)]
    cmd += extra
    code, wall, seen = launch(cmd, os.path.join(run_dir, "output.log"), JRESNET_EPOCH)
    shutil.rmtree(cache, ignore_errors=True)   # 180 MB per run; the next run must start cold anyway
    if code != 0:
        raise RuntimeError("jresnet train failed (exit %d), see %s" % (code, os.path.join(run_dir, "output.log")))
    rows = []
    for line in open(os.path.join(out, "metrics.jsonl")):
        r = json.loads(line)
        if "event" in r:
            continue
        rows.append({"epoch": r["epoch"], "wall_s": seen.get(r["epoch"]), "elapsed_s": r["elapsed_s"],
                     "train_loss": r.get("train_loss"), "train_err": r.get("train_err"), "test_err": r.get("test_err")})
    return cmd, wall, rows


def run_pytorch(a, run_dir, recipe, seed, extra):
    out = os.path.join(run_dir, "torch.json")
    cmd = [PY, os.path.join(HERE, "torch_fast.py"), a.data, out, "--recipe", recipe, "--seed", str(seed)]
    if a.epochs:
        cmd += ["--epochs", str(a.epochs)]
    cmd += extra
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))
    code, wall, seen = launch(cmd, os.path.join(run_dir, "output.log"), TORCH_EPOCH, env)
    for f in (out + ".cache.npz", out + ".cache.npz.npz"):
        if os.path.exists(f):
            os.remove(f)
    if code != 0:
        raise RuntimeError("torch_fast.py failed (exit %d), see %s" % (code, os.path.join(run_dir, "output.log")))
    rows = [{"epoch": r["epoch"], "wall_s": seen.get(r["epoch"]), "elapsed_s": r["elapsed_s"],
             "train_loss": r.get("train_loss"), "train_err": r.get("train_err"), "test_err": r.get("test_err")}
            for r in json.load(open(out))["epochs"]]
    return cmd, wall, rows


def run_name(side, recipe, variant, epochs, seed):
    """e.g. jresnet-fast-s0, pytorch-reference-e1-s2, jresnet-fast-without-onecycle-e5-s0."""
    prefix = {"-": "without-", "+": "with-"}
    v = "" if variant is None else "-" + (prefix[variant[0]] + variant[1:] if variant[0] in prefix else variant)
    return "%s-%s%s%s-s%d" % (side, recipe, v, "" if not epochs else "-e%d" % epochs, seed)


def one_run(a, env_info, side, recipe, variant, seed, extra):
    name = run_name(side, recipe, variant, a.epochs, seed)
    run_dir = os.path.join(a.results, name)
    result = os.path.join(run_dir, "result.json")
    if os.path.exists(result):
        log("recipe: %s done, skipped" % name)
        return
    shutil.rmtree(run_dir, ignore_errors=True)   # a half-finished run starts over: it must start cold
    os.makedirs(run_dir)
    log("recipe: %s ..." % name)
    load = loadavg()
    started = datetime.datetime.now().isoformat(timespec="seconds")
    fn = run_jresnet if side == "jresnet" else run_pytorch
    cmd, wall, rows = fn(a, run_dir, recipe, seed, extra)
    final = rows[-1].get("test_err")
    reached = first_reaching(rows, a.target)
    res = {"name": name, "side": side, "recipe": recipe, "variant": variant, "seed": seed, "epochs": len(rows),
           "cmd": cmd, "started": started, "loadavg_at_start": load, "wall_s": wall,
           "final_top1": None if final is None else 1 - final, "target_top1": a.target,
           "reached_target_epoch": reached and reached["epoch"], "reached_target_wall_s": reached and reached["wall_s"],
           "rows": rows, "epochs_override": a.epochs or None,
           "cpu": {k: v for k, v in env_info["cpu"].items() if k != "flags"},
           "jdk": env_info["jdk"], "torch": env_info["torch"], "threads": a.threads, "data": a.data}
    atomic_write(result, json.dumps(res, indent=1))
    log("recipe: %s: top-1 %s, %.0f s%s" % (name, "?" if final is None else "%.2f%%" % (100 * (1 - final)), wall,
        "" if not reached else ", %.1f%% first at epoch %d (%.0f s)" % (100 * a.target, reached["epoch"], reached["wall_s"])))


SHORT = re.compile(r"-e\d+-s\d+$")   # a run cut short by --epochs (a timing run, or a smoke run)


def is_short(r):
    """A main run (no ablation variant) cut short by --epochs."""
    return r.get("variant") is None and (bool(r.get("epochs_override")) or bool(SHORT.search(r["name"])))


def load_curve(path):
    """Per-epoch test error of a full reference run: PyTorch's reference JSON or jresnet's metrics.csv."""
    if path.endswith(".json"):
        return [(e["epoch"], e["test_err"]) for e in json.load(open(path))["epochs"]]
    import csv
    return [(int(r["epoch"]), float(r["test_err"])) for r in csv.DictReader(open(path)) if r.get("test_err")]


def estimate_reference(results, side, curve_path, target):
    """Writes RESULTS/<side>-reference-estimated-s0/result.json: the reference recipe's full-length curve
    (a finished 30-epoch run of that side, CURVE_PATH) placed on this sitting's clock, taken from the
    side's short reference runs (--recipes reference --epochs K, K >= 2): epoch 1 ends at their
    first epoch's wall time since launch (cold start, decoding, epoch 1 and its test pass), every later
    epoch adds their mean later epoch. The reference recipe's epochs all cost the same (same batch,
    same model, a test pass each), so K epochs measure all 30 of them without running 45 minutes."""
    shorts = []
    for d in sorted(os.listdir(results)):
        f = os.path.join(results, d, "result.json")
        if os.path.exists(f):
            r = json.load(open(f))
            if r["side"] == side and r["recipe"] == "reference" and r.get("variant") is None and is_short(r) \
                    and len(r["rows"]) >= 2 and all(x.get("wall_s") for x in r["rows"]):
                shorts.append(r)
    if not shorts:
        return None
    firsts = [r["rows"][0]["wall_s"] for r in shorts]
    laters = [b["wall_s"] - a["wall_s"] for r in shorts for a, b in zip(r["rows"], r["rows"][1:])]
    first, later = sum(firsts) / len(firsts), sum(laters) / len(laters)
    curve = load_curve(curve_path)
    rows = [{"epoch": e, "wall_s": first + (e - 1) * later, "test_err": err} for e, err in curve]
    reached = first_reaching(rows, target)
    base = shorts[0]
    res = {"name": "%s-reference-estimated-s0" % side, "side": side, "recipe": "reference", "variant": "estimated",
           "seed": 0, "epochs": len(rows), "wall_s": rows[-1]["wall_s"], "final_top1": 1 - rows[-1]["test_err"],
           "target_top1": target, "reached_target_epoch": reached and reached["epoch"],
           "reached_target_wall_s": reached and reached["wall_s"], "rows": rows,
           "estimated_from": {"curve": os.path.relpath(curve_path, ROOT), "timing_runs": [r["name"] for r in shorts],
                              "first_epoch_wall_s": first, "later_epoch_s": later, "later_epochs_measured": len(laters)},
           "cpu": base["cpu"], "jdk": base.get("jdk"), "torch": base.get("torch"), "threads": base.get("threads"),
           "started": base.get("started"), "data": base.get("data")}
    run_dir = os.path.join(results, res["name"])
    os.makedirs(run_dir, exist_ok=True)
    atomic_write(os.path.join(run_dir, "result.json"), json.dumps(res, indent=1))
    log("recipe: %s: epoch 1 at %.0f s, then %.1f s an epoch (%d measured epochs of %s); %.1f%% first at epoch %s (%s)"
        % (res["name"], first, later, len(laters), ", ".join(res["estimated_from"]["timing_runs"]), 100 * target,
           reached and reached["epoch"], "never" if not reached else "%.0f s" % reached["wall_s"]))
    return res


def summarize(results):
    runs = []
    for d in sorted(os.listdir(results)) if os.path.isdir(results) else []:
        f = os.path.join(results, d, "result.json")
        if os.path.exists(f):
            runs.append(json.load(open(f)))
    cols = ["side", "recipe", "variant", "seed", "epochs", "final_top1", "wall_s", "reached_target_epoch",
            "reached_target_wall_s", "cpu", "jdk", "torch", "name"]
    fmt = lambda v: "" if v is None else "%.4f" % v if isinstance(v, float) else str(v)
    csv = [",".join(cols)]
    md = ["| side | recipe | seed | epochs | final top-1 | wall time | reached %.1f%% | CPU |" % (100 * TARGET),
          "|---|---|---:|---:|---:|---:|---|---|"]
    for r in runs:
        vals = dict(r, cpu=r["cpu"].get("model_name", "?"))
        csv.append(",".join('"%s"' % fmt(vals.get(c)).replace('"', "'") for c in cols))
        rec = r["recipe"] + ("" if r.get("variant") is None else " " + r["variant"]) \
            + (" (timing run, %d epochs)" % r["epochs"] if is_short(r) else "")
        reach = "no" if r.get("reached_target_wall_s") is None else "epoch %d, %.1f min" % (
            r["reached_target_epoch"], r["reached_target_wall_s"] / 60)
        md.append("| %s | %s | %d | %d | %s | %.1f min | %s | %s |" % (
            r["side"], rec, r["seed"], r["epochs"], "?" if r.get("final_top1") is None else "%.2f%%" % (100 * r["final_top1"]),
            r["wall_s"] / 60, reach, vals["cpu"]))
    md += [""] + targets(runs)
    ablation = ablation_table(runs)
    if ablation:
        md += [""] + ablation
    if runs:
        atomic_write(os.path.join(results, "summary.csv"), "\n".join(csv) + "\n")
        atomic_write(os.path.join(results, "summary.md"), "\n".join(md) + "\n")
    return runs, "\n".join(md)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return None if n == 0 else xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def targets(runs):
    """The issue's three checks, from whatever runs are finished (medians over seeds)."""
    main = [r for r in runs if r.get("variant") is None and not is_short(r)]
    estimated = [r for r in runs if r.get("variant") == "estimated"]

    def pick(side, recipe):
        """The full runs of a side and recipe; else its estimate (--estimate-reference)."""
        got = [r for r in main if r["side"] == side and r["recipe"] == recipe]
        return got or [r for r in estimated if r["side"] == side and r["recipe"] == recipe]
    out = []
    fast = pick("jresnet", "fast")
    if fast:
        ok = sum(1 for r in fast if (r.get("final_top1") or 0) >= TARGET - 1e-12)
        out.append("- jresnet fast: final top-1 >= %.1f%% in %d of %d seeds (target: 2 of 3)" % (100 * TARGET, ok, len(fast)))
    ref_runs = pick("pytorch", "reference")
    ref = [r["reached_target_wall_s"] for r in ref_runs if r.get("reached_target_wall_s")]
    if fast and ref:
        f, t = median([r["wall_s"] for r in fast]), median(ref)
        est = any(r.get("variant") == "estimated" for r in ref_runs)
        out.append("- jresnet fast, whole run %.1f min (median) against PyTorch reference reaching %.1f%% at %.1f min"
                   " (%s): %.2f of it (target <= 0.5)" % (f / 60, 100 * TARGET, t / 60,
                                                          "estimated" if est else "median", f / t))
    for recipe in ("fast", "reference"):
        j, p = pick("jresnet", recipe), pick("pytorch", recipe)
        if j and p:
            jw, pw = median([r["wall_s"] for r in j]), median([r["wall_s"] for r in p])
            est = any(r.get("variant") == "estimated" for r in j + p)
            out.append("- %s recipe end to end%s: PyTorch %.1f min / jresnet %.1f min = %.2fx%s" % (
                recipe, " (estimated)" if est else "", pw / 60, jw / 60, pw / jw,
                " (target >= 1.2x)" if recipe == "fast" else ""))
    return out


def ablation_table(runs):
    """Each ablation variant against its base (same recipe, epochs and seed): top-1 and time differences."""
    base = {(r["recipe"], r["epochs"], r["seed"]): r for r in runs if r.get("variant") == "base"}
    lines = []
    for r in runs:
        b = base.get((r["recipe"], r["epochs"], r["seed"]))
        if r.get("variant") in (None, "base", "estimated") or b is None or r.get("final_top1") is None or b.get("final_top1") is None:
            continue
        lines.append("| %s %s | %d | %d | %.2f%% | %+.2f | %.1f min | %+.1f |" % (
            r["recipe"], r["variant"], r["seed"], r["epochs"], 100 * r["final_top1"],
            100 * (r["final_top1"] - b["final_top1"]), r["wall_s"] / 60, (r["wall_s"] - b["wall_s"]) / 60))
    if not lines:
        return []
    head = ["| ablation (jresnet) | seed | epochs | final top-1 | vs base (points) | wall time | vs base (min) |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    bases = ["| %s base | %d | %d | %.2f%% | | %.1f min | |" % (b["recipe"], b["seed"], b["epochs"],
             100 * b["final_top1"], b["wall_s"] / 60) for b in base.values() if b.get("final_top1") is not None]
    return head + bases + lines


def plot(results):
    jar = os.path.join(ROOT, "target", "jresnet.jar")
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    png = os.path.join(results, "time-to-accuracy.png")
    r = subprocess.run([java, "-Djava.awt.headless=true", "-cp", jar, os.path.join(HERE, "Plot.java"), results, png,
                        str(TARGET)], capture_output=True, text=True)
    if r.returncode != 0:
        log("recipe: no plot: %s" % (r.stderr.strip().splitlines() or ["?"])[-1])
    else:
        log("recipe: plot %s" % png)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"),
                    help="the shared folder with datasets/ (default: %(default)s)")
    ap.add_argument("--data", help="CIFAR-10 JPEG zip (default: SHARED/datasets/cifar10-jpg.zip)")
    ap.add_argument("--results", default=os.path.join(HERE, "results"), help="results folder (default: %(default)s)")
    ap.add_argument("--sides", default="jresnet,pytorch", help="jresnet, pytorch or both (default: %(default)s)")
    ap.add_argument("--recipes", default="fast,reference", help="recipes to run (default: %(default)s)")
    ap.add_argument("--seeds", default="0,1,2", help="seeds (default: %(default)s)")
    ap.add_argument("--epochs", type=int, default=0, help="override every recipe's epochs (smoke runs)")
    ap.add_argument("--threads", type=int, default=2, help="threads of both sides (the reference script fixes 2)")
    ap.add_argument("--target", type=float, default=TARGET, help="top-1 whose first reaching is timed (%(default)s)")
    ap.add_argument("--ablation", action="store_true",
                    help="jresnet only: fast and reference, each ingredient removed from fast and added to reference")
    ap.add_argument("--ablation-epochs", type=int, default=5, help="epochs of each ablation run (default %(default)s)")
    ap.add_argument("--only", help="ablation: only these variants (e.g. base,-onecycle,+tta-flip)")
    ap.add_argument("--summary", action="store_true", help="only write summary and plot from the results folder")
    ap.add_argument("--estimate-reference", action="store_true",
                    help="with --summary: place each side's full reference curve (--pytorch-curve, --jresnet-curve) on"
                         " this sitting's clock, from its short reference runs (--recipes reference --epochs 3)")
    ap.add_argument("--pytorch-curve", default=os.path.join(os.path.dirname(ROOT), "shared", "reference",
                                                            "torch_resnet20_cosine30_jpeg.json"),
                    help="PyTorch's 30-epoch reference run (default: %(default)s)")
    ap.add_argument("--jresnet-curve", default=os.path.join(ROOT, "docs", "results", "r20", "metrics.csv"),
                    help="jresnet's 30-epoch reference run, metrics.csv (default: %(default)s)")
    ap.add_argument("--pause", action="store_true", help="SIGSTOP other jresnet processes while running")
    a = ap.parse_args()
    a.results = os.path.abspath(a.results)
    if a.estimate_reference and not a.summary:
        ap.error("--estimate-reference goes with --summary")
    if a.summary:
        if a.estimate_reference:
            if not os.path.isdir(a.results):
                sys.exit("recipe: no results folder %s" % a.results)
            for side, curve in (("pytorch", a.pytorch_curve), ("jresnet", a.jresnet_curve)):
                if not os.path.isfile(curve):
                    sys.exit("recipe: no %s reference curve %s (see --%s-curve)" % (side, curve, side))
                if estimate_reference(a.results, side, curve, a.target) is None:
                    log("recipe: no short %s reference run (--recipes reference --epochs 3) in %s: not estimated"
                        % (side, a.results))
        runs, md = summarize(a.results)
        if not runs:
            sys.exit("recipe: no finished run (no */result.json) in %s" % a.results)
        print(md)
        plot(a.results)
        return
    a.data = os.path.abspath(a.data or os.path.join(a.shared, "datasets", "cifar10-jpg.zip"))
    if not os.path.isfile(a.data):
        ap.error("no %s (set --shared or --data)" % a.data)
    sides = [s for s in a.sides.split(",") if s]
    if any(s not in ("jresnet", "pytorch") for s in sides):
        ap.error("--sides: jresnet and/or pytorch")
    try:
        seeds = [int(s) for s in a.seeds.split(",") if s]
    except ValueError:
        ap.error("--seeds: comma-separated integers")
    if a.epochs < 0 or a.threads < 1 or a.ablation_epochs < 1:
        ap.error("--epochs >= 0, --threads >= 1, --ablation-epochs >= 1")
    plan = []   # (side, recipe, variant, seed, extra options)
    if a.ablation:
        a.epochs = a.epochs or a.ablation_epochs
        variants = [("fast", "base", [])] + [("fast", "-" + n, rm) for n, rm, _ in INGREDIENTS if rm] \
            + [("reference", "base", [])] + [("reference", "+" + n, add(a.epochs) if callable(add) else add)
                                              for n, _, add in INGREDIENTS]
        only = None if not a.only else set(a.only.split(","))
        for seed in seeds:
            for recipe, v, extra in variants:
                if only is None or v in only or (v == "base" and "base" in only):
                    plan.append(("jresnet", recipe, v, seed, extra))
    else:
        for seed in seeds:
            for recipe in [r for r in a.recipes.split(",") if r]:
                for side in sides:
                    plan.append((side, recipe, None, seed, []))
    if any(p[0] == "pytorch" for p in plan):
        ensure_torch()
    # Build the jar before any timing (bin/jresnet builds it on first use).
    subprocess.run([os.path.join(ROOT, "bin", "jresnet"), "--version"], check=True, capture_output=True)
    env_info = dict(cpu=cpu_info(), **versions())
    os.makedirs(a.results, exist_ok=True)
    paused = pause_others("recipe") if a.pause else []
    try:
        for side, recipe, variant, seed, extra in plan:
            one_run(a, env_info, side, recipe, variant, seed, extra)
    finally:
        resume_all(paused)
    _, md = summarize(a.results)
    print(md)
    plot(a.results)


if __name__ == "__main__":
    main()
