package org.jresnet.spark.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.jresnet.cli.Json;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.spark.cluster.BarrierJob;
import org.jresnet.spark.cluster.ClusterDefaults;
import org.jresnet.spark.cluster.Loopback;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jresnet spark bench-allreduce}: the ring all-reduce between barrier tasks (separate
 * executor JVMs on local-cluster), timed on rank 0 after warm-up exchanges. The buffers are a
 * 1-float one (latency: a ring all-reduce is 2(N−1) messages, so the per-message latency is its
 * time / 2(N−1)) and the flat gradient buffers of the models named (their parameter counts,
 * counted here, not typed in). The inputs of bench/spark/costmodel.py come from here ({@code --json}).
 */
@Command(name = "bench-allreduce", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time the ring all-reduce of float buffers between barrier tasks.")
public final class AllReduceBenchCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--master", description = "Spark master URL (default: spark-submit's --master, else local-cluster[2,1,1024]).")
    String master;
    @Option(names = "--workers", defaultValue = "2", description = "Ranks of the ring (default ${DEFAULT-VALUE}).")
    int workers;
    @Option(names = "--models", split = ",", defaultValue = "resnet20,resnet50",
            description = "Gradient buffers: these models' parameter counts (default ${DEFAULT-VALUE}).")
    List<String> models;
    @Option(names = "--floats", split = ",", description = "Further buffer sizes in floats.")
    int[] floats = new int[0];
    @Option(names = "--reps", defaultValue = "20", description = "Timed all-reduces per buffer (default ${DEFAULT-VALUE}).")
    int reps;
    @Option(names = "--warmup", defaultValue = "3", description = "Untimed all-reduces first (default ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--comm-timeout", defaultValue = "120", description = "Seconds (default ${DEFAULT-VALUE}).")
    int timeoutS;
    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    /** One buffer's figures; times in ms on rank 0. */
    record Row(String name, int floats, Long bnBufferFloats, double bestMs, double medianMs, double meanMs) {
        double mb() { return floats * 4.0 / 1e6; }
        /** 2(N−1)/N × bytes / median: the bytes each rank sends over the time, comparable to a link's speed. */
        double busGBps(int n) { return 2.0 * (n - 1) / n * floats * 4.0 / (medianMs / 1e3) / 1e9; }
    }

    @Override public Integer call() throws Exception {
        if (workers < 2) throw usage("--workers must be >= 2 (a ring of one exchanges nothing), got " + workers);
        if (reps < 1 || warmup < 0) throw usage("--reps must be >= 1 and --warmup >= 0");
        List<String> names = new ArrayList<>(List.of("latency (1 float)"));
        List<Integer> sizes = new ArrayList<>(List.of(1));
        List<Long> bnFloats = new ArrayList<>(java.util.Collections.singletonList(null));
        for (String m : models) {
            if (m.isBlank()) continue;
            ModelConfig c;
            try {
                c = ModelConfig.of(m.trim());
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            ResNet net = Models.create(c);
            names.add(c.name() + " gradients");
            sizes.add(Math.toIntExact(net.parameterCount()));
            // what spark train broadcasts from rank 0 after each step besides the all-reduce (costmodel.py)
            bnFloats.add(net.buffers().values().stream().mapToLong(b -> b.value().size()).sum());
        }
        for (int f : floats) {
            if (f < 1) throw usage("--floats must be positive, got " + f);
            names.add(f + " floats");
            sizes.add(f);
            bnFloats.add(null);
        }
        int[] sz = sizes.stream().mapToInt(Integer::intValue).toArray();
        int r = reps, w = warmup;
        String jar = AllReduceBenchCommand.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        List<String> res;
        try (JavaSparkContext jsc = new JavaSparkContext(ClusterDefaults.executorFlags(
                Loopback.conf(ClusterDefaults.master(master), "jresnet allreduce bench").set("spark.jars", jar)))) {
            res = BarrierJob.run(jsc, workers, Duration.ofSeconds(timeoutS), (ring, attempt) -> {
                StringBuilder sb = new StringBuilder();
                for (int n : sz) {
                    float[] x = new float[n];
                    for (int k = 0; k < w; k++) ring.allReduceMean(x, 0, n);
                    long[] t = new long[r];
                    for (int k = 0; k < r; k++) {
                        long t0 = System.nanoTime();
                        ring.allReduceMean(x, 0, n);
                        t[k] = System.nanoTime() - t0;
                    }
                    for (long v : t) sb.append(v).append(',');
                    sb.append(';');
                }
                return sb.toString();
            });
        }
        String[] perSize = res.get(0).split(";");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < sz.length; i++) {
            double[] ms = Arrays.stream(perSize[i].split(",")).filter(s -> !s.isEmpty()).mapToDouble(s -> Long.parseLong(s) / 1e6).toArray();
            Arrays.sort(ms);
            double median = ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
            rows.add(new Row(names.get(i), sz[i], bnFloats.get(i), ms[0], median, Arrays.stream(ms).average().orElseThrow()));
        }
        print(rows);
        return 0;
    }

    private void print(List<Row> rows) throws Exception {
        int messages = 2 * (workers - 1);
        double latencyMs = rows.get(0).medianMs() / messages;
        Row largest = rows.stream().max((a, b) -> Integer.compare(a.floats(), b.floats())).orElseThrow();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("master", ClusterDefaults.master(master));
            m.put("workers", workers);
            m.put("reps", reps);
            m.put("warmup", warmup);
            m.put("latency_ms_per_message", latencyMs);
            m.put("bus_gbytes_per_s", largest.floats() > 1 ? largest.busGBps(workers) : null);
            List<Map<String, Object>> list = new ArrayList<>();
            for (Row r : rows) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("buffer", r.name());
                o.put("floats", r.floats());
                if (r.bnBufferFloats() != null) o.put("bn_buffer_floats", r.bnBufferFloats());
                o.put("mb", r.mb());
                o.put("best_ms", r.bestMs());
                o.put("median_ms", r.medianMs());
                o.put("mean_ms", r.meanMs());
                o.put("bus_gbytes_per_s", r.floats() > 1 ? r.busGBps(workers) : null);
                list.add(o);
            }
            m.put("rows", list);
            Json.print(m);
            return;
        }
        System.out.printf(Locale.ROOT, "ring all-reduce, %d ranks on %s, %d timed after %d warm-up (rank 0's clock)%n",
                workers, ClusterDefaults.master(master), reps, warmup);
        System.out.println("buffer                      floats       MB   best ms median ms  mean ms  bus GB/s");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-22s %11d %8.2f %9.3f %9.3f %8.3f %9s%n", r.name(), r.floats(), r.mb(),
                    r.bestMs(), r.medianMs(), r.meanMs(), r.floats() > 1 ? String.format(Locale.ROOT, "%.3f", r.busGBps(workers)) : "-");
        }
        System.out.printf(Locale.ROOT, "per-message latency %.4f ms (median 1-float all-reduce / %d messages)%n",
                latencyMs, messages);
        if (largest.floats() > 1) {
            System.out.printf(Locale.ROOT, "bus bandwidth %.3f GB/s at %s (2(N-1)/N x bytes / median)%n",
                    largest.busGBps(workers), largest.name());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
