#!/usr/bin/env bash
# Inference throughput of `jresnet spark predict` on local-cluster (2 executors x 1 core, one
# engine thread each) beside `jresnet bench`'s single-process figure for the same model.
# Spark's start-up is taken out: images/s = (N - 1) / (T(all N images) - T(one image)), both
# whole jobs writing Parquet. Run on an idle machine; figures from a shared one mean nothing.
#   bench/spark/inference.sh [--data data/cifar10-sample.zip] [--weights models/resnet20-cifar10.safetensors] [--model resnet20]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$here/data/cifar10-sample.zip" weights="$here/models/resnet20-cifar10.safetensors" model=resnet20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --weights) weights="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    *) echo "usage: $0 [--data ZIP|DIR] [--weights FILE] [--model NAME]" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir "$work/one"
python3 - "$data" "$work/one" <<'PY'
import sys, zipfile, os, shutil
src, dst = sys.argv[1], sys.argv[2]
if src.endswith(".zip"):
    z = zipfile.ZipFile(src)
    name = next(n for n in z.namelist() if n.lower().endswith((".jpg", ".jpeg", ".png", ".bmp", ".gif")))
    open(os.path.join(dst, os.path.basename(name)), "wb").write(z.read(name))
else:
    for root, _, files in os.walk(src):
        f = next((f for f in files if f.lower().endswith((".jpg", ".jpeg", ".png", ".bmp", ".gif"))), None)
        if f: shutil.copy(os.path.join(root, f), dst); break
PY
run() {  # seconds of one whole predict job
  local t0 t1
  t0=$(date +%s.%N)
  "$here/bin/jresnet" spark predict --master 'local-cluster[2,1,1024]' --threads 1 --weights "$weights" \
    --data "$1" --out "$work/out.parquet" --overwrite 2> >(grep -v ' INFO \|^WARNING: Using incubator' >&2) >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
n=$(python3 -c "import sys,zipfile,os
p=sys.argv[1]; ext=('.jpg','.jpeg','.png','.bmp','.gif')
print(sum(1 for n in zipfile.ZipFile(p).namelist() if n.lower().endswith(ext)) if p.endswith('.zip') else sum(1 for r,_,fs in os.walk(p) for f in fs if f.lower().endswith(ext)))" "$data")
t_one=$(run "$work/one")
t_all=$(run "$data")
printf 'spark predict, local-cluster[2,1,1024], 1 engine thread per executor: %d images in %.1f s, one image in %.1f s -> %.1f images/s\n' \
  "$n" "$t_all" "$t_one" "$(echo "($n - 1) / ($t_all - $t_one)" | bc -l)"
echo "jresnet bench (one process, 1 thread; x2 for two executors' worth of cores):"
"$here/bin/jresnet" bench --model "$model" --mode infer --batch 64 --threads 1
