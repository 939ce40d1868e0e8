#!/usr/bin/python3
"""bench/compare: jresnet against its strongest peers on the same workloads, interleaved, in one run.

Peers (--peers, default all):
  pytorch  Debian's python3-torch (1.13), the faster of NCHW and channels_last per row
  djl      libtorch 2.7.1 through DJL 0.36 (MKL, oneDNN), TorchScript traces of the same networks
  ort      ONNX Runtime (MLAS), inference rows only, all graph optimisations
The DJL and ONNX Runtime runners live in bench/peers (their own Maven build, made on first use;
the model files are made by bench/peers/export.py with Debian's torch). Each runner checks its
logits against eager PyTorch's before it is timed.

Each round runs every workload once per side (fresh processes, the order rotating per round and
row). Every round's figure is kept; the table shows the median [min-max] of each side, the best
peer (best median), and jresnet's ratio to it. Ratio > 1 means jresnet is better: for throughput
jresnet/peer, for latency and memory peer/jresnet. A peer that cannot run a row says why.
While it measures, other jresnet processes (e.g. a background training run) are paused with
SIGSTOP and resumed afterwards, so that nothing else competes for the cores.
"""
import argparse, datetime, json, os, platform, signal, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
PEERS_DIR = os.path.join(HERE, "peers")
MODELS_DIR = os.path.join(PEERS_DIR, "target", "models")
ALL_PEERS = ("pytorch", "djl", "ort")
PEER_MODES = {"pytorch": ("train", "infer"), "djl": ("train", "infer"), "ort": ("infer",)}

# id, model, mode, batch, metric, unit, target ratio. Rows of the same (model, mode, batch) are
# read from one run per side and round (the RSS row is the training row's process).
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
LAYOUT_TRIAL_ITERS = 3  # per layout, after the full warm-up, once per row before the rounds


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


def pause_others(tool):
    """SIGSTOPs the other jresnet processes for the measurement; returns their pids for resume_all."""
    paused = others()
    for p in paused:
        os.kill(p, signal.SIGSTOP)
    if paused:
        log("%s: paused jresnet processes %s while measuring" % (tool, paused))
    return paused


def resume_all(paused):
    """SIGCONTs the processes pause_others stopped (those that still exist)."""
    for p in paused:
        try:
            os.kill(p, signal.SIGCONT)
        except ProcessLookupError:
            pass


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
        err = [l for l in r.stderr.strip().splitlines() if l.strip()]
        raise RuntimeError("%s failed (exit %d): %s" % (os.path.basename(cmd[1] if cmd[0] == PY else cmd[0]),
                                                       r.returncode, err[-1] if err else "no message"))
    return json.loads(r.stdout)


def cpu_info():
    """Model name, family, model number and flags of the first CPU in /proc/cpuinfo."""
    info = {}
    try:
        for line in open("/proc/cpuinfo"):
            if not line.strip():
                break
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()
    except OSError:
        pass
    flags = info.get("flags", "").split()
    return {"model_name": info.get("model name", "?"), "vendor": info.get("vendor_id", "?"),
            "family": info.get("cpu family", "?"), "model": info.get("model", "?"),
            "cores": os.cpu_count(), "arch": platform.machine(),
            "avx512": "avx512f" in flags, "flags": flags}


TORCH_CONFIG = r"""
import json, torch
show = torch.__config__.show()
lines = [l.strip(" -") for l in show.splitlines()]
def find(prefix):
    return next((l[len(prefix):].strip() for l in lines if l.startswith(prefix)), None)
settings = {}
for l in lines:
    if l.startswith("Build settings:"):
        for kv in l[len("Build settings:"):].split(", "):
            k, _, v = kv.partition("=")
            settings[k.strip()] = v.strip()
print(json.dumps({"version": torch.__version__, "cpu_capability": find("CPU capability usage:"),
                  "blas": settings.get("BLAS_INFO"), "lapack": settings.get("LAPACK_INFO"),
                  "mkldnn": next((l for l in lines if "MKL-DNN" in l or "oneDNN" in l), None),
                  "openmp": next((l for l in lines if l.startswith("OpenMP")), None),
                  "mkl": torch.backends.mkl.is_available(), "use_mkldnn": settings.get("USE_MKLDNN"),
                  "default_threads": torch.get_num_threads()}))
"""


