package org.jresnet.spark;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.jresnet.spark.cluster.BarrierJob;
import org.jresnet.spark.cluster.Loopback;
import org.jresnet.spark.ml.cli.SparkFeaturesCommand;
import org.jresnet.spark.ml.cli.SparkPredictCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jresnet spark ...}: the Spark module's commands: data-parallel training, predict and
 * features to Parquet, and the all-reduce benchmark.
 */
@Command(name = "jresnet spark", mixinStandardHelpOptions = true,
        description = "jresnet on Apache Spark.", subcommands = {TrainCommand.class, SparkPredictCommand.class,
            SparkFeaturesCommand.class, SparkMain.AllReduceBench.class})
public final class SparkMain implements Runnable {
    @Override public void run() { new CommandLine(this).usage(System.out); }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command; its exit code: 0, 2 for bad options, 1 for other errors, each one line on stderr. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("jresnet spark: " + ex.getMessage());
            cmd.getErr().flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("jresnet spark: " + ex.getMessage() + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            ex.getCommandLine().getErr().flush();
            return 2;
        });
        return cl.execute(args);
    }

    /** Ring all-reduce bandwidth and latency between barrier tasks (loopback here). */
    @Command(name = "bench-allreduce", mixinStandardHelpOptions = true,
            description = "Time the ring all-reduce of float buffers between barrier tasks.")
    static final class AllReduceBench implements Callable<Integer> {
        @Option(names = "--master", defaultValue = "local-cluster[2,1,1024]", description = "Spark master URL.")
        String master;
        @Option(names = "--workers", defaultValue = "2") int workers;
        @Option(names = "--floats", split = ",", defaultValue = "1,272474,25557032",
                description = "Buffer sizes in floats (default: 1, ResNet-20's and ResNet-50's parameter counts).")
        int[] sizes;
        @Option(names = "--reps", defaultValue = "10") int reps;
        @Option(names = "--comm-timeout", defaultValue = "120", description = "Seconds.") int timeoutS;

        @Override public Integer call() throws Exception {
            if (workers < 1 || reps < 1) throw new CommandLine.ParameterException(new CommandLine(this), "--workers and --reps must be positive");
            int[] sz = sizes;
            int r = reps;
            String jar = AllReduceBench.class.getProtectionDomain().getCodeSource().getLocation().getPath();
            try (JavaSparkContext jsc = new JavaSparkContext(Loopback.conf(master, "jresnet allreduce bench").set("spark.jars", jar))) {
                List<String> res = BarrierJob.run(jsc, workers, Duration.ofSeconds(timeoutS), (ring, attempt) -> {
                    StringBuilder sb = new StringBuilder();
                    for (int n : sz) {
                        float[] x = new float[n];
                        for (int w = 0; w < 2; w++) ring.allReduceMean(x, 0, n); // warm-up
                        long best = Long.MAX_VALUE, total = 0;
                        for (int k = 0; k < r; k++) {
                            long t = System.nanoTime();
                            ring.allReduceMean(x, 0, n);
                            long d = System.nanoTime() - t;
                            best = Math.min(best, d);
                            total += d;
                        }
                        sb.append(n).append(',').append(best).append(',').append(total / r).append(';');
                    }
                    return sb.toString();
                });
                System.out.println("floats      MB   best ms  mean ms  bus GB/s (2(N-1)/N x bytes / best)");
                for (String row : res.get(0).split(";")) {
                    String[] f = row.split(",");
                    long n = Long.parseLong(f[0]);
                    double best = Long.parseLong(f[1]) / 1e6, mean = Long.parseLong(f[2]) / 1e6;
                    double bus = 2.0 * (workers - 1) / workers * n * 4 / (best / 1e3) / 1e9;
                    System.out.printf(Locale.ROOT, "%9d %7.2f %9.3f %8.3f %9.3f%n", n, n * 4 / 1e6, best, mean, bus);
                }
            }
            return 0;
        }
    }
}
