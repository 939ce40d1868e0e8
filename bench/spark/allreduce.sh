#!/usr/bin/env bash
# Ring all-reduce between two Spark executors on 127.0.0.1: latency (1 float) and bandwidth at
# ResNet-20's and ResNet-50's gradient sizes. Extra arguments go to the command, e.g. --reps 20.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec "$here/bin/jresnet" spark bench-allreduce --master 'local-cluster[2,1,1024]' --workers 2 \
  --floats 1,272474,25557032 "$@" 2> >(grep -v ' INFO \|^WARNING: Using incubator' >&2)
