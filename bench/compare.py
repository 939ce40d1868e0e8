#!/usr/bin/python3
"""bench/compare: jresnet against PyTorch on the same workloads, interleaved, in one run.

Each round runs every workload once in PyTorch and once in jresnet (fresh processes, alternating
which goes first), and the table reports the median over rounds. Ratio > 1 means jresnet is better:
for throughput jresnet/PyTorch, for latency and memory PyTorch/jresnet.
While it measures, other jresnet processes (e.g. a background training run) are paused with
SIGSTOP and resumed afterwards, so that nothing else competes for the cores.
"""
import argparse, datetime, json, os, platform, signal, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"

# id, model, mode, batch, metric, unit, target ratio
WORKLOADS = [
    ("resnet20-train-b128", "resnet20", "train", 128, "images_per_second", "img/s", 1.0),
    ("resnet56-train-b128", "resnet56", "train", 128, "images_per_second", "img/s", 1.0),
    ("resnet20-infer-b256", "resnet20", "infer", 256, "images_per_second", "img/s", 1.0),
    ("resnet50-infer-b1", "resnet50", "infer", 1, "ms_per_batch", "ms", 1.0),
    ("resnet50-infer-b16", "resnet50", "infer", 16, "images_per_second", "img/s", 1.0),
    ("resnet50-train-b16", "resnet50", "train", 16, "images_per_second", "img/s", 1.0),
    ("resnet50-train-b16-rss", "resnet50", "train", 16, "peak_rss_mb", "MB", 1.0),
]
LOWER_IS_BETTER = {"ms_per_batch", "peak_rss_mb"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def ensure_torch():
    if subprocess.run([PY, "-c", "import torch, torchvision"], capture_output=True).returncode == 0:
        return
    log("compare: installing Debian's python3-torch python3-torchvision ...")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "python3-torch", "python3-torchvision"], check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def others():
    """PIDs of other jresnet JVMs (e.g. a training run) to pause while measuring."""
    me, pids = os.getpid(), []
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == me:
            continue
        try:
            cmd = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")
        except OSError:
            continue
        if any(c.endswith(b"jresnet.jar") for c in cmd) or any(b"org.jresnet" in c for c in cmd):
            pids.append(int(p))
    return pids


def run_json(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(cmd[:4]), r.returncode, r.stderr.strip()[-500:]))
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one round, few iterations (a couple of minutes)")
    ap.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ap.add_argument("--check", action="store_true", help="exit 1 if a row misses its target")
    ap.add_argument("--only", help="comma-separated workload ids to run")
    ap.add_argument("--no-pause", action="store_true", help="do not pause other jresnet processes")
    a = ap.parse_args()
    ensure_torch()
    rounds = 1 if a.quick else a.rounds
    iters = {"train": 3 if a.quick else 10, "infer": 5 if a.quick else 20}
    warm = {"train": 2 if a.quick else 3, "infer": 3 if a.quick else 5}
    # Both sides warm up for at least this long too: the JVM compiles its kernels on the first
    # calls and oneDNN builds its primitives; what a long run sees is the steady state.
    warm_s = 2.0 if a.quick else 3.0
    work = [w for w in WORKLOADS if not a.only or w[0] in a.only.split(",")]
    if not work:
        sys.exit("compare: no workload matches --only")

    paused = [] if a.no_pause else others()
    for p in paused:
        os.kill(p, signal.SIGSTOP)
    if paused:
        log("compare: paused jresnet processes %s while measuring" % paused)
    try:
        jres = [os.path.join(ROOT, "bin", "jresnet")]
        info = run_json(jres + ["info", "--json", "--threads", str(a.threads)])
        results = {w[0]: {"pytorch": [], "jresnet": []} for w in work}
        layouts = {}
        for r in range(rounds):
            for i, (wid, model, mode, batch, metric, unit, target) in enumerate(work):
                base = ["--model", model, "--mode", mode, "--batch", str(batch), "--threads", str(a.threads),
                        "--warmup", str(warm[mode]), "--warmup-seconds", str(warm_s), "--iters", str(iters[mode])]
                if (model, mode, batch) not in layouts:
                    layouts[(model, mode, batch)] = run_json([PY, os.path.join(HERE, "torch_bench.py")] + base
                                                             + ["--iters", "2", "--warmup", "1", "--warmup-seconds", "0"])["layout"]
                torch_cmd = [PY, os.path.join(HERE, "torch_bench.py")] + base + ["--layout", layouts[(model, mode, batch)]]
                ours_cmd = jres + ["bench"] + base + ["--json"]
                order = [("pytorch", torch_cmd), ("jresnet", ours_cmd)]
                if (r + i) % 2:
                    order.reverse()
                for side, cmd in order:
                    log("compare: round %d/%d %s %s" % (r + 1, rounds, wid, side))
                    results[wid][side].append(run_json(cmd)[metric])
        rows = []
        for wid, model, mode, batch, metric, unit, target in work:
            pt = statistics.median(results[wid]["pytorch"])
            jr = statistics.median(results[wid]["jresnet"])
            ratio = pt / jr if metric in LOWER_IS_BETTER else jr / pt
            rows.append({"id": wid, "metric": metric, "unit": unit, "pytorch": round(pt, 3), "jresnet": round(jr, 3),
                         "ratio": round(ratio, 3), "target": target, "pass": ratio >= target})
        torch_v = subprocess.run([PY, "-c", "import torch; print(torch.__version__)"], capture_output=True,
                                 text=True).stdout.strip()
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        out = {"date": datetime.date.today().isoformat(),
               "machine": "%s, %d cores, %s" % (cpu, os.cpu_count(), platform.machine()),
               "jdk": info["jdk"], "simd": info.get("simd"), "torch": torch_v, "threads": a.threads,
               "rounds": rounds, "rows": rows}
    finally:
        for p in paused:
            try:
                os.kill(p, signal.SIGCONT)
            except ProcessLookupError:
                pass
    if a.json:
        print(json.dumps(out, indent=1))
    else:
        print("date %s | %s | JDK %s | torch %s | %d threads | %d round(s)"
              % (out["date"], out["machine"], out["jdk"], out["torch"], a.threads, rounds))
        print("%-24s %12s %12s %8s %7s %5s" % ("workload", "PyTorch", "jresnet", "ratio", "target", "pass"))
        for row in rows:
            print("%-24s %12.2f %12.2f %7.2fx %6.2fx %5s" % (row["id"] + " (" + row["unit"] + ")", row["pytorch"],
                                                          row["jresnet"], row["ratio"], row["target"],
                                                          "yes" if row["pass"] else "NO"))
    if a.check and not all(r["pass"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
