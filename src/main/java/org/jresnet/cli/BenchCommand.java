package org.jresnet.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.jresnet.kernel.PeakProbe;
import org.jresnet.kernel.Simd;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.engine.Engine;
import org.jresnet.engine.JitWarmup;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.Sgd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Throughput of one model on synthetic data: a training step (forward, cross-entropy, backward,
 * SGD with momentum 0.9 and weight decay 1e-4, BN in train mode) or an inference pass (eval mode).
 * Warm-up steps are excluded; the median and the 10th/90th percentiles of the timed steps are
 * reported, with the achieved GFLOPS against the engine's own peak probed in the same run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training or inference speed of a model on synthetic data.")
final class BenchCommand implements Callable<Integer> {
    /** The bench's SGD: the paper's momentum and weight decay; the rate only scales the update. */
    static final float MOMENTUM = 0.9f, WEIGHT_DECAY = 1e-4f, LR = 0.01f;
    /** Forward + backward of a training step costs about three forwards (dX and dW each one). */
    static final int TRAIN_FLOPS_FACTOR = 3;
    private static final int PEAK_TRIALS = 5;
    private static final double PEAK_TRIAL_MS = 60;
    /** How much longer than --warmup-seconds the wait for a quiet JIT may last. */
    static final double JIT_WAIT_MAX_SECONDS = 60;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name, e.g. resnet20, resnet50.")
    String model;

    @Option(names = "--mode", required = true, paramLabel = "train|infer", description = "Training step or inference.")
    String mode;

    @Option(names = "--batch", required = true, paramLabel = "B", description = "Images per batch.")
    int batch;

@Mixin EngineOptions engine;

