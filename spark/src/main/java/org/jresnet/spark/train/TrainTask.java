package org.jresnet.spark.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.jresnet.cli.TrainArgs;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.spark.cluster.BarrierJob;
import org.jresnet.spark.comm.Ring;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.Replica;
import org.jresnet.train.ResumeChange;
import org.jresnet.train.RunFiles;
import org.jresnet.train.RunState;
import org.jresnet.train.TrainConfig;
import org.jresnet.train.Trainer;
import org.jresnet.train.TrainingRun;

/**
 * One barrier task of {@code spark train}: its own engine (threads = the task's cores), the
 * train command's options parsed as on one machine, and the run started, or resumed when the run
 * folder holds a checkpoint (a relaunched stage: every rank restarts from rank 0's last
 * checkpoint). A {@code --resume} with {@code --lr}/{@code --epochs} applies them as train does;
 * a relaunch applies them again only if the checkpoint does not hold them yet. Rank 0 writes the
 * run folder and sends its progress lines to the driver.
 *
 * @param stepDelayMs a pause after each step (tests: time to kill an executor mid-epoch), 0 = none
 */
public record TrainTask(String[] args, String progressHost, int progressPort, boolean bar, int checkEvery,
                        boolean syncBn, int stepDelayMs) implements BarrierJob.Worker {

    @Override public String run(Ring ring, int attempt) throws Exception {
        TaskContext tc = TaskContext.get();
        int threads = tc == null ? 1 : Math.max(1, tc.cpus());
        try (Engine engine = Engine.create(EngineConfig.defaults().withThreads(threads)); Engine.Scope s = engine.bind();
             ProgressRelay.Sender sender = new ProgressRelay.Sender(ring.rank(), progressHost, progressPort, bar)) {
            ProgressReporter progress = sender.reporter();
            // --data hdfs://..., s3a://...: this machine's local copy
            HadoopData.Localized data = HadoopData.localize(args, HadoopData.conf(SparkEnv.get() == null ? null : SparkEnv.get().conf()));
            TrainArgs.Parsed p = TrainArgs.parse(data.args());
            Path dir = p.resume() != null ? p.resume() : p.config().run().out();
            if (p.config() == null && !Files.exists(dir.resolve("checkpoint.safetensors"))) {
                throw new IllegalArgumentException(dir + " holds no checkpoint to resume");
            }
            Replica replica = new Replica(ring.rank(), ring.size(), b -> ReplicaSync.wire(b, ring, checkEvery, syncBn));
            // a complete run (a stage relaunched after rank 0 finished) reports its last epoch
            Trainer.Listener delay = stepDelayMs <= 0 ? null : new Trainer.Listener() {
                @Override public void stepDone(RunState st) {
                    try {
                        Thread.sleep(stepDelayMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            TrainingRun.Outcome o = startOrResume(dir, p.config(), TrainArgs.resumeChange(args),
                    cfg -> TrainingRun.Data.open(HadoopData.withData(cfg, data.local()), true, p.limits()), progress,
                    delay, replica);
            progress.close();
            if (!o.complete()) return "stopped; resume with --resume " + dir;
            if (!replica.writes()) return "";   // only rank 0 keeps the metrics
            var rows = o.log().rows();
            var last = rows.get(rows.size() - 1);
            String split = StepSplit.summary(rows);
            return String.format(Locale.ROOT, "%s: test top-1 %.2f%% (%d images), train error %.2f%%, %.0f s%n"
                            + "weights: %s%ncurves:  %s  metrics: %s%s", o.model().config.name(), 100 * (1 - last.testErr()),
                    o.data().test().size(), 100 * last.trainErr(), o.end().elapsedS(), o.files().model(),
                    o.files().curves(), dir.resolve("metrics.csv"), split.isEmpty() ? "" : "\n" + split);
        }
    }

    /**
     * A replica's run: resumed from {@code dir}'s checkpoint when it holds one (a relaunched stage:
     * every rank restarts from rank 0's last checkpoint, so the folder must be one every rank
     * sees), else {@code cfg}'s new run. {@code data} opens the run's data for its config.
     */
    public static TrainingRun.Outcome startOrResume(Path dir, TrainConfig cfg, Function<TrainConfig, TrainingRun.Data> data,
                                                    ProgressReporter progress, Replica replica) throws IOException {
        return startOrResume(dir, cfg, ResumeChange.NONE, data, progress, null, replica);
    }

    /**
     * As above, applying {@code change} (--lr/--epochs given with --resume) to a resumed run and
     * calling {@code listener} (may be null) after every step.
     */
    public static TrainingRun.Outcome startOrResume(Path dir, TrainConfig cfg, ResumeChange change,
                                                    Function<TrainConfig, TrainingRun.Data> data, ProgressReporter progress,
                                                    Trainer.Listener listener, Replica replica) throws IOException {
        if (Files.exists(dir.resolve("checkpoint.safetensors"))) {
            RunFiles.Resumed stored = RunFiles.readCheckpoint(dir);
            return TrainingRun.resume(dir, stored, change, data.apply(change.applyTo(stored).config()), progress, listener, replica);
        }
        return TrainingRun.start(cfg, data.apply(cfg), progress, listener, replica);
    }
}
