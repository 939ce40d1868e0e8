package org.jresnet.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jresnet.data.Batch;
import org.jresnet.data.BatchLoader;
import org.jresnet.data.Dataset;
import org.jresnet.data.EpochPlan;
import org.jresnet.data.Prefetcher;
import org.jresnet.data.Transform;
import org.jresnet.models.ResNet;

/**
 * The training loop: SGD over the plan's epochs, the schedule's learning rate per iteration, a test
 * (and validation) pass after each epoch, metrics and curves, and checkpoints that let
 * {@link #run} continue bit for bit after a crash or a stop.
 *
 * <p>Everything random is a function of (seed, epoch, index), and the engine is deterministic for
 * a fixed thread count, so the checkpoint's weights, BN statistics, momentum buffers and
 * {@link RunState} are the whole state of the run.
 */
public final class Trainer {
    /** Batches prepared ahead of the engine by the prefetch thread. */
    private static final int PREFETCH_DEPTH = 3;

    /** What the trainer reports to its caller. */
    public interface Listener {
        default void stepDone(RunState s) {}
        default void epochDone(EpochMetrics m) {}
        default void checkpointSaved(Path file, RunState s) {}
    }

    /** Thrown when the loss stops being finite; the last good checkpoint is kept. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) { super(message); }
    }

    private final TrainConfig cfg;
    private final ResNet model;
    private final Sgd sgd;
    private final TrainStep step;
    private final LrSchedule schedule;
    private final Dataset train, test;
    private final EpochPlan plan;
    private final Transform trainTransform, evalTransform;
    private final RunFiles files;
    private final ProgressReporter progress;
    private final Listener listener;
    private final Replica replica;
    private volatile boolean stopRequested;
    private long t0, stepStart;
    private double elapsedBefore;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public Trainer(TrainConfig cfg, TrainStep step, LrSchedule schedule, Dataset train, EpochPlan plan,
                   Dataset test, Transform trainTransform, Transform evalTransform, RunFiles files,
                   ProgressReporter progress, Listener listener) {
        this(cfg, step, schedule, train, plan, test, trainTransform, evalTransform, files, progress, listener, Replica.SINGLE);
    }

    /** The loop of one {@code replica} of a data-parallel run: its slice of each batch; rank 0 writes. */
    public Trainer(TrainConfig cfg, TrainStep step, LrSchedule schedule, Dataset train, EpochPlan plan,
                   Dataset test, Transform trainTransform, Transform evalTransform, RunFiles files,
                   ProgressReporter progress, Listener listener, Replica replica) {
        this.replica = replica;
        this.cfg = cfg;
        this.step = step;
        this.model = step.model();
        this.sgd = step.optimizer();
        this.schedule = schedule;
        this.train = train;
        this.plan = plan;
        this.test = test;
        this.trainTransform = trainTransform;
        this.evalTransform = evalTransform;
        this.files = files;
        this.progress = progress;
        this.listener = listener == null ? new Listener() {} : listener;
    }

    /** Iterations per epoch: full batches of the training part (the last partial batch is dropped). */
    public static int itersPerEpoch(int trainImages, int batch) { return trainImages / batch; }

    /**
     * Asks the loop to checkpoint and return at the next step boundary (Ctrl-C, SIGTERM) and waits
     * up to {@code timeoutS} seconds for it.
     */
    public void requestStop(long timeoutS) throws InterruptedException {
        stopRequested = true;
        stopped.await(timeoutS, TimeUnit.SECONDS);
    }

    /** Runs from {@code state} to the last epoch; returns the final state (or the state at a stop). */
    public RunState run(RunState state, MetricsLog log) throws IOException {
        try {
            return loop(state, log);
        } finally {
            progress.close();
            stopped.countDown();
        }
    }

    private RunState loop(RunState s, MetricsLog log) throws IOException {
        t0 = System.nanoTime();
        elapsedBefore = s.elapsedS();
        try (BatchLoader loader = loader()) {
            int perEpoch = loader.batchesPerEpoch();
            for (; s.epoch() <= cfg.run().epochs(); s = finishEpoch(s, log, perEpoch)) {
                // A frozen backbone keeps its BN statistics: eval mode, and only fc learns.
                model.setTraining(!cfg.model().freezeBackbone());
                progress.startEpoch(s.epoch(), cfg.run().epochs(), perEpoch, s.batchInEpoch());
                stepStart = System.nanoTime();
                try (Prefetcher batches = loader.prefetch(s.epoch() - 1, s.batchInEpoch(), PREFETCH_DEPTH)) {
                    while (batches.hasNext()) {
                        Batch b = batches.next();
                        double lr = schedule.at(s.iteration(), s.warmupDone());
                        TrainStep.Result r = step(b, lr, s);
                        s = record(s, r, lr, perEpoch);
                        if (stopRequested) return stop(s);
                        if (cfg.run().ckptEvery() > 0 && s.iteration() % cfg.run().ckptEvery() == 0 && batches.hasNext()) {
                            saveCheckpoint(s);
                        }
                    }
                }
            }
        }
        return s;
    }