    @Option(names = "--warmup", paramLabel = "W", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup = 3;

    @Option(names = "--warmup-seconds", paramLabel = "S",
            description = "Keep warming up until S seconds have passed too, so the JIT has compiled the kernels"
                    + " (default: ${DEFAULT-VALUE}).")
    double warmupSeconds = 2.0;

    @Option(names = "--jit-quiet", paramLabel = "Q",
            description = "Then keep warming up until the JIT has compiled nothing for Q seconds, at most "
                    + JIT_WAIT_MAX_SECONDS + " s more (0: do not wait; default: ${DEFAULT-VALUE}).")
    double jitQuietSeconds = 1.0;

    @Option(names = "--iters", paramLabel = "N", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int iters = 10;

    @Option(names = "--size", paramLabel = "S",
            description = "Input height and width (default: 32 for CIFAR models, 224 for ImageNet models).")
    Integer inputSize;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override public Integer call() throws Exception {
        boolean train = switch (mode) {
            case "train" -> true;
            case "infer" -> false;
            default -> throw new Errors.UsageException("--mode must be train or infer, got '" + mode + "'");
        };
        if (batch < 1) throw new Errors.UsageException("--batch must be >= 1, got " + batch);
        if (train && batch < 2) throw new Errors.UsageException("training needs --batch >= 2 (batch norm statistics)");
        if (warmup < 0) throw new Errors.UsageException("--warmup must be >= 0, got " + warmup);
        if (!(warmupSeconds >= 0) || warmupSeconds > 3600) {
            throw new Errors.UsageException("--warmup-seconds must be in [0, 3600], got " + warmupSeconds);
        }
        if (!(jitQuietSeconds >= 0) || jitQuietSeconds > JIT_WAIT_MAX_SECONDS) {   // longer could never be reached
            throw new Errors.UsageException("--jit-quiet must be in [0, " + (int) JIT_WAIT_MAX_SECONDS + "], got "
                    + jitQuietSeconds);
        }
        if (iters < 1) throw new Errors.UsageException("--iters must be >= 1, got " + iters);
        ModelConfig config;
        try {
            config = ModelConfig.of(model);
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException(e.getMessage());
        }

        ResNet net = Models.create(config);
        int size = inputSize != null ? inputSize : config.cifar() ? 32 : 224;
        if (size < 1 || size > 4096) throw new Errors.UsageException("--size must be in [1, 4096], got " + size);
        int[] shape = {batch, size, size, 3};
        Tensor x = Tensor.zeros(shape);
        int[] labels = new int[batch];
        Random rnd = new Random(0);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) rnd.nextGaussian());
        for (int i = 0; i < batch; i++) labels[i] = rnd.nextInt(config.numClasses());

        net.setTraining(train);
        Sgd sgd = train ? new Sgd(net.parameters(), MOMENTUM, WEIGHT_DECAY, false) : null;
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        Runnable step = train ? () -> {
            net.zeroGrad();
            ce.forward(net.forward(x), labels);
            net.backward(ce.backward());
            sgd.step(LR);
        } : () -> net.infer(x);
        // Warm-up: at least W steps and S seconds, then until the JIT is quiet (it compiles the
        // kernels on their first calls, some more than once; a long run sees the compiled code).
        JitWarmup.Result warmed = JitWarmup.run(step, warmup, warmupSeconds, jitQuietSeconds,
                warmupSeconds + JIT_WAIT_MAX_SECONDS);
        double[] ms = new double[iters];
        long allocBefore = allocatedBytes();
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double allocPerStep = (allocatedBytes() - allocBefore) / (double) iters;

        double peakRss = peakRssMb();
        Runtime rt = Runtime.getRuntime();
        System.gc();                                   // after the timed steps: what the model really holds
        double liveHeapMb = (rt.totalMemory() - rt.freeMemory()) / (double) (1 << 20);
        double peak = PeakProbe.gflops(PEAK_TRIALS, PEAK_TRIAL_MS);
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = median(sorted);
        long macsPerImage = net.macs(new int[] {1, size, size, 3});
        double flops = 2.0 * macsPerImage * batch * (train ? TRAIN_FLOPS_FACTOR : 1);
        double gflops = flops / (median / 1e3) / 1e9;

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", config.name());
        m.put("mode", mode);
        m.put("batch", batch);
        m.put("size", size);
        m.put("threads", Engine.current().threads());
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        m.put("simd", Simd.enabled());
        m.put("warmup", warmed.steps());
        m.put("warmup_seconds", warmed.seconds());
        m.put("jit_quiet", warmed.quiet());
        m.put("jit_compile_seconds", warmed.compileSeconds());
        m.put("iters", iters);
        m.put("images_per_second", batch / (median / 1e3));
        m.put("ms_per_batch", median);
        m.put("ms_p10", quantile(sorted, 0.1));
        m.put("ms_p90", quantile(sorted, 0.9));
        m.put("ms_min", sorted[0]);
        m.put("ms_max", sorted[sorted.length - 1]);
        m.put("macs_per_image", macsPerImage);
        m.put("gflops", gflops);
        m.put("peak_gflops", peak);
        m.put("share_of_peak", gflops / peak);
        m.put("peak_rss_mb", peakRss);
        m.put("live_heap_mb", liveHeapMb);
        m.put("alloc_mb_per_step", allocPerStep / (1 << 20));
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1 << 20));
        if (json) {
            Json.print(m);
        } else {
            System.out.printf("%s %s, batch %d, %dx%d input, %d thread(s), %s, SIMD %s%n", config.name(), mode, batch,
                    size, size, Engine.current().threads(), m.get("jdk"), Simd.describe());
            String jit = jitQuietSeconds == 0 ? "no JIT wait"
                    : warmed.quiet() ? "JIT quiet for " + jitQuietSeconds + " s" : "JIT not quiet";
            System.out.printf("warm-up %d steps in %.1f s (%s; JIT time %.1f s)%n", warmed.steps(), warmed.seconds(),
                    jit, warmed.compileSeconds());
            System.out.printf("%.1f images/s, %.2f ms per batch (median of %d; p10 %.2f, p90 %.2f)%n",
                    m.get("images_per_second"), median, iters, m.get("ms_p10"), m.get("ms_p90"));
            System.out.printf("%.1f GFLOPS achieved, peak %.1f GFLOPS (engine micro-kernel, %d thread(s)): %.1f%% of peak%n",
                    gflops, peak, Engine.current().threads(), 100 * gflops / peak);
            System.out.printf("peak RSS %.0f MB (live heap %.0f MB), %.2f MB allocated per step, max heap %d MB%n",
                    peakRss, liveHeapMb, m.get("alloc_mb_per_step"), m.get("max_heap_mb"));
        }
        return 0;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Nearest-rank quantile, as bench/torch_bench.py computes it. */
    static double quantile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * (sorted.length - 1) + 0.5))];
    }

    /** The process's peak resident set (VmHWM) in MB; NaN where /proc is missing (not Linux). */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // reported as NaN below
        }
        return Double.NaN;
    }

    /** Bytes allocated so far by all live threads (HotSpot's per-thread counters); 0 if unsupported. */
    private static long allocatedBytes() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t)
                || !t.isThreadAllocatedMemorySupported()) {
            return 0;
        }
        long sum = 0;
        for (long b : t.getThreadAllocatedBytes(t.getAllThreadIds())) if (b > 0) sum += b;
        return sum;
    }
}
