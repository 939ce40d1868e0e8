package org.jresnet.spark.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/spark/costmodel.py prints the ring formula's projection from measured inputs: its rows
 * are recomputed here from the formula in docs/distributed.md, and bad inputs exit 2 with one line.
 */
class CostModelScriptTest {
    private static final Path SCRIPT = Path.of("..", "bench", "spark", "costmodel.py");

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }

    /** One row, as the docs' formula gives it: all-reduce, other sync, step (ms) and efficiency. */
    private static String row(int n, double gbps, double c, double alpha, long grad, long bn, int batch) {
        double perByteMs = 1e3 / (gbps / 8 * 1e9);
        double ar = 2.0 * (n - 1) / n * 4 * grad * perByteMs + 2 * (n - 1) * alpha;
        double sync = (n - 1) * alpha + (n - 1) * (alpha + 4 * bn * perByteMs);
        double t = c + ar + sync;
        return String.format(Locale.ROOT, "| %d | %s Gb/s | %.1f | %.1f | %.1f | %.0f | %.1f%% |", n,
                gbps == Math.rint(gbps) ? Long.toString((long) gbps) : Double.toString(gbps), ar, sync, t,
                n * batch / (t / 1e3), 100 * c / t);
    }

    @Test
    void rowsFollowTheRingFormulaFromTheMeasuredInputs(@TempDir Path dir) throws Exception {
        Path bench = dir.resolve("r50.json"), ar = dir.resolve("ar.json");
        Files.writeString(bench, "{\"model\": \"resnet50\", \"batch\": 32, \"ms_per_batch\": 812.5}");
        Files.writeString(ar, "{\"workers\": 2, \"latency_ms_per_message\": 0.07, \"rows\": ["
                + "{\"buffer\": \"latency (1 float)\", \"floats\": 1},"
                + "{\"buffer\": \"resnet50 gradients\", \"floats\": 25557032, \"bn_buffer_floats\": 53173,"
                + " \"bus_gbytes_per_s\": 0.6}]}");
        Run r = run("--train-bench", bench.toString(), "--allreduce", ar.toString(), "--workers", "4,64", "--links", "10,25");
        assertThat(r.exit()).as(r.err()).isZero();
        for (int n : new int[] {4, 64}) {
            for (double l : new double[] {10, 25}) assertThat(r.out()).contains(row(n, l, 812.5, 0.07, 25557032, 53173, 32));
        }
        assertThat(r.out()).contains("C = 812.5 ms", "alpha = 0.0700 ms", "projected", "pessimistic");
    }

    @Test
    void missingOrBadInputsFailWithOneLine() throws Exception {
        Run none = run("--latency-ms", "0.1", "--grad-floats", "100", "--bn-floats", "0");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err().strip()).isEqualTo("costmodel.py: give --train-bench FILE or --step-ms (C, the measured train step)");
        Run bad = run("--step-ms", "-3", "--latency-ms", "0.1", "--grad-floats", "100", "--bn-floats", "0");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).startsWith("costmodel.py: C (step ms) must be positive").doesNotContain("\n");
        Run workers = run("--step-ms", "3", "--latency-ms", "0.1", "--grad-floats", "100", "--bn-floats", "0", "--workers", "4,x");
        assertThat(workers.exit()).isEqualTo(2);
        assertThat(workers.err()).startsWith("costmodel.py: --workers must be");
    }
}
