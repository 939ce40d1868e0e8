package org.jresnet.spark;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.jresnet.cli.TrainArgs;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.io.Normalization;
import org.jresnet.io.OneLine;
import org.jresnet.spark.cluster.BarrierJob;
import org.jresnet.spark.cluster.ClusterDefaults;
import org.jresnet.spark.cluster.Loopback;
import org.jresnet.spark.train.HadoopData;
import org.jresnet.spark.train.ProgressRelay;
import org.jresnet.spark.train.Sharding;
import org.jresnet.spark.train.TrainTask;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.ResumeChange;
import org.jresnet.train.RunFiles;
import org.jresnet.train.RunLock;
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
    /** Slows each step of every task down so that tests can kill an executor mid-epoch; not for users. */
    @Option(names = "--step-delay-ms", hidden = true)
    int stepDelayMs;
    @Unmatched List<String> trainArgs = new ArrayList<>();
    private boolean quiet;
    /** Where rank 0's progress lines go. */
    PrintStream progressOut = System.err;

    /** The Spark job of a checked run: given the tasks' arguments, rank 0's summary. */
    interface Job {
        String run(List<String> taskArgs) throws Exception;
    }

    @Override public Integer call() throws Exception {
        String jar = TrainCommand.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        SparkConf conf = ClusterDefaults.executorFlags(
                Loopback.conf(ClusterDefaults.master(master), "jresnet train").set("spark.jars", jar));
        BarrierJob.checkConf(conf);   // before any executor starts
        System.out.println(run(conf.getInt("spark.task.cpus", 1), args -> {
            try (JavaSparkContext jsc = new JavaSparkContext(conf)) {
                return train(jsc, args);
            }
        }));
        return 0;
    }

    /**
     * Checks the options and the run folder, then runs {@code job} with the arguments every task
     * parses (absolute paths, implied options) while holding the run folder's lock, as {@code
     * jresnet train} does: a second run on the folder, on Spark or on one machine, is refused at
     * once. The driver holds it, not a task: it lives through every relaunch of the stage. Returns
     * rank 0's summary, or why there was nothing to do.
     */
    String run(int cpus, Job job) throws Exception {
        if (workers < 1) throw usage("--workers must be >= 1, got " + workers);
        if (commTimeoutS < 1) throw usage("--comm-timeout must be >= 1 second, got " + commTimeoutS);
        if (checkEvery < 1) throw usage("--check-every must be >= 1, got " + checkEvery);
        if (stepDelayMs < 0) throw usage("--step-delay-ms must be >= 0, got " + stepDelayMs);
        List<String> args = new ArrayList<>(trainArgs);
        try (Engine e = Engine.create(EngineConfig.defaults().withThreads(cpus)); Engine.Scope s = e.bind()) {
            TrainArgs.Parsed p = parse(args);
            if (p.threads() != null) throw usage("--threads is the task's cores on Spark (spark.task.cpus, here " + cpus + ")");
            quiet = p.quiet();
            return p.resume() != null ? resume(p.resume().toAbsolutePath(), args, cpus, job) : start(p, args, job);
        }
    }

    private String start(TrainArgs.Parsed p, List<String> args, Job job) throws Exception {
        TrainConfig cfg = p.config();
        int m = cfg.run().microBatches();
        if (m == 1) m = workers;
        else if (m % workers != 0) throw usage("--micro-batches " + m + " is not a multiple of --workers " + workers);
        try {   // options that do not split: a usage error (exit 2), as train's own
            Sharding.localBatch(cfg.run().batch(), workers);
            Sharding.localBatch(cfg.run().batch(), m);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Path out = cfg.run().out();
        boolean made = !Files.exists(out);
        RunFiles.checkWritable(out);
        RunLock lock = RunLock.acquire(out);
        try {
            TrainingRun.checkNewRunFolder(out);
            // a Hadoop URI goes to the tasks as typed (a Path would fold its "//"); each task stages it
            String remote = HadoopData.lastValue(args, "--data");
            if (!HadoopData.isUri(remote)) remote = null;
            if (remote != null && cfg.data().normalization() == null) {
                throw usage("--data " + remote + " is read by the executors only: give --mean and --std too"
                        + " (the driver does not copy the data to compute them)");
            }
            List.of("--out", out.toString(), "--data", remote != null ? remote : cfg.data().path().toString(), "--micro-batches",
                    Integer.toString(m)).forEach(args::add);
            if (cfg.model().init() != null) List.of("--init", cfg.model().init().toString()).forEach(args::add);
            int classes = 0;
            if (cfg.data().normalization() == null) {
                // once here, so that no worker reads the whole training split for it
                TrainingRun.Data d = TrainingRun.Data.open(cfg, p.quiet(), p.limits());
                Normalization n = d.norm();
                classes = d.train().numClasses();
                d.train().close();
                d.test().close();
                List.of("--mean", join(n.mean()), "--std", join(n.std())).forEach(args::add);
            }
            checkModel(cfg, classes);
            return job.run(args);
        } finally {
            // a command that failed before writing anything leaves no empty run folder behind
            if (made) lock.closeAndRemoveIfEmpty();
            else lock.close();
        }
    }

    /**
     * An --init file that is not weights, weights of another network, or a --num-classes the data
     * does not have, said here in one line: in the tasks each failed every attempt of the barrier
     * stage (Spark relaunches it four times), with a stack trace each. With the data's classes known
     * (0: the data was not read on the driver) the model is built as every task builds it.
     */
    private void checkModel(TrainConfig cfg, int classes) {
        Path init = cfg.model().init();
        try {
            if (classes > 0 && (init != null || cfg.model().numClasses() > 0)) {
                TrainingRun.buildModel(cfg, classes);
            } else if (init != null) {
                // the data was not read here (--init sets the normalisation): the model is built
                // with --num-classes, else with as many classes as the file's fc has
                var f = org.jresnet.io.WeightFiles.read(init);
                int k = cfg.model().numClasses();
                var fc = f.tensors().containsKey("fc.weight") ? f.tensors().get("fc.weight") : f.tensors().get("module.fc.weight");
                if (k == 0 && fc != null && fc.shape().length == 2) k = fc.shape()[0];
                if (k > 0) TrainingRun.buildModel(cfg, k, f);   // the file as read, not a second read
            }
        } catch (java.io.IOException e) {
            throw usage("--init " + OneLine.reason(e));
        } catch (IllegalArgumentException e) {
            throw usage(OneLine.reason(e));
        }
    }

    /** As train --resume: only --lr and --epochs may change the run (recorded by rank 0 in metrics.jsonl). */
    private String resume(Path dir, List<String> args, int cpus, Job job) throws Exception {
        ResumeChange change = TrainArgs.resumeChange(args.toArray(String[]::new));
        RunFiles.requireCheckpoint(dir);
        try (RunLock lock = RunLock.acquire(dir)) {
            RunFiles.Resumed stored = RunFiles.readCheckpoint(dir), r;
            try {
                r = change.applyTo(stored);
            } catch (TrainConfig.Invalid e) {
                throw usage("--" + e.field() + " " + e.problem());
            }
            TrainConfig cfg = r.config();
            int m = cfg.run().microBatches();
            if (m % workers != 0) {
                throw usage("the run in " + dir + " has --micro-batches " + m + ": resume it on a number of workers dividing " + m);
            }
            if (TrainingRun.isComplete(r)) {
                if (change.changes(stored.config())) {
                    throw usage("the run in " + dir + " is complete (" + cfg.run().epochs()
                            + " epochs): --lr changes nothing unless --epochs makes it longer");
                }
                return "the run in " + dir + " is already complete (" + cfg.run().epochs() + " epochs)";
            }
            int wrote = RunFiles.workers(stored);
            if (wrote != workers || cfg.run().threads() != cpus) {
                System.err.printf(Locale.ROOT, "note: the checkpoint was written by %d worker(s) of %d thread(s), %d of %d"
                        + " continue it (--micro-batches %d): equal within float summation, not bit for bit%n", wrote,
                        cfg.run().threads(), workers, cpus, m);
            }
            args.add("--resume");
            args.add(dir.toString());
            return job.run(args);
        }
    }

    /** Runs the barrier stage; rank 0's summary. */
    String train(JavaSparkContext jsc, List<String> args) throws Exception {
        try (ProgressRelay progress = ProgressRelay.open(jsc.getConf().get("spark.driver.host"), !quiet, progressOut)) {
            boolean bar = ProgressReporter.auto() == ProgressReporter.Mode.BAR;
            List<String> res = BarrierJob.run(jsc, workers, Duration.ofSeconds(commTimeoutS),
                    new TrainTask(args.toArray(String[]::new), progress.host(), progress.port(), bar, checkEvery, syncBn,
                            stepDelayMs));
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
