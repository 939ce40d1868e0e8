package org.jresnet.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A peer's side of bench/compare: one workload in one process, JSON on stdout with the same
 * fields as bench/torch_bench.py. The model files come from export.py; before timing, the peer's
 * logits on the export's check input must match eager PyTorch's.
 */
@Command(name = "peer-bench", mixinStandardHelpOptions = true,
        description = "Time one workload on a peer library (djl: libtorch through DJL; ort: ONNX Runtime).")
public final class PeerBench implements Callable<Integer> {
    @Option(names = "--engine", required = true, paramLabel = "djl|ort") String engine;
    @Option(names = "--model", required = true, paramLabel = "NAME") String model;
    @Option(names = "--mode", required = true, paramLabel = "train|infer") String mode;
    @Option(names = "--batch", required = true, paramLabel = "B") int batch;
    @Option(names = "--models", required = true, paramLabel = "DIR", description = "export.py's output folder.")
    Path models;
    @Option(names = "--threads", paramLabel = "T") int threads = 2;
    @Option(names = "--warmup", paramLabel = "W") int warmup = 3;
    @Option(names = "--warmup-seconds", paramLabel = "S") double warmupSeconds = 2.0;
    @Option(names = "--iters", paramLabel = "N") int iters = 10;

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new PeerBench());
        cl.setExecutionExceptionHandler((e, c, p) -> {
            System.err.println("peer-bench: " + oneLine(e));
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Override public Integer call() throws Exception {
        boolean train = switch (mode) {
            case "train" -> true;
            case "infer" -> false;
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--mode must be train or infer");
        };
        if (batch < 1 || threads < 1 || warmup < 0 || iters < 1 || !(warmupSeconds >= 0)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--batch, --threads and --iters must be >= 1, --warmup and --warmup-seconds >= 0");
        }
        Path check = models.resolve(model + "-check.json");
        if (!Files.isRegularFile(check)) throw new IllegalArgumentException("no " + check + " (run export.py)");
        CheckData data = CheckData.load(check);
        long[] shape = data.shape().clone();
        shape[0] = batch;
        int classes = data.expected(false).length / (int) data.shape()[0];
        Random rnd = new Random(0);
        float[] x = new float[Math.toIntExact(shape[0] * shape[1] * shape[2] * shape[3])];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        long[] labels = new long[batch];
        for (int i = 0; i < batch; i++) labels[i] = rnd.nextInt(classes);

        try (PeerRunner r = open(train, shape, x, labels)) {
            float[] want = data.expected(train);
            double err = CheckData.maxAbsDiff(r.logits(data.input(), data.shape()), want);
            double scale = CheckData.scale(want);
            if (!(err <= CheckData.TOLERANCE * scale)) {
                throw new IllegalStateException(String.format("%s %s %s logits differ from eager PyTorch's by %.3g"
                        + " (max |logit| %.3g)", engine, model, mode, err, scale));
            }
            long warmStart = System.nanoTime();
            int warmed = 0;
            while (warmed < warmup || (System.nanoTime() - warmStart) / 1e9 < warmupSeconds) {
                r.step();
                warmed++;
            }
            double[] ms = new double[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                r.step();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("engine", engine);
            out.put("version", r.version());
            out.put("model", model);
            out.put("mode", mode);
            out.put("batch", batch);
            out.put("threads", threads);
            if (r.libraryThreads() != null) out.put("library_threads", r.libraryThreads());
            out.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
            out.put("warmup", warmed);
            out.put("iters", iters);
            out.put("images_per_second", batch / (median / 1e3));
            out.put("ms_per_batch", median);
            out.put("ms_p10", quantile(sorted, 0.1));
            out.put("ms_p90", quantile(sorted, 0.9));
            out.put("ms_min", sorted[0]);
            out.put("ms_max", sorted[sorted.length - 1]);
            out.put("check_max_abs_err", err);
            out.put("peak_rss_mb", Rss.peakMb());
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        }
        return 0;
    }

    private PeerRunner open(boolean train, long[] shape, float[] x, long[] labels) throws Exception {
        return switch (engine) {
            case "djl" -> {
                // Read once when DJL's engine starts: set before the first DJL call.
                System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
                System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
                yield new DjlRunner(models, model, train, shape, x, labels);
            }
            case "ort" -> {
                if (train) throw new IllegalArgumentException("ort runs inference only");
                yield new OrtRunner(models.resolve(model + ".onnx"), threads, shape, x);
            }
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--engine must be djl or ort");
        };
    }

    /** Nearest-rank quantile, as bench/torch_bench.py and jresnet's bench compute it. */
    static double quantile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * (sorted.length - 1) + 0.5))];
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return msg.lines().findFirst().orElse(msg);
    }
}
