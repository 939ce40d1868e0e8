package org.jresnet.train;

import org.jresnet.data.ChannelStatistics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.data.Dataset;
import org.jresnet.data.Datasets;
import org.jresnet.data.EpochPlan;
import org.jresnet.data.DecodeLimits;
import org.jresnet.data.LoadOptions;
import org.jresnet.io.Normalization;
import org.jresnet.data.Split;
import org.jresnet.data.Transform;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Shortcut;
import org.jresnet.engine.Engine;

/**
 * A training run from its {@link TrainConfig} to its run folder, started fresh or resumed from the
 * folder's checkpoint: the wiring of data, model, optimizer, schedule and {@link Trainer} shared by
 * the {@code train} command and the experiments. Ctrl-C / SIGTERM checkpoints and ends the run with
 * {@link Status#STOPPED}.
 */
public final class TrainingRun {
    /** Seconds a shutdown waits for the loop to write its checkpoint. */
    private static final long STOP_TIMEOUT_S = 120;
    /** Events compared as the log writes them. */
    private static final com.fasterxml.jackson.databind.ObjectMapper EVENT_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    public enum Status { COMPLETE, STOPPED }

    /** How a run ended: the model (final weights when complete) and its per-epoch history. */
    public record Outcome(Status status, ResNet model, RunFiles files, MetricsLog log, RunState end, Data data) {
        public boolean complete() { return status == Status.COMPLETE; }
    }

    /** The run's data: training and test splits, the train/validation plan and the normalisation. */
    public record Data(Dataset train, Dataset test, EpochPlan plan, Normalization norm) {
        public static Data open(TrainConfig cfg, boolean quiet) {
            return open(cfg, quiet, DecodeLimits.defaults());
        }

        /** The run's data, images decoded within {@code limits}; a classifier needs at least two classes. */
        public static Data open(TrainConfig cfg, boolean quiet, DecodeLimits limits) {
            TrainConfig.Data dc = cfg.data();
            LoadOptions opt = LoadOptions.defaults().withSkipBad(dc.skipBad()).withQuiet(quiet).withLimits(limits);
            if (dc.cacheDir() != null) opt = opt.withCacheDir(dc.cacheDir());
            if (Datasets.splitsAreOneSet(dc.path())) {
                // its test accuracy would be on the training images, and be reported as a test result
                throw new IllegalArgumentException(dc.path() + " has no train/ and test/ (or val/) folders, so it would be"
                        + " tested on its own training images: put its class folders under train/ and test/");
            }
            Dataset train = Datasets.open(dc.path(), Split.TRAIN, opt);
            if (train.numClasses() < 2) {
                train.close();
                // One class is always right: such a run would report 100% and have learned nothing.
                throw new IllegalArgumentException(dc.path() + " has " + train.numClasses() + " class "
                        + train.classes() + ": training a classifier needs at least two");
            }
            Dataset test = Datasets.open(dc.path(), Split.TEST, opt);
            if (!train.classes().equals(test.classes())) {
                throw new IllegalArgumentException("train and test splits of " + dc.path() + " have different classes: "
                        + train.classes() + " vs " + test.classes());
            }
            EpochPlan plan = new EpochPlan(train.size(), dc.val(), cfg.run().seed());
            Normalization norm = dc.normalization() != null ? dc.normalization()
                    : ChannelStatistics.normalization(train, plan.train(), Engine.current().threads());
            return new Data(train, test, plan, norm);
        }
    }

    private TrainingRun() {}

    /**
     * Fails when {@code outDir} already holds a run or cannot be written: call it before opening
     * the data, so a mistyped folder fails at once ({@link #start} checks again).
     */
    public static void checkNewRunFolder(Path outDir) throws IOException {
        if (Files.exists(outDir.resolve("checkpoint.safetensors"))) {
            throw new IllegalArgumentException(outDir + " already holds a run; continue it with --resume " + outDir
                    + " or choose another --out");
        }
        RunFiles.checkWritable(outDir);
    }

