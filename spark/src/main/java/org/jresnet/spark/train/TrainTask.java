package org.jresnet.spark.train;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
             Socket progressSocket = ring.rank() == 0 && progressPort > 0 ? connect() : null) {
            ProgressReporter progress = progressSocket == null ? new ProgressReporter(ProgressReporter.Mode.QUIET)
                    : new ProgressReporter(bar ? ProgressReporter.Mode.BAR : ProgressReporter.Mode.LINES,
                            new PrintStream(progressSocket.getOutputStream(), true, StandardCharsets.UTF_8));
            TrainArgs.Parsed p = TrainArgs.parse(args);
            Path dir = p.resume() != null ? p.resume() : p.config().run().out();
            Replica replica = new Replica(ring.rank(), ring.size(), b -> ReplicaSync.wire(b, ring, checkEvery, syncBn));
            TrainingRun.Outcome o;
            Trainer.Listener delay = stepDelayMs <= 0 ? null : new Trainer.Listener() {
                @Override public void stepDone(RunState st) {
                    try {
                        Thread.sleep(stepDelayMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            if (Files.exists(dir.resolve("checkpoint.safetensors"))) {
                RunFiles.Resumed stored = RunFiles.readCheckpoint(dir);
                ResumeChange change = TrainArgs.resumeChange(args);
                // a complete run (a stage relaunched after rank 0 finished) reports its last epoch
                TrainingRun.Data d = TrainingRun.Data.open(change.applyTo(stored).config(), true, p.limits());
                o = TrainingRun.resume(dir, stored, change, d, progress, delay, replica);
            } else {
                TrainConfig cfg = p.config();
                if (cfg == null) throw new IllegalArgumentException(dir + " holds no checkpoint to resume");
                TrainingRun.Data d = TrainingRun.Data.open(cfg, true, p.limits());
                o = TrainingRun.start(cfg, d, progress, delay, replica);
            }
            progress.close();
            if (!o.complete()) return "stopped; resume with --resume " + dir;
            if (!replica.writes()) return "";   // only rank 0 keeps the metrics
            var rows = o.log().rows();
            var last = rows.get(rows.size() - 1);
            return String.format(Locale.ROOT, "%s: test top-1 %.2f%% (%d images), train error %.2f%%, %.0f s%n"
                            + "weights: %s%ncurves:  %s  metrics: %s", o.model().config.name(), 100 * (1 - last.testErr()),
                    o.data().test().size(), 100 * last.trainErr(), o.end().elapsedS(), o.files().model(),
                    o.files().curves(), dir.resolve("metrics.csv"));
        }
    }

    private Socket connect() throws java.io.IOException {
        Socket sock = new Socket();
        sock.connect(new InetSocketAddress(progressHost, progressPort), 10_000);
        return sock;
    }
}