def stale(outputs, inputs):
    if not all(os.path.exists(o) for o in outputs):
        return True
    newest_input = max(os.path.getmtime(i) for i in inputs)
    return any(os.path.getmtime(o) < newest_input for o in outputs)


def prepare_peer_models(peers, models, unavailable):
    """Builds bench/peers and exports each model the JVM peers need; failures mark them unavailable."""
    jvm_peers = [p for p in peers if p in ("djl", "ort")]
    if not jvm_peers:
        return
    try:
        log("compare: preparing bench/peers (builds on first use) ...")
        r = subprocess.run([os.path.join(PEERS_DIR, "run"), "--help"], capture_output=True, text=True)
        if r.returncode != 0:
            lines = [l for l in (r.stderr + "\n" + r.stdout).splitlines() if l.strip()]
            raise RuntimeError("bench/peers/run does not start (exit %d): %s"
                               % (r.returncode, lines[0] if lines else "no message"))
    except (OSError, RuntimeError) as e:
        for p in jvm_peers:
            unavailable[p] = str(e)
        return
    export = os.path.join(PEERS_DIR, "export.py")
    for model in models:
        outs = [os.path.join(MODELS_DIR, model + s) for s in ("-train.pt", "-infer.pt", ".onnx", "-check.json")]
        if not stale(outs, [export, os.path.join(HERE, "torch_bench.py")]):
            continue
        log("compare: exporting %s for %s (TorchScript traces, ONNX) ..." % (model, "/".join(jvm_peers)))
        try:
            run_json([PY, export, "--model", model, "--out", MODELS_DIR])
        except RuntimeError as e:
            for p in jvm_peers:
                unavailable.setdefault((p, model), str(e))