    /** A new run in {@code cfg.run().out()}; fails when the folder already holds one. */
    public static Outcome start(TrainConfig cfg, Data d, ProgressReporter progress, Trainer.Listener listener)
            throws IOException {
        return start(cfg, d, progress, listener, Replica.SINGLE);
    }

    /** A new run, as this {@code replica} of a data-parallel run. */
    public static Outcome start(TrainConfig cfg, Data d, ProgressReporter progress, Trainer.Listener listener,
                                Replica replica) throws IOException {
        Path outDir = cfg.run().out();
        if (replica.writes()) checkNewRunFolder(outDir);
        ResNet net = buildModel(cfg, d.train().numClasses());
        if (cfg.model().freezeBackbone()) freezeBackbone(net);
        int size = inputSize(net, d.train());
        ModelMetadata meta = ModelMetadata.defaults(net.config).withClasses(d.train().classes())
                .withNormalization(d.norm()).withInputSize(size, size);
        return train(cfg, net, sgd(net, cfg.optimizer()), d, new RunFiles(outDir, meta, replica.workers()), RunState.start(),
                new MetricsLog(outDir), progress, listener, replica);
    }

    /**
     * Continues the run whose checkpoint {@code r} was read from {@code dir}. A run that is already
     * complete is not trained again: its final weights are loaded (and written if a crash came
     * between the last checkpoint and the model file).
     */
    public static Outcome resume(Path dir, RunFiles.Resumed r, Data d, ProgressReporter progress,
                                 Trainer.Listener listener) throws IOException {
        return resume(dir, r, ResumeChange.NONE, d, progress, listener, Replica.SINGLE);
    }

    /** Continues a run as this {@code replica} of a data-parallel run (every rank reads the same checkpoint). */
    public static Outcome resume(Path dir, RunFiles.Resumed r, Data d, ProgressReporter progress,
                                 Trainer.Listener listener, Replica replica) throws IOException {
        return resume(dir, r, ResumeChange.NONE, d, progress, listener, replica);
    }

    /**
     * As {@link #resume(Path, RunFiles.Resumed, Data, ProgressReporter, Trainer.Listener)}, with the
     * run's rate or length changed from the checkpoint's iteration on ({@code change}, recorded in
     * {@code metrics.jsonl}; {@code d} is the changed run's data).
     */
    public static Outcome resume(Path dir, RunFiles.Resumed stored, ResumeChange change, Data d,
                                 ProgressReporter progress, Trainer.Listener listener) throws IOException {
        return resume(dir, stored, change, d, progress, listener, Replica.SINGLE);
    }

    /**
     * A run's {@code change} applied as this {@code replica} of a data-parallel run. A change the
     * log already records at the checkpoint's iteration (a relaunched or repeated resume from the
     * same checkpoint) is not recorded twice.
     */
    public static Outcome resume(Path dir, RunFiles.Resumed stored, ResumeChange change, Data d,
                                 ProgressReporter progress, Trainer.Listener listener, Replica replica)
            throws IOException {
        RunFiles.Resumed r = change.applyTo(stored);
        TrainConfig cfg = r.config();
        ResNet net = r.loaded().model();
        RunFiles files = new RunFiles(dir, r.loaded().metadata(), replica.workers());
        MetricsLog log = MetricsLog.resume(dir, r.state().epoch() - 1, r.state().iteration());
        if (isComplete(r)) {
            if (replica.writes() && !Files.exists(files.model())) files.saveModel(net, log);
            return new Outcome(Status.COMPLETE, net, files, log, r.state(), d);
        }
        RunFiles.requireSameTrainingImages(stored, d.plan().train().length, cfg.data().path());
        if (replica.writes() && change.changes(stored.config())) {
            var event = change.record(stored.config(), r.state());
            String json = EVENT_JSON.valueToTree(event).toString();
            if (log.events().stream().noneMatch(e -> e.toString().equals(json))) log.event(event);
            progress.message(change.describe(stored.config(), r.state()));
        }
        if (cfg.model().freezeBackbone()) freezeBackbone(net);
        Sgd sgd = sgd(net, cfg.optimizer());
        sgd.loadMomentumBuffers(r.momentum(), r.state().iteration());
        progress.message("resuming " + dir + " at epoch " + r.state().epoch() + ", iteration " + r.state().iteration());
        return train(cfg, net, sgd, d, files, r.state(), log, progress, listener, replica);
    }

