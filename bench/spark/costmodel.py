#!/usr/bin/env python3
"""Projected step time and scaling efficiency of synchronous data-parallel training with
`spark train` (ResNet-50, batch 32 a worker, by default) at N workers on L Gb/s links, from
measured inputs. Prints a markdown table (docs/distributed.md, "Cost model").

Measured (the inputs; on an idle machine):
  C      one worker's training step at its local batch, ms:
         bin/jresnet bench --model resnet50 --mode train --batch 32 --json > r50.json   (--train-bench)
  alpha  per-message latency, ms; S the gradient floats; S_bn the BN buffer floats:
         bench/spark/allreduce.sh --json > ar.json                                       (--allreduce)
Projected (nothing below is measured on a cluster):
  all-reduce  T_ar(N) = 2(N-1)/N * 4S / B + 2(N-1) * alpha          (ring: reduce-scatter + all-gather)
  other sync  T_s(N)  = (N-1) * alpha + (N-1) * (alpha + 4S_bn / B)  (the loss all-gather, which is the
              barrier, and rank 0's BN buffers passed hop by hop round the ring, as spark train does)
  step        T(N) = C + T_ar(N) + T_s(N)    (no overlap: the all-reduce starts after backward)
  efficiency  C / T(N);  throughput N * batch / T(N)
B is the link's bandwidth (L Gb/s = L/8 GB/s). With --host-gbs H (the loopback bus bandwidth of
allreduce.sh, which is memory copies, not a wire), every byte term also pays 1/H: our ring copies
into a staging buffer and sums without overlapping the wire, so that table is the pessimistic bound.
The weight checksum (every 100 steps) and Spark's own start-up are left out.

  python3 bench/spark/costmodel.py --train-bench r50.json --allreduce ar.json
  python3 bench/spark/costmodel.py --step-ms C --latency-ms ALPHA --grad-floats 25557032 --bn-floats 53173
(25557032 and 53173: ResNet-50's parameter and BN buffer floats, as allreduce.sh counts them.)
"""
import argparse
import json
import sys


def fail(msg):
    print("costmodel.py: " + msg, file=sys.stderr)
    sys.exit(2)


def read_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read %s %s: %s" % (what, path, e))


def positive_list(text, name, kind=float):
    try:
        vals = [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        fail("%s must be a comma-separated list of numbers, got %r" % (name, text))
    if not vals or any(v <= 0 for v in vals):
        fail("%s must hold positive numbers, got %r" % (name, text))
    return vals


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train-bench", help="JSON of `bin/jresnet bench --mode train --json` (its ms_per_batch is C)")
    p.add_argument("--step-ms", type=float, help="C: one worker's train step at its batch, ms (instead of --train-bench)")
    p.add_argument("--allreduce", help="JSON of `bench/spark/allreduce.sh --json` (latency, model sizes, loopback bandwidth)")
    p.add_argument("--model", default="resnet50", help="row of --allreduce whose sizes are used (default resnet50)")
    p.add_argument("--latency-ms", type=float, help="alpha: per-message latency, ms (overrides --allreduce's)")
    p.add_argument("--grad-floats", type=int, help="S: gradient floats (overrides --allreduce's)")
    p.add_argument("--bn-floats", type=int, help="S_bn: BN buffer floats broadcast a step (overrides --allreduce's)")
    p.add_argument("--host-gbs", type=float, help="H: loopback bus bandwidth, GB/s, for the pessimistic table"
                   " (default: --allreduce's, at the model's size)")
    p.add_argument("--batch", type=int, help="images a worker per step (default: --train-bench's, else 32)")
    p.add_argument("--workers", default="4,16,64", help="N values (default 4,16,64)")
    p.add_argument("--links", default="10,25", help="link speeds in Gb/s (default 10,25)")
    a = p.parse_args(argv)

    bench = read_json(a.train_bench, "--train-bench") if a.train_bench else None
    step_ms = a.step_ms if a.step_ms is not None else (bench or {}).get("ms_per_batch")
    if step_ms is None:
        fail("give --train-bench FILE or --step-ms (C, the measured train step)")
    batch = a.batch if a.batch is not None else (bench or {}).get("batch", 32)
    model_name = (bench or {}).get("model", a.model)

    latency = a.latency_ms
    grad, bn, host = a.grad_floats, a.bn_floats, a.host_gbs
    if a.allreduce:
        ar = read_json(a.allreduce, "--allreduce")
        if latency is None:
            latency = ar.get("latency_ms_per_message")
        row = next((r for r in ar.get("rows", []) if r.get("buffer") == a.model + " gradients"), None)
        if row is None and (grad is None or bn is None):
            fail("%s has no row for %s (run allreduce.sh with --models %s)" % (a.allreduce, a.model, a.model))
        if row is not None:
            grad = grad if grad is not None else row.get("floats")
            bn = bn if bn is not None else row.get("bn_buffer_floats")
            host = host if host is not None else row.get("bus_gbytes_per_s")
    if latency is None or grad is None or bn is None:
        fail("give --allreduce FILE, or --latency-ms, --grad-floats and --bn-floats")
    for name, v in (("C (step ms)", step_ms), ("latency", latency), ("gradient floats", grad), ("batch", batch)):
        if not (isinstance(v, (int, float)) and v > 0):
            fail("%s must be positive, got %r" % (name, v))
    if bn < 0 or (host is not None and host <= 0):
        fail("BN floats must be >= 0 and --host-gbs positive")
    workers = positive_list(a.workers, "--workers", int)
    links = positive_list(a.links, "--links")

    def project(n, link_gbps, host_gbs):
        per_byte_ms = 1e3 / (link_gbps / 8 * 1e9)          # ms a byte on the link
        if host_gbs:
            per_byte_ms += 1e3 / (host_gbs * 1e9)
        ar = 2 * (n - 1) / n * 4 * grad * per_byte_ms + 2 * (n - 1) * latency
        sync = (n - 1) * latency + (n - 1) * (latency + 4 * bn * per_byte_ms)
        t = step_ms + ar + sync
        return ar, sync, t, step_ms / t, n * batch / (t / 1e3)

    print("Inputs (measured): C = %.1f ms (%s train step, batch %d a worker), alpha = %.4f ms a message,"
          " gradients %d floats (%.1f MB), BN buffers %d floats%s."
          % (step_ms, model_name, batch, latency, grad, 4 * grad / 1e6, bn,
             "" if host is None else ", loopback bus bandwidth %.3f GB/s" % host))
    print("Everything below is projected from them with the ring formula (no cluster was measured).")
    tables = [("link only (the ring formula)", None)]
    if host:
        tables.append(("link + this machine's per-byte ring cost (1/B + 1/H: pessimistic)", host))
    for title, h in tables:
        print()
        print("**%s**" % title)
        print()
        print("| workers | link | all-reduce ms | other sync ms | step ms | img/s | scaling efficiency |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for n in workers:
            for link in links:
                ar, sync, t, eff, ips = project(n, link, h)
                print("| %d | %g Gb/s | %.1f | %.1f | %.1f | %.0f | %.1f%% |" % (n, link, ar, sync, t, ips, 100 * eff))
    return 0


if __name__ == "__main__":
    sys.exit(main())
