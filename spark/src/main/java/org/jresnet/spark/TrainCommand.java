package org.jresnet.spark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.jresnet.cli.TrainArgs;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.io.Normalization;
import org.jresnet.spark.cluster.BarrierJob;
import org.jresnet.spark.cluster.ClusterDefaults;
import org.jresnet.spark.cluster.Loopback;
import org.jresnet.spark.train.HadoopData;
import org.jresnet.spark.train.ProgressRelay;
import org.jresnet.spark.train.Sharding;
import org.jresnet.spark.train.TrainTask;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.RunFiles;
import org.jresnet.train.TrainConfig;
import org.jresnet.train.TrainingRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code jresnet spark train}: {@code jresnet train}'s options plus the cluster's. The driver
 * checks the options and the run folder, computes the normalisation once (so no worker reads the
 * whole training split for it), then runs one barrier task per worker. The run records
 * {@code --micro-batches N} (N workers, unless a multiple of N was given): its checkpoint resumes
 * on one machine as the same run, and a one-machine run with --micro-batches M resumes here on
 * workers dividing M.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train on Spark: synchronous data-parallel, equal to one machine with --micro-batches N.",
            "Also takes every option of 'jresnet train' (--data, --model, --epochs, --batch, --out, --resume, ...)."})
public final class TrainCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--master", description = "Spark master URL (default: spark-submit's --master, else local-cluster[2,1,1024]).")
    String master;
    @Option(names = "--workers", defaultValue = "2", description = "Barrier tasks, one model replica each (default ${DEFAULT-VALUE}).")
    int workers;
    @Option(names = "--comm-timeout", defaultValue = "120", description = "Seconds of silence from a peer before the stage fails (default ${DEFAULT-VALUE}).")
    int commTimeoutS;
    @Option(names = "--sync-bn", description = "BN normalises with the statistics of the whole global batch.")
    boolean syncBn;
    @Option(names = "--check-every", defaultValue = "100", description = "Compare the replicas' weight checksums every K steps (default ${DEFAULT-VALUE}).")
    int checkEvery;
    @Unmatched List<String> trainArgs = new ArrayList<>();
    private boolean quiet;

    @Override public Integer call() throws Exception {
        String jar = TrainCommand.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        SparkConf conf = ClusterDefaults.executorFlags(
                Loopback.conf(ClusterDefaults.master(master), "jresnet train").set("spark.jars", jar));
        List<String> args = taskArgs(conf.getInt("spark.task.cpus", 1));
        try (JavaSparkContext jsc = new JavaSparkContext(conf)) {
            System.out.println(train(jsc, args));
        }
        return 0;
    }

    /** Checks the options and the run folder; the arguments every task parses (absolute paths, implied options). */
    List<String> taskArgs(int cpus) throws java.io.IOException {
        if (workers < 1) throw usage("--workers must be >= 1, got " + workers);
        if (commTimeoutS < 1) throw usage("--comm-timeout must be >= 1 second, got " + commTimeoutS);
        if (checkEvery < 1) throw usage("--check-every must be >= 1, got " + checkEvery);
        List<String> args = new ArrayList<>(trainArgs);
        // a Hadoop URI goes to the tasks as typed (a Path would fold its "//"); each task stages it
        String remote = HadoopData.lastValue(args, "--data");
        if (!HadoopData.isUri(remote)) remote = null;
        TrainArgs.Parsed p;
        try (Engine e = Engine.create(EngineConfig.defaults().withThreads(cpus)); Engine.Scope s = e.bind()) {
            p = parse(args);
            if (p.threads() != null) throw usage("--threads is the task's cores on Spark (spark.task.cpus, here " + cpus + ")");
            if (p.resume() != null) {
                Path dir = p.resume().toAbsolutePath();
                RunFiles.Resumed r = RunFiles.readCheckpoint(dir);
                int m = r.config().run().microBatches();
                if (m % workers != 0) {
                    throw usage("the run in " + dir + " has --micro-batches " + m + ": resume it on a number of workers dividing " + m);
                }
                args.add("--resume");
                args.add(dir.toString());
            } else {
                TrainConfig cfg = p.config();
                Sharding.localBatch(cfg.run().batch(), workers);
                int m = cfg.run().microBatches();
                if (m == 1) m = workers;
                else if (m % workers != 0) throw usage("--micro-batches " + m + " is not a multiple of --workers " + workers);
                Sharding.localBatch(cfg.run().batch(), m);
                Path out = cfg.run().out();
                TrainingRun.checkNewRunFolder(out);
                if (remote != null && cfg.data().normalization() == null) {
                    throw usage("--data " + remote + " is read by the executors only: give --mean and --std too"
                            + " (the driver does not copy the data to compute them)");
                }
                List.of("--out", out.toString(), "--data", remote != null ? remote : cfg.data().path().toString(), "--micro-batches",
                        Integer.toString(m)).forEach(args::add);
                if (cfg.model().init() != null) List.of("--init", cfg.model().init().toString()).forEach(args::add);
                if (cfg.data().normalization() == null) {
                    TrainingRun.Data d = TrainingRun.Data.open(cfg, p.quiet(), p.limits());
                    Normalization n = d.norm();
                    d.train().close();
                    d.test().close();
                    args.add("--mean");
                    args.add(join(n.mean()));
                    args.add("--std");
                    args.add(join(n.std()));
                }
            }
        }
        quiet = p.quiet();
        return args;
    }

    /** Runs the barrier stage; rank 0's summary. */
    String train(JavaSparkContext jsc, List<String> args) throws Exception {
        try (ProgressRelay progress = ProgressRelay.open(jsc.getConf().get("spark.driver.host"), !quiet)) {
            boolean bar = ProgressReporter.auto() == ProgressReporter.Mode.BAR;
            List<String> res = BarrierJob.run(jsc, workers, Duration.ofSeconds(commTimeoutS),
                    new TrainTask(args.toArray(String[]::new), progress.host(), progress.port(), bar, checkEvery, syncBn));
            return res.get(0);
        }
    }

    private TrainArgs.Parsed parse(List<String> args) {
        try {
            return TrainArgs.parse(args.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static String join(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double x : v) sb.append(sb.length() == 0 ? "" : ",").append(Double.toString(x));
        return sb.toString();
    }
}