    public static boolean isComplete(RunFiles.Resumed r) { return r.state().epoch() > r.config().run().epochs(); }

    private static Sgd sgd(ResNet net, TrainConfig.Optimizer o) {
        return new Sgd(net.parameters(), (float) o.momentum(), (float) o.weightDecay(), o.nesterov());
    }

    private static Outcome train(TrainConfig cfg, ResNet net, Sgd sgd, Data d, RunFiles files, RunState state,
                                 MetricsLog log, ProgressReporter progress, Trainer.Listener listener, Replica replica)
            throws IOException {
        TrainConfig.Run run = cfg.run();
        int stepImages = replica.stepImages(run.batch());
        int perEpoch = Trainer.itersPerEpoch(d.plan().train().length, stepImages);
        if (perEpoch < 1) {
            throw new IllegalArgumentException(d.plan().train().length + " training images make no full batch of "
                    + stepImages);
        }
        LrSchedule sched = new LrSchedule(cfg.schedule(), (long) perEpoch * run.epochs(), perEpoch);
        for (String n : sched.unreached()) progress.message("note: " + n);
        int size = files.metadata().inputSize()[1];
        Transform trainT = Preprocessing.training(d.train(), d.norm(), size, cfg.data().cropEpochs(), cfg.data().cropSize());
        if (net.config.cifar() && trainT instanceof org.jresnet.data.RandomResizedCropFlip) {
            // one odd-sized image (or data streamed from disk) switches every image's augmentation:
            // say so, the paper's CIFAR recipe is the pad-4 crop
            progress.message("note: the training images are not all " + size + "x" + size + " in memory ("
                    + d.train().description() + "): they get ImageNet's RandomResizedCrop + flip, not CIFAR's pad-4 crop + flip");
        }
        Transform evalT = Preprocessing.evaluation(d.test(), d.norm(), size);
        TrainStep.Builder sb = TrainStep.builder(net, sgd).headOnly(cfg.model().freezeBackbone())
                .microBatches(replica.localMicroBatches(run.microBatches())).flatGradients(replica.workers() > 1)
                .labelSmoothing(cfg.optimizer().labelSmoothing());
        replica.wiring().accept(sb);
        TrainStep step = sb.requireFiniteLoss().requireFiniteGradients().build();
        Trainer trainer = new Trainer(cfg, step, sched, d.train(), d.plan(), d.test(), trainT, evalT, files,
                progress, listener, replica);
        progress.message(String.format(Locale.ROOT, "training %s (%,d parameters) on %s: %d train / %d val / %d test"
                        + " images, %d epochs x %d iterations, %s, %d threads%s -> %s",
                net.config.bottleneck() ? net.config.name() + " " + net.config.variant() : net.config.name(),
                net.parameterCount(), d.train().description(), d.plan().train().length, d.plan().val().length,
                d.test().size(), run.epochs(), perEpoch, sched, Engine.current().threads(),
                replica.workers() > 1 ? " x " + replica.workers() + " workers" : "", files.dir()));
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
        if (end.epoch() <= run.epochs()) return new Outcome(Status.STOPPED, net, files, log, end, d);
        if (replica.writes()) files.saveModel(net, log);
        return new Outcome(Status.COMPLETE, net, files, log, end, d);
    }

    private static void freezeBackbone(ResNet net) {
        for (var e : net.parameters().entrySet()) e.getValue().setFrozen(!e.getKey().startsWith("fc."));
    }

