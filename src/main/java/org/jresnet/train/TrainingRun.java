package org.jresnet.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.data.Dataset;
import org.jresnet.data.Datasets;
import org.jresnet.data.EpochPlan;
import org.jresnet.data.LoadOptions;
import org.jresnet.data.Normalization;
import org.jresnet.data.Split;
import org.jresnet.data.Transform;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.SafeTensors;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Shortcut;
import org.jresnet.tensor.Parallel;

/**
 * A training run from its {@link TrainConfig} to its run folder, started fresh or resumed from the
 * folder's checkpoint: the wiring of data, model, optimizer, schedule and {@link Trainer} shared by
 * the {@code train} command and the experiments. Ctrl-C / SIGTERM checkpoints and ends the run with
 * {@link Status#STOPPED}.
 */
public final class TrainingRun {
    /** Seconds a shutdown waits for the loop to write its checkpoint. */
    private static final long STOP_TIMEOUT_S = 120;

    public enum Status { COMPLETE, STOPPED }

    /** How a run ended: the model (final weights when complete) and its per-epoch history. */
    public record Outcome(Status status, ResNet model, RunFiles files, MetricsLog log, RunState end, Data data) {
        public boolean complete() { return status == Status.COMPLETE; }
    }

    /** The run's data: training and test splits, the train/validation plan and the normalisation. */
    public record Data(Dataset train, Dataset test, EpochPlan plan, Normalization norm) {
        public static Data open(TrainConfig cfg, boolean quiet) {
            LoadOptions opt = LoadOptions.defaults().withSkipBad(cfg.skipBad()).withQuiet(quiet);
            if (cfg.cacheDir() != null) opt = opt.withCacheDir(cfg.cacheDir());
            Dataset train = Datasets.open(cfg.data(), Split.TRAIN, opt);
            Dataset test = Datasets.open(cfg.data(), Split.TEST, opt);
            if (!train.classes().equals(test.classes())) {
                throw new IllegalArgumentException("train and test splits of " + cfg.data() + " have different classes: "
                        + train.classes() + " vs " + test.classes());
            }
            EpochPlan plan = new EpochPlan(train.size(), cfg.val(), cfg.seed());
            Normalization norm = cfg.mean() != null ? new Normalization(cfg.mean(), cfg.std())
                    : Normalization.compute(train, plan.train(), Parallel.get().threads());
            return new Data(train, test, plan, norm);
        }
    }

    private TrainingRun() {}

    /** A new run in {@code cfg.out()}; fails when the folder already holds one. */
    public static Outcome start(TrainConfig cfg, Data d, ProgressReporter progress, Trainer.Listener listener)
            throws IOException {
        Path outDir = cfg.out();
        if (Files.exists(outDir.resolve("checkpoint.safetensors"))) {
            throw new IllegalArgumentException(outDir + " already holds a run; continue it with --resume " + outDir
                    + " or choose another --out");
        }
        RunFiles.checkWritable(outDir);
        LrSchedule.Kind.parse(cfg.schedule());
        ResNet net = buildModel(cfg, d.train().numClasses());
        if (cfg.freezeBackbone()) freezeBackbone(net);
        int size = inputSize(net, d.train());
        ModelMetadata meta = ModelMetadata.defaults(net.config).withClasses(d.train().classes())
                .withNormalization(toFloat(d.norm().mean()), toFloat(d.norm().std())).withInputSize(size, size);
        Sgd sgd = new Sgd(net.parameters(), (float) cfg.momentum(), (float) cfg.weightDecay(), cfg.nesterov());
        return train(cfg, net, sgd, d, new RunFiles(outDir, meta), RunState.start(), new MetricsLog(outDir), progress,
                listener);
    }

    /**
     * Continues the run whose checkpoint {@code r} was read from {@code dir}. A run that is already
     * complete is not trained again: its final weights are loaded (and written if a crash came
     * between the last checkpoint and the model file).
     */
    public static Outcome resume(Path dir, RunFiles.Resumed r, Data d, ProgressReporter progress,
                                 Trainer.Listener listener) throws IOException {
        TrainConfig cfg = r.config();
        ResNet net = r.loaded().model();
        RunFiles files = new RunFiles(dir, r.loaded().metadata());
        MetricsLog log = MetricsLog.resume(dir, r.state().epoch() - 1);
        if (isComplete(r)) {
            if (!Files.exists(files.model())) files.saveModel(net, log);
            return new Outcome(Status.COMPLETE, net, files, log, r.state(), d);
        }
        if (cfg.freezeBackbone()) freezeBackbone(net);
        Sgd sgd = new Sgd(net.parameters(), (float) cfg.momentum(), (float) cfg.weightDecay(), cfg.nesterov());
        sgd.loadMomentumBuffers(r.momentum(), r.state().iteration());
        progress.message("resuming " + dir + " at epoch " + r.state().epoch() + ", iteration " + r.state().iteration());
        return train(cfg, net, sgd, d, files, r.state(), log, progress, listener);
    }

