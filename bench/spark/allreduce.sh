#!/usr/bin/env bash
# Ring all-reduce between two Spark executors (local-cluster, separate JVMs) on 127.0.0.1: the
# per-message latency (a 1-float all-reduce is 2(N-1) messages) and the bus bandwidth at
# ResNet-20's and ResNet-50's gradient sizes (their parameter counts). A benchmark, not a test:
# run it on an idle machine; figures from a shared one mean nothing.
#   bench/spark/allreduce.sh [--quick] [--json] [more bench-allreduce options, e.g. --reps 30]
# --quick: ResNet-20's buffer only, 3 timed exchanges (checks that it runs, ~30 s).
# The full run takes about a minute (most of it Spark's start-up); its --json output is what
# bench/spark/costmodel.py reads (--allreduce FILE).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
args=()   # the command's defaults: resnet20,resnet50, 20 timed after 3 warm-up
extra=()
for a in "$@"; do
  case "$a" in
    --quick) args=(--models resnet20 --reps 3 --warmup 1) ;;
    *) extra+=("$a") ;;
  esac
done
exec "$here/bin/jresnet" spark bench-allreduce --master 'local-cluster[2,1,1024]' --workers 2 \
  ${args[@]+"${args[@]}"} ${extra[@]+"${extra[@]}"} 2> >(grep -v ' INFO \|^WARNING: Using incubator\|^SLF4J\|NativeCodeLoader' >&2)