    /** The model {@code cfg} describes, initialised from its seed or from {@code cfg.model().init()}. */
    public static ResNet buildModel(TrainConfig cfg, int dataClasses) throws IOException {
        return buildModel(cfg, dataClasses, cfg.model().init() == null ? null : org.jresnet.io.WeightFiles.read(cfg.model().init()));
    }

    /** As {@link #buildModel(TrainConfig, int)}, with {@code cfg.model().init()} already read into {@code f} (null without one). */
    public static ResNet buildModel(TrainConfig cfg, int dataClasses, org.jresnet.io.SafeTensorsFile f) throws IOException {
        TrainConfig.Model m = cfg.model();
        int k = m.numClasses() > 0 ? m.numClasses() : dataClasses;
        if (k != dataClasses) {
            throw new IllegalArgumentException("--num-classes " + k + " but the data has " + dataClasses + " classes");
        }
        ModelConfig mc = ModelConfig.of(m.name());
        if (m.shortcut() != null) mc = mc.withShortcut(Shortcut.parse(m.shortcut()));
        mc = mc.withNumClasses(k).withSeed(cfg.run().seed()).withZeroInitResidual(m.zeroInitResidual());
        Boolean strideOn3x3 = m.variant() == null ? null : ModelConfig.parseVariant(m.variant());
        if (f != null && ModelMetadata.isJresnet(f.metadata())) {
            // a v1 net's weights (stride on the first 1x1) fit a v1.5 net's shapes exactly: fine-tune
            // the network the file holds, not the other one (the run's metadata then records it)
            boolean held = ModelMetadata.fromMap(f.metadata(), m.init()).strideOn3x3();
            if (strideOn3x3 != null && strideOn3x3 != held && mc.bottleneck()) {
                throw new IllegalArgumentException(m.init() + " holds a " + m.name() + " of variant "
                        + ModelConfig.variantName(held) + "; --variant " + m.variant() + " would be another network");
            }
            strideOn3x3 = held;
        }
        if (strideOn3x3 != null) mc = mc.withStrideOn3x3(strideOn3x3);
        ResNet net = Models.create(mc);
        if (f != null) {   // safetensors or a PyTorch checkpoint
            var report = ModelFiles.loadInto(net, f, m.init(), false);
            boolean fcOnly = report.missing().stream().allMatch(key -> key.startsWith("fc."))
                    && report.mismatched().stream().allMatch(key -> key.startsWith("fc."));
            if (!report.unexpected().isEmpty() || !fcOnly) {
                throw new IllegalArgumentException(m.init() + " does not fit " + m.name() + ": " + report.describe());
            }
            if (!report.mismatched().isEmpty() && m.numClasses() == 0) {
                throw new IllegalArgumentException(m.init() + " has another number of classes than the data (" + k
                        + "); pass --num-classes " + k + " to re-initialise fc");
            }
        }
        return net;
    }

    /**
     * The normalisation the weights in {@code init} expect: the one its jresnet metadata records,
     * else the one eval, predict and serve read a file without metadata with (ImageNet's for an
     * ImageNet net). Pretrained features were learned on images normalised so; the new data's own
     * statistics would shift every input the (frozen or fine-tuned) layers see. timm and
     * torchvision's fine-tuning recipes do the same. {@code meta}: the file's metadata
     * ({@link org.jresnet.io.WeightFiles#readMetadata}).
     */
    public static Normalization initNormalization(java.util.Map<String, String> meta, Path init, String model)
            throws IOException {
        if (ModelMetadata.isJresnet(meta)) return ModelMetadata.fromMap(meta, init).normalization();
        return ModelMetadata.defaults(ModelConfig.of(model)).normalization();
    }

    /** CIFAR nets see the data's own size; ImageNet nets 224 unless the images are all one size. */
    public static int inputSize(ResNet net, Dataset train) {
        if (train.height() > 0 && train.height() == train.width()) return train.height();
        return net.config.cifar() ? 32 : 224;
    }
}
