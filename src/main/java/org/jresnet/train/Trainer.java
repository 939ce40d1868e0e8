package org.jresnet.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jresnet.data.Batch;
import org.jresnet.data.BatchLoader;
import org.jresnet.data.Dataset;
import org.jresnet.data.EpochPlan;
import org.jresnet.data.Prefetcher;
import org.jresnet.data.Transform;
import org.jresnet.io.NonFiniteWeightsException;
import org.jresnet.models.ResNet;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.EpochTimer.Phase;

/**
 * The training loop: SGD over the plan's epochs, the schedule's learning rate per iteration, a test
 * (and validation) pass after each epoch, metrics and curves, and checkpoints that let
 * {@link #run} continue bit for bit after a crash or a stop.
 *
 * <p>Everything random is a function of (seed, epoch, index), and the engine is deterministic for
 * a fixed thread count, so the checkpoint's weights, BN statistics, momentum buffers and
 * {@link RunState} are the whole state of the run.
 *
 * <p>A run that diverges ends with {@link DivergedException}: a step whose loss or gradients are
 * not finite is stopped before it updates a weight (the step's finiteness checks), and weights, BN
 * statistics and momentum are checked before each checkpoint and at each epoch's end, so no
 * checkpoint holds a NaN and the message names the last one written.
 *
 * <p>Each metrics row also records where the time since the previous row went ({@link EpochTimes}):
 * {@code System.nanoTime} around the phases of the loop, the prefetch thread's own time from the
 * {@link Prefetcher}. Timing reads clocks only, so it changes no number of the run.
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

    /** Thrown when the run stops being finite; the last finite checkpoint is kept and named. */
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
    private double elapsedBefore, lastStampS;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The state the checkpoint on disk holds, null before this run wrote one. */
    private RunState lastCheckpoint;
    private final EpochTimer timer = new EpochTimer();

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
        // A fresh run starts in a folder without a checkpoint; a resumed one from its checkpoint.
        lastCheckpoint = Files.exists(files.checkpoint()) ? s : null;
        lastStampS = elapsedBefore;
        try (BatchLoader loader = loader()) {
            int perEpoch = loader.batchesPerEpoch();
            for (; s.epoch() <= cfg.run().epochs(); s = finishEpoch(s, log, perEpoch)) {
                // A frozen backbone keeps its BN statistics: eval mode, and only fc learns.
                model.setTraining(!cfg.model().freezeBackbone());
                progress.startEpoch(s.epoch(), cfg.run().epochs(), perEpoch, s.batchInEpoch());
                stepStart = System.nanoTime();
                try (Prefetcher batches = loader.prefetch(s.epoch() - 1, s.batchInEpoch(), PREFETCH_DEPTH)) {
                    while (batches.hasNext()) {
                        long t = System.nanoTime();
                        Batch b = batches.next();
                        t = timer.since(Phase.DATA_WAIT, t);
                        double lr = schedule.at(s.iteration(), s.warmupDone());
                        TrainStep.Result r = step(b, lr, s);
                        t = timer.since(Phase.STEP, t);
                        s = record(s, r, lr, perEpoch);
                        timer.since(Phase.LOG, t);
                        if (stopRequested) return stop(s);
                        if (cfg.run().ckptEvery() > 0 && s.iteration() % cfg.run().ckptEvery() == 0 && batches.hasNext()) {
                            saveCheckpoint(s);
                        }
                    }
                    // Every batch was taken, so the producer is done: its time is final.
                    timer.add(Phase.AUGMENT, batches.busyNanos());
                }
            }
        }
        return s;
    }

    /** The whole batches (one process), this replica's slice of each, or b images of its own shard. */
    private BatchLoader loader() {
        int batch = cfg.run().batch();
        if (replica.workers() == 1) return BatchLoader.training(train, plan, trainTransform, batch);
        if (replica.ownShard()) {
            return new BatchLoader(train, trainTransform, plan::order, replica.stepImages(batch), true, plan.seed(),
                    BatchLoader.defaultWorkers(train));
        }
        return new BatchLoader(train, trainTransform, e -> replica.localOrder(plan.order(e), batch),
                batch / replica.workers(), true, plan.seed(), BatchLoader.defaultWorkers(train));
    }

    /** The step; a loss or gradient that is no longer finite ends the run before any weight changes. */
    private TrainStep.Result step(Batch b, double lr, RunState s) {
        try {
            return step.run(b.images(), b.labels(), (float) lr);
        } catch (TrainStep.NonFiniteException e) {
            throw diverged(e.getMessage(), s);
        }
    }

    /**
     * Fails when a weight, BN statistic or momentum value is NaN or infinite: a step can overflow
     * the weights while its loss and gradients were finite, and such a state must never be saved.
     */
    private void requireFinite(RunState s) {
        Map<String, Integer> bad = new LinkedHashMap<>();
        for (var e : model.parameters().entrySet()) count(bad, e.getKey(), e.getValue().value());
        for (var e : model.buffers().entrySet()) count(bad, e.getKey(), e.getValue().value());
        for (var e : sgd.momentumBuffers().entrySet()) {
            int n = NonFiniteWeightsException.count(e.getValue(), 0, e.getValue().length);
            if (n > 0) bad.put(Sgd.MOMENTUM_PREFIX + e.getKey(), n);
        }
        if (!bad.isEmpty()) throw diverged("the weights are no longer finite: " + NonFiniteWeightsException.describe(bad), s);
    }

    private static void count(Map<String, Integer> bad, String key, Tensor t) {
        int n = NonFiniteWeightsException.count(t.data(), t.offset(), t.size());
        if (n > 0) bad.put(key, n);
    }

    /** "{what} after iteration N (epoch E)", then the last finite checkpoint and how to go on from it. */
    private DivergedException diverged(String what, RunState s) {
        String next = lastCheckpoint == null
                ? "No checkpoint was written before it: start again with a lower --lr"
                : String.format(Locale.ROOT, "The last finite checkpoint is %s (%s): continue it with a lower rate,"
                        + " jresnet train --resume %s --lr <lower>", files.checkpoint(), position(lastCheckpoint), files.dir());
        return new DivergedException(String.format(Locale.ROOT, "%s at %s. %s", what, position(s), next));
    }

    /** Where the state {@code s} is, in the words of the progress lines. */
    private static String position(RunState s) {
        return s.batchInEpoch() == 0 && s.epoch() > 1
                ? String.format(Locale.ROOT, "iteration %d, the end of epoch %d", s.iteration(), s.epoch() - 1)
                : String.format(Locale.ROOT, "iteration %d, in epoch %d", s.iteration(), s.epoch());
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
        // how to go on is the caller's to say: `train --resume` for train, the same command for an experiment
        progress.message("stopped at epoch " + s.epoch() + ", iteration " + s.iteration() + "; checkpoint in " + files.dir());
        return s;
    }

    /**
     * Test (and validation) pass (after the epochs {@code --test-every} names), metrics row, curves,
     * best weights, checkpoint at the epoch boundary.
     */
    private RunState finishEpoch(RunState s, MetricsLog log, int perEpoch) throws IOException {
        long t = System.nanoTime();
        progress.close();
        requireFinite(s);   // before the test pass, so a diverged epoch leaves no row, no best weights
        if (!replica.writes()) {
            double elapsed = elapsedBefore + (System.nanoTime() - t0) / 1e9;
            return new RunState(s.epoch() + 1, 0, s.iteration(), s.warmupDone(), 0, 0, 0, elapsed, s.bestValErr());
        }
        t = timer.since(Phase.LOG, t);
        boolean tests = cfg.run().testsAfter(s.epoch());
        TestViews views = cfg.data().testViews();
        Evaluation testEval = tests
                ? Evaluation.run(model, test, BatchLoader.all(test), evalTransform, cfg.run().batch(), views) : null;
        double valErr = Double.NaN;
        double best = s.bestValErr();
        if (tests && plan.val().length > 0) {
            valErr = Evaluation.run(model, train, plan.val(), evalTransform, cfg.run().batch(), views).error();
            if (Double.isNaN(best) || valErr < best) {
                best = valErr;
                t = timer.since(Phase.TEST, t);
                files.saveBest(model);
                t = timer.since(Phase.CHECKPOINT, t);
            }
        }
        timer.since(Phase.TEST, t);
        double lr = schedule.at(Math.max(0, s.iteration() - 1), s.warmupDone());
        long stamp = System.nanoTime();
        double elapsed = elapsedBefore + (stamp - t0) / 1e9;
        EpochMetrics m = new EpochMetrics(s.epoch(), s.iteration(), s.lossSum() / s.seen(),
                (double) s.errors() / s.seen(), tests ? testEval.loss() : Double.NaN, tests ? testEval.error() : Double.NaN,
                valErr, lr, elapsed, timer.take().withStepParts(step.takeStepParts()));
        // From here on the time belongs to the next row's span (see EpochTimes).
        log.append(m);
        files.saveCurves(log, dataName(cfg.data().path()));
        progress.message(String.format(Locale.ROOT,
                "epoch %d/%d  iter %d  train loss %.4f err %.2f%%  %s%s  %.0fs (%s)",
                m.epoch(), cfg.run().epochs(), m.iteration(), m.trainLoss(), 100 * m.trainErr(),
                tests ? String.format(Locale.ROOT, "test loss %.4f err %.2f%%", m.testLoss(), 100 * m.testErr())
                        : "no test pass (--test-every " + cfg.run().testEvery() + ")",
                Double.isNaN(valErr) ? "" : String.format(Locale.ROOT, "  val err %.2f%%", 100 * valErr),
                m.elapsedS(), m.times().compact(elapsed - lastStampS)));
        lastStampS = elapsed;
        listener.epochDone(m);
        timer.since(Phase.LOG, stamp);
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
        requireFinite(s);
        if (!replica.writes()) return;
        long t = System.nanoTime();
        files.saveCheckpoint(model, sgd, s, cfg, plan.train().length);
        lastCheckpoint = s;
        timer.since(Phase.CHECKPOINT, t);
        listener.checkpointSaved(files.checkpoint(), s);
    }

}
