"""bench/compare's rendering of a saved run (--from, --markdown, --check); measures nothing."""
import contextlib, io, json, os, subprocess, sys, tempfile, unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402


def side(rounds, **extra):
    return dict(compare.spread(rounds), **extra)


RUN = {
    "date": "2026-12-07", "jdk": "Debian 17.0.15", "threads": 2, "rounds": 3, "quick": False,
    "cpu": {"model_name": "AMD EPYC", "family": "25", "model": "17", "cores": 2, "avx512": True},
    "peers": {"pytorch": {"torch": {"version": "1.13.0a0"}},
              "ort": {"version": "onnxruntime 1.22.0"}},
    "rows": [
        {"id": "resnet20-train-b128", "metric": "images_per_second", "unit": "img/s", "target": 1.0,
         "sides": {"jresnet": side([587.0, 530.2, 599.9], warmup_seconds=side([17.2, 18.3, 19.1]), jit_quiet=True),
                   "pytorch": side([492.3, 451.0, 547.0]), "ort": {"unavailable": "no train rows"}},
         "best_peer": "pytorch", "ratio": 1.192, "pass": True},
        {"id": "resnet50-infer-b1", "metric": "ms_per_batch", "unit": "ms", "target": 1.0,
         "sides": {"jresnet": side([35.8, 28.2, 57.3], warmup_seconds=side([11.2, 12.0, 12.4]), jit_quiet=True),
                   "pytorch": side([43.4, 41.9, 74.8]), "ort": side([24.7, 23.1, 38.0])},
         "best_peer": "ort", "ratio": 0.69, "pass": False},
        {"id": "resnet50-train-b16-rss", "metric": "peak_rss_mb", "unit": "MB", "target": 1.0,
         "sides": {"jresnet": side([1880.0, 1870.0, 1907.0], warmup_seconds=side([43.1, 47.5, 55.9])),
                   "pytorch": side([2174.0, 2144.0, 2176.0]), "ort": {"unavailable": "no train rows"}},
         "best_peer": "pytorch", "ratio": 1.156, "pass": True},
    ],
}


class Markdown(unittest.TestCase):
    def render(self):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            compare.print_markdown(RUN)
        return buf.getvalue().splitlines()

    def test_machine_and_date_head_the_table(self):
        head = self.render()[0]
        self.assertIn("AMD EPYC, cpu family 25, model 17, 2 cores, 2 threads", head)
        self.assertIn("3 interleaved round(s)", head)
        self.assertIn("Date: 2026-12-07.", head)

    def test_rows_give_median_and_spread_and_bold_only_a_lead(self):
        lines = self.render()
        self.assertIn("| workload | PyTorch 1.13 | ONNX Runtime 1.22 | jresnet | best peer | jresnet / best |", lines)
        self.assertIn("| ResNet-20 training, batch 128 (img/s) | 492 [451–547] | — | 587 [530–600] | PyTorch | **1.19x** |",
                      lines)
        self.assertIn("| ResNet-50 inference, batch 1 (ms) | 43.4 [41.9–74.8] | 24.7 [23.1–38] | 35.8 [28.2–57.3] "
                      "| ONNX Runtime | 0.69x |", lines)

    def test_warm_up_line_counts_the_training_process_once(self):
        last = self.render()[-1]
        self.assertTrue(last.startswith("jresnet's warm-up until its JIT was quiet"), last)
        self.assertIn("resnet50-infer-b1 12 [11.2–12.4]", last)
        self.assertNotIn("rss", last)


class Saved(unittest.TestCase):
    def write(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def cli(self, *args):
        return subprocess.run([sys.executable, os.path.join(HERE, "compare.py")] + list(args),
                              capture_output=True, text=True, timeout=60)

    def test_reads_a_saved_run(self):
        run, why = compare.load_saved(self.write(json.dumps(RUN)))
        self.assertIsNone(why)
        self.assertEqual(run["rows"][0]["id"], "resnet20-train-b128")

    def test_says_why_a_file_is_not_a_run(self):
        self.assertEqual(compare.load_saved("/nonexistent/run.json")[1], "No such file or directory")
        self.assertEqual(compare.load_saved(self.write("| a | b |"))[1], "not JSON")
        self.assertEqual(compare.load_saved(self.write('{"x": 1}'))[1], "not a run saved by bench/compare --json")
        old = {"date": "2026-11-30", "machine": "x", "rows": [{"id": "r", "ratio": 1.3}]}
        self.assertIn("first, PyTorch-only", compare.load_saved(self.write(json.dumps(old)))[1])

    def test_check_fails_on_a_row_behind_and_bad_files_exit_2_in_one_line(self):
        path = self.write(json.dumps(RUN))
        ok = self.cli("--from", path)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("resnet50-infer-b1 (ms)", ok.stdout)
        self.assertEqual(self.cli("--from", path, "--check").returncode, 1)
        bad = self.cli("--from", "/nonexistent/run.json", "--markdown")
        self.assertEqual(bad.returncode, 2)
        self.assertEqual(bad.stderr.strip().splitlines(),
                         ["compare: --from /nonexistent/run.json: No such file or directory"])
        self.assertEqual(bad.stdout, "")


if __name__ == "__main__":
    unittest.main()