def spread(values):
    return {"rounds": [round(v, 3) for v in values], "min": round(min(values), 3),
            "median": round(statistics.median(values), 3), "max": round(max(values), 3)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one round, few iterations (a few minutes)")
    ap.add_argument("--peers", default=",".join(ALL_PEERS), help="comma-separated peers (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ap.add_argument("--markdown", action="store_true",
                    help="print the table as Markdown, with the machine and date (README's form)")
    ap.add_argument("--from", dest="from_file", metavar="FILE",
                    help="measure nothing: print a run saved with --json (as text, or with --markdown)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a row misses its target against its best peer")
    ap.add_argument("--only", help="comma-separated workload ids to run")
    ap.add_argument("--no-pause", action="store_true", help="do not pause other jresnet processes")
    a = ap.parse_args()
    if a.json and a.markdown:
        ap.error("--json and --markdown are two outputs; pick one")
    if a.from_file:
        out, why = load_saved(a.from_file)
        if out is None:
            log("compare: --from %s: %s" % (a.from_file, why))
            sys.exit(2)
        print_markdown(out) if a.markdown else print_table(out, list(out["peers"]))
        if a.check and not all(r["pass"] is not False for r in out["rows"]):
            sys.exit(1)
        return
    peers = [p for p in a.peers.split(",") if p]
    bad = [p for p in peers if p not in ALL_PEERS]
    if bad or not peers:
        ap.error("--peers takes some of %s, got %r" % (",".join(ALL_PEERS), a.peers))
    if a.threads < 1 or a.rounds < 1:
        ap.error("--threads and --rounds must be >= 1")
    ensure_torch()
    rounds = 1 if a.quick else a.rounds
    iters = {"train": 3 if a.quick else 10, "infer": 5 if a.quick else 20}
    warm = {"train": 2 if a.quick else 3, "infer": 3 if a.quick else 5}
    # Every side warms up for at least this long too: the JVM compiles its kernels on the first
    # calls, oneDNN builds its primitives, TorchScript's executor profiles its first runs; what a
    # long run sees is the steady state. jresnet's bench then goes on until its JIT has compiled
    # nothing for a second (bench --jit-quiet): C2 is often still at work after 3 s on two cores.
    warm_s = 2.0 if a.quick else 3.0
    work = [w for w in WORKLOADS if not a.only or w[0] in a.only.split(",")]
    if not work:
        ap.error("no workload matches --only")
    keys = list(dict.fromkeys((w[1], w[2], w[3]) for w in work))   # one run per key, in table order

    paused = [] if a.no_pause else pause_others("compare")
    try:
        jres = [os.path.join(ROOT, "bin", "jresnet")]
        info = run_json(jres + ["info", "--json", "--threads", str(a.threads)])
        # unavailable: peer -> reason (whole peer) or (peer, model) / (peer, model, mode, batch) -> reason
        unavailable = {}
        prepare_peer_models(peers, list(dict.fromkeys(k[0] for k in keys)), unavailable)
        runs = {k: {s: [] for s in ["jresnet"] + peers} for k in keys}
        layouts, versions = {}, {}

        def why_not(peer, key):
            model, mode, batch = key
            if mode not in PEER_MODES[peer]:
                return "no %s rows" % mode
            return unavailable.get(peer) or unavailable.get((peer, model)) or unavailable.get((peer,) + key)

        for r in range(rounds):
            for i, key in enumerate(keys):
                model, mode, batch = key
                base = ["--model", model, "--mode", mode, "--batch", str(batch), "--threads", str(a.threads),
                        "--warmup", str(warm[mode]), "--warmup-seconds", str(warm_s), "--iters", str(iters[mode])]
                sides = [("jresnet", jres + ["bench"] + base + ["--json"])]
                for p in peers:
                    if why_not(p, key):
                        continue
                    if p == "pytorch":
                        if key not in layouts:
                            try:
                                log("compare: picking PyTorch's layout for %s-%s-b%d" % key)
                                layouts[key] = run_json([PY, os.path.join(HERE, "torch_bench.py"), "--pick-layout"]
                                                        + base + ["--iters", str(LAYOUT_TRIAL_ITERS)])
                            except RuntimeError as e:
                                unavailable[(p,) + key] = str(e)
                                continue
                        sides.append((p, [PY, os.path.join(HERE, "torch_bench.py")] + base
                                      + ["--layout", layouts[key]["layout"]]))
                    else:
                        sides.append((p, [os.path.join(PEERS_DIR, "run"), "--engine", p, "--models", MODELS_DIR] + base))
                shift = (r + i) % len(sides)
                for side, cmd in sides[shift:] + sides[:shift]:
                    log("compare: round %d/%d %s-%s-b%d %s" % (r + 1, rounds, model, mode, batch, side))
                    try:
                        out = run_json(cmd)
                    except RuntimeError as e:
                        if side == "jresnet":
                            raise
                        log("compare: %s cannot run %s-%s-b%d: %s" % (side, model, mode, batch, e))
                        unavailable[(side,) + key] = str(e)
                        continue
                    runs[key][side].append(out)
                    if side in ("djl", "ort"):
                        versions[side] = {k: out[k] for k in ("version", "jdk", "library_threads") if k in out}

        rows = []
        for wid, model, mode, batch, metric, unit, target in work:
            key = (model, mode, batch)
            lower = metric in LOWER_IS_BETTER
            sides = {"jresnet": spread([o[metric] for o in runs[key]["jresnet"]])}
            # how long jresnet warmed up: its JIT compiles on the first calls, the peers' code is native
            sides["jresnet"]["warmup_seconds"] = spread([o["warmup_seconds"] for o in runs[key]["jresnet"]])
            sides["jresnet"]["jit_quiet"] = all(o.get("jit_quiet") for o in runs[key]["jresnet"])
            for p in peers:
                reason = why_not(p, key)
                if reason or not runs[key][p]:
                    sides[p] = {"unavailable": reason or "no round ran"}
                    continue
                sides[p] = spread([o[metric] for o in runs[key][p]])
                if p == "pytorch":
                    sides[p]["layout"] = layouts[key]["layout"]
                    sides[p]["layout_trial_ms"] = layouts[key]["trial_ms"]
            ours = sides["jresnet"]["median"]
            ratios = {p: round(s["median"] / ours if lower else ours / s["median"], 3)
                      for p, s in sides.items() if p != "jresnet" and "median" in s}
            best = min(ratios, key=ratios.get) if ratios else None   # the peer jresnet is least ahead of
            rows.append({"id": wid, "metric": metric, "unit": unit, "target": target, "sides": sides,
                         "jresnet": ours, "best_peer": best,
                         "best_peer_median": sides[best]["median"] if best else None,
                         "ratio": ratios.get(best), "ratio_to": ratios,
                         "pass": ratios[best] >= target if best else None})
        torch_cfg = json.loads(subprocess.run([PY, "-c", TORCH_CONFIG], capture_output=True, text=True).stdout)
        peer_info = {}
        for p in peers:
            if p == "pytorch":
                peer_info[p] = {"torch": torch_cfg}
            elif p in versions:
                peer_info[p] = versions[p]
            if p in unavailable:
                peer_info.setdefault(p, {})["unavailable"] = unavailable[p]
        out = {"date": datetime.date.today().isoformat(), "cpu": cpu_info(),
               "jdk": info["jdk"], "java_home": info.get("java_home"), "simd": info.get("simd"),
               "vector_bits": info.get("vector_bits"), "threads": a.threads, "rounds": rounds, "quick": a.quick,
               "iters": iters, "warmup": warm, "warmup_seconds": warm_s, "peers": peer_info, "rows": rows}
    finally:
        resume_all(paused)
    if a.json:
        print(json.dumps(out, indent=1))
    elif a.markdown:
        print_markdown(out)
    else:
        print_table(out, peers)
    if a.check and not all(r["pass"] is not False for r in rows):
        sys.exit(1)


def print_table(out, peers):
    c = out["cpu"]
    print("date %s | %s (family %s, model %s, AVX-512 %s), %d cores | JDK %s | %d threads | %d round(s)"
          % (out["date"], c["model_name"], c["family"], c["model"], "yes" if c["avx512"] else "no", c["cores"],
             out["jdk"], out["threads"], out["rounds"]))
    for p, v in out["peers"].items():
        if p == "pytorch":
            t = v["torch"]
            print("  pytorch: torch %s (CPU capability %s, BLAS %s)" % (t.get("version", "?"), t.get("cpu_capability", "?"),
                                                                        t.get("blas", "?")))
        else:
            print("  %s: %s" % (p, v.get("version") or "unavailable: " + v.get("unavailable", "?")))

    def cell(s):
        if "median" not in s:
            return "n/a"
        return "%.4g [%.4g-%.4g]" % (s["median"], s["min"], s["max"])

    w = 26
    print("%-27s %-*s " % ("workload", w, "jresnet") + " ".join("%-*s" % (w, p) for p in peers)
          + " %-9s %7s %6s %4s" % ("best peer", "ratio", "target", "pass"))
    for row in out["rows"]:
        line = "%-27s %-*s " % ("%s (%s)" % (row["id"], row["unit"]), w, cell(row["sides"]["jresnet"]))
        line += " ".join("%-*s" % (w, cell(row["sides"][p])) for p in peers)
        if row["best_peer"]:
            line += " %-9s %6.2fx %5.2fx %4s" % (row["best_peer"], row["ratio"], row["target"],
                                                 "yes" if row["pass"] else "NO")
        else:
            line += " %-9s" % "none ran"
        print(line)
    warm = [(r["id"], r["sides"]["jresnet"]["warmup_seconds"]["median"], r["sides"]["jresnet"].get("jit_quiet", True))
            for r in out["rows"] if "warmup_seconds" in r["sides"]["jresnet"] and r["metric"] != "peak_rss_mb"]
    if warm:
        print("  jresnet's warm-up (median s, until its JIT was quiet): "
              + ", ".join("%s %.1f%s" % (i, s, "" if q else " (not quiet)") for i, s, q in warm))
    notes = sorted({"%s: %s" % (p, s["unavailable"]) for row in out["rows"] for p, s in row["sides"].items()
                    if "unavailable" in s and not s["unavailable"].startswith("no ")})
    for n in notes:
        print("  n/a " + n)


def load_saved(path):
    """(run, None) for a run saved by --json, else (None, why not)."""
    try:
        with open(path) as f:
            out = json.load(f)
    except OSError as e:
        return None, e.strerror or str(e)
    except ValueError:
        return None, "not JSON"
    if not isinstance(out, dict) or not isinstance(out.get("rows"), list):
        return None, "not a run saved by bench/compare --json"
    if "cpu" not in out or "peers" not in out:   # the first format had one peer and no spreads
        return None, "saved by the first, PyTorch-only bench/compare (its rows have no sides to render); read it as it is"
    return out, None


PEER_TITLES = {"pytorch": "PyTorch", "djl": "libtorch (DJL)", "ort": "ONNX Runtime"}
ROW_TITLES = {"resnet20-train-b128": "ResNet-20 training, batch 128", "resnet56-train-b128": "ResNet-56 training, batch 128",
              "resnet20-infer-b256": "ResNet-20 inference, batch 256", "resnet50-infer-b1": "ResNet-50 inference, batch 1",
              "resnet50-infer-b16": "ResNet-50 inference, batch 16", "resnet50-train-b16": "ResNet-50 training, batch 16",
              "resnet50-train-b16-rss": "ResNet-50 training, batch 16, peak RSS"}


def peer_title(p, info):
    """A column's title with the peer's version: 'PyTorch 1.13', 'libtorch 2.7.1 (DJL)', 'ONNX Runtime 1.22'."""
    if p == "pytorch":
        v = info.get("torch", {}).get("version", "")
        return "PyTorch " + ".".join(v.split(".")[:2]) if v else "PyTorch"
    v = info.get("version", "")   # 'libtorch 2.7.1 (DJL 0.36.0)', 'onnxruntime 1.22.0'
    parts = v.split()
    if p == "djl" and len(parts) > 1:
        return "libtorch %s (DJL)" % parts[1]
    if p == "ort" and len(parts) > 1:
        return "ONNX Runtime " + ".".join(parts[1].split(".")[:2])
    return PEER_TITLES.get(p, p)


def print_markdown(out):
    """The run as README's tables show it: machine and date, then median [min-max] per side."""
    c = out["cpu"]
    peers = list(out["peers"])
    print("%s, cpu family %s, model %s, %d cores, %d threads; %s; %d interleaved round(s)%s; median [min–max] "
          "of each side; ratio > 1 means jresnet is better (for latency and memory, the peer's figure over ours)."
          % (c["model_name"], c["family"], c["model"], c["cores"], out["threads"], out["jdk"], out["rounds"],
             " (quick)" if out.get("quick") else "") + " Date: %s." % out["date"])
    print()

    def fmt(v):
        return "%.3g" % v if abs(v) < 100 else "%.0f" % v

    def cell(s):
        return "%s [%s–%s]" % (fmt(s["median"]), fmt(s["min"]), fmt(s["max"])) if "median" in s else "—"

    print("| workload | " + " | ".join(peer_title(p, out["peers"][p]) for p in peers) + " | jresnet | best peer | jresnet / best |")
    print("|---|" + "---:|" * (len(peers) + 1) + "---|---:|")
    for row in out["rows"]:
        sides = row["sides"]
        title = "%s (%s)" % (ROW_TITLES.get(row["id"], row["id"]), row["unit"])
        best = row["best_peer"]
        ratio = "**%.2fx**" % row["ratio"] if best and row["pass"] else ("%.2fx" % row["ratio"] if best else "—")
        print("| %s | %s | %s | %s | %s |" % (title, " | ".join(cell(sides.get(p, {})) for p in peers),
                                              cell(sides["jresnet"]), PEER_TITLES.get(best, "none ran"), ratio))
    # the RSS row is the training row's process: its warm-up once
    warm = [(r["id"], r["sides"]["jresnet"]["warmup_seconds"]) for r in out["rows"]
            if "warmup_seconds" in r["sides"]["jresnet"] and r["metric"] != "peak_rss_mb"]
    if warm:
        print()
        print("jresnet's warm-up until its JIT was quiet (s, median [min–max]): "
              + "; ".join("%s %s" % (i, cell(s)) for i, s in warm) + ".")


if __name__ == "__main__":
    main()