    public static boolean isComplete(RunFiles.Resumed r) { return r.state().epoch() > r.config().epochs(); }

    private static Outcome train(TrainConfig cfg, ResNet net, Sgd sgd, Data d, RunFiles files, RunState state,
                                 MetricsLog log, ProgressReporter progress, Trainer.Listener listener) throws IOException {
        int perEpoch = Trainer.itersPerEpoch(d.plan().train().length, cfg.batch());
        if (perEpoch < 1) {
            throw new IllegalArgumentException(d.plan().train().length + " training images make no full batch of "
                    + cfg.batch());
        }
        long total = (long) perEpoch * cfg.epochs();
        LrSchedule sched = new LrSchedule(LrSchedule.Kind.parse(cfg.schedule()), cfg.lr(), total, perEpoch,
                cfg.milestones(), cfg.gamma(), cfg.warmup(), cfg.warmupLr(), cfg.warmupUntilError());
        int size = files.metadata().inputSize()[1];
        Transform trainT = Preprocessing.training(d.train(), d.norm(), size);
        Transform evalT = Preprocessing.evaluation(d.test(), d.norm(), size);
        Trainer trainer = new Trainer(cfg, net, sgd, sched, d.train(), d.plan(), d.test(), trainT, evalT, files,
                progress, listener);
        progress.message(String.format(Locale.ROOT, "training %s (%,d parameters) on %s: %d train / %d val / %d test"
                        + " images, %d epochs x %d iterations, %s, %d threads -> %s", net.config.name(),
                net.parameterCount(), d.train().description(), d.plan().train().length, d.plan().val().length,
                d.test().size(), cfg.epochs(), perEpoch, sched, Parallel.get().threads(), files.dir()));
        Thread hook = new Thread(() -> {
            try {
                trainer.requestStop(STOP_TIMEOUT_S);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "jresnet-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        RunState end;
        try {
            end = trainer.run(state, log);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: the JVM exits once it returns.
            }
        }
        if (end.epoch() <= cfg.epochs()) return new Outcome(Status.STOPPED, net, files, log, end, d);
        files.saveModel(net, log);
        return new Outcome(Status.COMPLETE, net, files, log, end, d);
    }

    private static void freezeBackbone(ResNet net) {
        for (var e : net.parameters().entrySet()) e.getValue().setFrozen(!e.getKey().startsWith("fc."));
    }

    /** The model {@code cfg} describes, initialised from its seed or from {@code cfg.init()}. */
    public static ResNet buildModel(TrainConfig cfg, int dataClasses) throws IOException {
        int k = cfg.numClasses() > 0 ? cfg.numClasses() : dataClasses;
        if (k != dataClasses) {
            throw new IllegalArgumentException("--num-classes " + k + " but the data has " + dataClasses + " classes");
        }
        ModelConfig mc = ModelConfig.of(cfg.model());
        if (cfg.shortcut() != null) mc = mc.withShortcut(Shortcut.parse(cfg.shortcut()));
        mc = mc.withNumClasses(k).withSeed(cfg.seed()).withZeroInitResidual(cfg.zeroInitResidual());
        ResNet net = Models.create(mc);
        if (cfg.init() != null) {
            var f = SafeTensors.read(cfg.init());
            var report = ModelFiles.loadInto(net, f, cfg.init(), false);
            boolean fcOnly = report.missing().stream().allMatch(m -> m.startsWith("fc."))
                    && report.mismatched().stream().allMatch(m -> m.startsWith("fc."));
            if (!report.unexpected().isEmpty() || !fcOnly) {
                throw new IllegalArgumentException(cfg.init() + " does not fit " + cfg.model() + ": " + report.describe());
            }
            if (!report.mismatched().isEmpty() && cfg.numClasses() == 0) {
                throw new IllegalArgumentException(cfg.init() + " has another number of classes than the data (" + k
                        + "); pass --num-classes " + k + " to re-initialise fc");
            }
        }
        return net;
    }

    /** CIFAR nets see the data's own size; ImageNet nets 224 unless the images are all one size. */
    public static int inputSize(ResNet net, Dataset train) {
        if (train.height() > 0 && train.height() == train.width()) return train.height();
        return net.config.cifar() ? 32 : 224;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