    /** The whole batches (one process) or this replica's slice of each. */
    private BatchLoader loader() {
        int batch = cfg.run().batch();
        if (replica.workers() == 1) return BatchLoader.training(train, plan, trainTransform, batch);
        return new BatchLoader(train, trainTransform, e -> replica.localOrder(plan.order(e), batch),
                batch / replica.workers(), true, plan.seed(), BatchLoader.defaultWorkers(train));
    }

    /** The step; a loss that is no longer finite ends the run with the last good checkpoint kept. */
    private TrainStep.Result step(Batch b, double lr, RunState s) {
        try {
            return step.run(b.images(), b.labels(), (float) lr);
        } catch (TrainStep.NonFiniteException e) {
            throw new DivergedException(String.format(Locale.ROOT,
                    "%s at iteration %d (epoch %d); lower --lr. The last good checkpoint is %s",
                    e.getMessage(), s.iteration(), s.epoch(), files.checkpoint()));
        }
    }

    /** Bookkeeping after a step: running loss and error, the warm-up's end, progress, the listener. */
    private RunState record(RunState s, TrainStep.Result r, double lr, int perEpoch) {
        long errors = s.errors() + (r.batch() - r.correct());
        long seen = s.seen() + r.batch();
        double runningErr = (double) errors / seen;
        boolean warmupDone = s.warmupDone() || (schedule.hasErrorWarmup() && runningErr < cfg.schedule().warmupUntilError());
        double elapsed = elapsedBefore + (System.nanoTime() - t0) / 1e9;
        s = new RunState(s.epoch(), s.batchInEpoch() + 1, s.iteration() + 1, warmupDone,
                s.lossSum() + (double) r.loss() * r.batch(), errors, seen, elapsed, s.bestValErr());
        long now = System.nanoTime();
        double ips = r.batch() / ((now - stepStart) / 1e9);
        stepStart = now;
        progress.step(s.epoch(), s.batchInEpoch(), perEpoch, String.format(Locale.ROOT,
                "loss %.4f  err %.2f%%  lr %.4g  %.0f img/s", s.lossSum() / s.seen(), 100 * runningErr, lr, ips));
        listener.stepDone(s);
        return s;
    }

    /** Checkpoints and returns the state at a requested stop. */
    private RunState stop(RunState s) throws IOException {
        saveCheckpoint(s);
        progress.message("stopped at epoch " + s.epoch() + ", iteration " + s.iteration()
                + "; resume with: jresnet train --resume " + files.dir());
        return s;
    }

    /** Test (and validation) pass, metrics row, curves, best weights, checkpoint at the epoch boundary. */
    private RunState finishEpoch(RunState s, MetricsLog log, int perEpoch) throws IOException {
        progress.close();
        if (!replica.writes()) {
            double elapsed = elapsedBefore + (System.nanoTime() - t0) / 1e9;
            return new RunState(s.epoch() + 1, 0, s.iteration(), s.warmupDone(), 0, 0, 0, elapsed, s.bestValErr());
        }
        Evaluation testEval = Evaluation.run(model, test, BatchLoader.all(test), evalTransform, cfg.run().batch());
        double valErr = Double.NaN;
        double best = s.bestValErr();
        if (plan.val().length > 0) {
            valErr = Evaluation.run(model, train, plan.val(), evalTransform, cfg.run().batch()).error();
            if (Double.isNaN(best) || valErr < best) {
                best = valErr;
                files.saveBest(model);
            }
        }
        double lr = schedule.at(Math.max(0, s.iteration() - 1), s.warmupDone());
        double elapsed = elapsedBefore + (System.nanoTime() - t0) / 1e9;
        EpochMetrics m = new EpochMetrics(s.epoch(), s.iteration(), s.lossSum() / s.seen(),
                (double) s.errors() / s.seen(), testEval.loss(), testEval.error(), valErr, lr, elapsed);
        log.append(m);
        files.saveCurves(log, dataName(cfg.data().path()));
        progress.message(String.format(Locale.ROOT,
                "epoch %d/%d  iter %d  train loss %.4f err %.2f%%  test loss %.4f err %.2f%%%s  %.0fs",
                m.epoch(), cfg.run().epochs(), m.iteration(), m.trainLoss(), 100 * m.trainErr(), m.testLoss(),
                100 * m.testErr(), Double.isNaN(valErr) ? "" : String.format(Locale.ROOT, "  val err %.2f%%", 100 * valErr),
                m.elapsedS()));
        listener.epochDone(m);
        RunState next = new RunState(s.epoch() + 1, 0, s.iteration(), s.warmupDone(), 0, 0, 0, elapsed, best);
        saveCheckpoint(next);
        return next;
    }

    /** The data's name for titles: the file or folder name, without .zip. */
    static String dataName(Path data) {
        Path f = data.getFileName();
        return f == null ? data.toString() : f.toString().replaceFirst("(?i)\\.zip$", "");
    }

    private void saveCheckpoint(RunState s) throws IOException {
        if (!replica.writes()) return;
        files.saveCheckpoint(model, sgd, s, cfg);
        listener.checkpointSaved(files.checkpoint(), s);
    }

}
