#!/usr/bin/env bash
# Data-parallel scaling on one machine's cores: `spark train` of ResNet-20 at global batch 128 as
#   A: 1 worker x 2 threads   (local-cluster[1,2,2048], spark.task.cpus=2: one engine, 2 threads)
#   B: 2 workers x 1 thread   (local-cluster[2,1,1024]: two executor JVMs, ring all-reduce)
# on the same 2 cores and the same heap in all. The first epoch is the warm-up (JIT, first
# allocations) and is left out; the epochs after it are a fixed number of steps (train images /
# 128). Throughput = images / (step_s + data_wait_s) from rank 0's metrics.jsonl: the training
# loop's own time, without Spark's start-up, the test pass and checkpoints (rank 0 evaluates
# alone, on its one thread in B; the epoch-wall figure beside it includes that). Rounds alternate
# A and B. Prints both throughputs, B/A (target >= 0.9) and B's step split (compute / wait /
# all-reduce / sync / update, rank 0).
# A benchmark, not a test: run it on an idle machine; figures from a shared one mean nothing.
#   bench/spark/scaling.sh [--quick] [--data ZIP|DIR] [--epochs E] [--rounds R] [--batch B] [--model M]
# Defaults: data/cifar10-sample.zip (5000 train images: 39 steps an epoch), --epochs 4 (1 warm-up
# + 3 measured = 117 steps), --rounds 2: about 6-8 minutes on 2 cores.
# --quick: 130 train / 40 test images of the sample, batch 32, 2 epochs, 1 round (checks that
# it runs; its figures are meaningless).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$here/data/cifar10-sample.zip" epochs=4 rounds=2 batch=128 model=resnet20 quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; epochs=2; rounds=1; batch=32; shift ;;
    --data) data="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    *) echo "usage: $0 [--quick] [--data ZIP|DIR] [--epochs E>=2] [--rounds R] [--batch B] [--model NAME]" >&2; exit 2 ;;
  esac
done
[[ "$epochs" =~ ^[0-9]+$ && "$epochs" -ge 2 ]] || { echo "scaling.sh: --epochs must be >= 2 (the first is the warm-up), got $epochs" >&2; exit 2; }
[[ "$rounds" =~ ^[0-9]+$ && "$rounds" -ge 1 ]] || { echo "scaling.sh: --rounds must be >= 1, got $rounds" >&2; exit 2; }
[[ "$batch" =~ ^[0-9]+$ && $((batch % 2)) -eq 0 ]] || { echo "scaling.sh: --batch must be even (two workers), got $batch" >&2; exit 2; }
[[ -e "$data" ]] || { echo "scaling.sh: no data at $data" >&2; exit 2; }

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
if [[ $quick == 1 ]]; then
  python3 - "$data" "$work/tiny.zip" <<'PY'
import sys, zipfile, collections
src, dst = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2], "w")
seen = collections.Counter()
for n in src.namelist():
    parts = n.split("/")
    if len(parts) < 3 or not parts[-1]: continue
    if seen[(parts[0], parts[1])] < (13 if parts[0] == "train" else 4):
        seen[(parts[0], parts[1])] += 1
        dst.writestr(n, src.read(n))
dst.close()
PY
  data="$work/tiny.zip"
fi

# One spark train run; prints nothing, leaves metrics in $work/$1. Spark's log goes to $work/$1.log.
run() {
  local name="$1" master="$2" workers="$3" cpus="$4"
  if ! JRESNET_JAVA_OPTS="${JRESNET_JAVA_OPTS:-} -Dspark.task.cpus=$cpus" "$here/bin/jresnet" spark train \
      --master "$master" --workers "$workers" --data "$data" --model "$model" --batch "$batch" \
      --epochs "$epochs" --warmup 0 --seed 1 --quiet --out "$work/$name" >"$work/$name.out" 2>"$work/$name.log"; then
    echo "scaling.sh: the $name run failed; its log:" >&2
    grep -v ' INFO ' "$work/$name.log" | tail -30 >&2
    exit 1
  fi
}

for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds: A (1 worker x 2 threads)..." >&2
  run "a$r" 'local-cluster[1,2,2048]' 1 2
  echo "round $r/$rounds: B (2 workers x 1 thread)..." >&2
  run "b$r" 'local-cluster[2,1,1024]' 2 1
done

python3 - "$work" "$rounds" "$batch" "$model" <<'PY'
import json, os, statistics, sys
work, rounds, batch, model = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def rows(run):
    out = []
    with open(os.path.join(work, run, "metrics.jsonl")) as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                if "event" not in o: out.append(o)
    return out

def measure(run):
    rs = rows(run)
    steps = imgs = loop = wall = 0.0
    split = {}
    for prev, r in zip(rs, rs[1:]):   # the first epoch is the warm-up
        n = r["iteration"] - prev["iteration"]
        steps += n
        imgs += n * batch
        loop += r["step_s"] + r["data_wait_s"]
        wall += r["elapsed_s"] - prev["elapsed_s"]
        for k in ("step_s", "data_wait_s", "compute_s", "wait_s", "allreduce_s", "sync_s"):
            split[k] = split.get(k, 0.0) + r.get(k, float("nan"))
    return {"steps": int(steps), "ips": imgs / loop, "wall_ips": imgs / wall, "split": split}

a = [measure("a%d" % i) for i in range(1, rounds + 1)]
b = [measure("b%d" % i) for i in range(1, rounds + 1)]
print("%s, global batch %d, %d measured steps a run (after a warm-up epoch), %d round(s)" % (model, batch, a[0]["steps"], rounds))
print("| run | config | train img/s (step + data wait) | epoch-wall img/s (with test pass, checkpoints) |")
print("| --- | --- | --- | --- |")
for i in range(rounds):
    print("| A%d | 1 worker x 2 threads | %.1f | %.1f |" % (i + 1, a[i]["ips"], a[i]["wall_ips"]))
    print("| B%d | 2 workers x 1 thread | %.1f | %.1f |" % (i + 1, b[i]["ips"], b[i]["wall_ips"]))
ma, mb = statistics.median(x["ips"] for x in a), statistics.median(x["ips"] for x in b)
wa, wb = statistics.median(x["wall_ips"] for x in a), statistics.median(x["wall_ips"] for x in b)
ratio = mb / ma
print("median over rounds: A %.1f img/s, B %.1f img/s; B/A = %.3f (target >= 0.9: %s); epoch-wall B/A = %.3f"
      % (ma, mb, ratio, "met" if ratio >= 0.9 else "NOT met", wb / wa))
s = b[-1]["split"]
step = s["step_s"]
parts = [("compute", s["compute_s"]), ("wait", s["wait_s"]), ("all-reduce", s["allreduce_s"]), ("sync", s["sync_s"])]
parts.append(("update and checks", step - sum(v for _, v in parts)))
print("B%d step split (rank 0, %d steps): step %.2f s = " % (rounds, b[-1]["steps"], step)
      + " + ".join("%s %.2f (%.1f%%)" % (k, v, 100 * v / step) for k, v in parts)
      + "; per step: " + ", ".join("%s %.1f ms" % (k, 1e3 * v / b[-1]["steps"]) for k, v in parts)
      + "; data wait %.2f s" % s["data_wait_s"])
PY
