#!/usr/bin/python3
"""The PyTorch side of bench/serve: a minimal inference server with the same batching rule as
`jresnet serve` (up to --max-batch images per forward, waiting at most --max-delay-ms after the
oldest queued image, a bounded queue answered with 503), on http.server, bound to 127.0.0.1.

usage: torch_server.py --weights NAME=FILE [--port 8081] [--max-batch 16] [--max-delay-ms 5]
                       [--queue 256] [--threads N] [--warmup 3]

Routes: POST /v1/models/NAME/predict (one JPEG/PNG body -> {"top": [...]} top-5), GET /readyz,
GET /metrics (jresnet_batch_size_sum/_count, the names the load client reads). FILE is a
jresnet .safetensors file, rebuilt with python/reference_models.py and preprocessed as
torchvision does (Resize(H*256/224) + CenterCrop(H) at ImageNet sizes, Normalize).
"""
import argparse, io, json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import torch
import torchvision.transforms as T
from PIL import Image
import reference_models, safetensors_io


class Batcher:
    def __init__(self, net, max_batch, max_delay_s, capacity, stats):
        self.net, self.max_batch, self.max_delay, self.capacity = net, max_batch, max_delay_s, capacity
        self.queue, self.cv, self.stats = [], threading.Condition(), stats
        threading.Thread(target=self.loop, daemon=True).start()

    def submit(self, x):
        """Queues one [3,H,W] tensor; returns an event and a result slot, or None when full."""
        job = {"x": x, "t": time.monotonic(), "done": threading.Event(), "out": None}
        with self.cv:
            if len(self.queue) >= self.capacity:
                return None
            self.queue.append(job)
            self.cv.notify()
        return job

    def loop(self):
        while True:
            free = time.monotonic()  # jresnet's rule: the delay counts from the later of this and the oldest's arrival
            with self.cv:
                while not self.queue:
                    self.cv.wait()
                deadline = max(self.queue[0]["t"], free) + self.max_delay
                while len(self.queue) < self.max_batch:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self.cv.wait(left)
                batch, self.queue = self.queue[:self.max_batch], self.queue[self.max_batch:]
            with torch.inference_mode():
                p = torch.softmax(self.net(torch.stack([j["x"] for j in batch])).double(), dim=1)
            self.stats["sum"] += len(batch)
            self.stats["count"] += 1
            for j, row in zip(batch, p):
                j["out"] = row
                j["done"].set()


def load(spec):
    name, path = spec.split("=", 1)
    sd, meta = safetensors_io.load_state_dict(path)
    shortcut = meta["shortcut"] if meta["shortcut"] != "none" else None
    net = reference_models.build(meta["model"], shortcut, meta["variant"], int(meta["num_classes"]))
    net.load_state_dict(sd, strict=True)
    net.eval()
    size = json.loads(meta["input_size"])[1]
    steps = [T.Resize(round(size * 256 / 224)), T.CenterCrop(size)] if size >= 128 else [T.Resize(size), T.CenterCrop(size)]
    prep = T.Compose(steps + [T.ToTensor(), T.Normalize(json.loads(meta["mean"]), json.loads(meta["std"]))])
    return name, net, prep, json.loads(meta["classes"]), size


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", action="append", required=True)
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--max-batch", type=int, default=16)
    ap.add_argument("--max-delay-ms", type=float, default=5)
    ap.add_argument("--queue", type=int, default=256)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    models, stats, ready = {}, {}, threading.Event()
    for spec in a.weights:
        name, net, prep, classes, size = load(spec)
        stats[name] = {"sum": 0, "count": 0}
        with torch.inference_mode():
            for i in range(a.warmup):
                net(torch.zeros(a.max_batch if i % 2 == 0 else 1, 3, size, size))
        models[name] = (Batcher(net, a.max_batch, a.max_delay_ms / 1000, a.queue, stats[name]), prep, classes)
    ready.set()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, body, ctype="application/json", headers=()):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/readyz":
                self.reply(200 if ready.is_set() else 503, json.dumps({"ready": ready.is_set()}))
            elif self.path == "/metrics":
                lines = []
                for n, s in stats.items():
                    lines.append('jresnet_batch_size_sum{model="%s"} %d' % (n, s["sum"]))
                    lines.append('jresnet_batch_size_count{model="%s"} %d' % (n, s["count"]))
                self.reply(200, "\n".join(lines) + "\n", "text/plain")
            else:
                self.reply(404, json.dumps({"error": "no route " + self.path}))

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) != 4 or parts[:2] != ["v1", "models"] or parts[3] != "predict" or parts[2] not in models:
                return self.reply(404, json.dumps({"error": "no route " + self.path}))
            batcher, prep, classes = models[parts[2]]
            try:
                x = prep(Image.open(io.BytesIO(body)).convert("RGB"))
            except Exception as e:
                return self.reply(400, json.dumps({"error": str(e)}))
            job = batcher.submit(x)
            if job is None:
                return self.reply(503, json.dumps({"error": "queue full"}), headers=[("Retry-After", "1")])
            job["done"].wait()
            p, idx = job["out"].topk(min(5, len(classes)))
            top = [{"class": classes[i], "index": int(i), "prob": float(v)} for v, i in zip(p, idx)]
            self.reply(200, json.dumps({"top": top}))

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 512
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print("torch_server: listening on http://127.0.0.1:%d" % a.port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
