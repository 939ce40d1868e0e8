package org.jresnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.data.Dataset;
import org.jresnet.data.Datasets;
import org.jresnet.data.EpochPlan;
import org.jresnet.data.LoadOptions;
import org.jresnet.data.Normalization;
import org.jresnet.data.Split;
import org.jresnet.data.Transform;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Shortcut;
import org.jresnet.tensor.Parallel;
import org.jresnet.train.LrSchedule;
import org.jresnet.train.MetricsLog;
import org.jresnet.train.Preprocessing;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.RunFiles;
import org.jresnet.train.RunState;
import org.jresnet.train.Sgd;
import org.jresnet.train.TrainConfig;
import org.jresnet.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a ResNet. With no options: ResNet-20 on the bundled CIFAR-10 sample (a few minutes).",
            "Stop with Ctrl-C: it checkpoints; continue with --resume DIR."})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", description = "Network (see 'jresnet summary --help'); default resnet20.")
    String model = "resnet20";
    @Option(names = "--shortcut", description = "A, B or C (default: A for CIFAR nets, B for ImageNet nets).")
    String shortcut;
    @Option(names = "--data", description = "CIFAR-10 binary folder, ImageFolder folder or zip (default: the bundled sample).")
    Path data;
    @Option(names = "--out", description = "Run folder (default: runs/<model>).") Path out;
    @Option(names = "--epochs", description = "Epochs (default ${DEFAULT-VALUE}).") int epochs = 15;
    @Option(names = "--batch", description = "Batch size (default ${DEFAULT-VALUE}).") int batch = 128;
    @Option(names = "--lr", description = "Base learning rate (default ${DEFAULT-VALUE}).") double lr = 0.1;
    @Option(names = "--momentum", description = "SGD momentum (default ${DEFAULT-VALUE}).") double momentum = 0.9;
    @Option(names = "--weight-decay", description = "L2 weight decay (default ${DEFAULT-VALUE}).") double weightDecay = 1e-4;
    @Option(names = "--nesterov", description = "Nesterov momentum.") boolean nesterov;
    @Option(names = "--schedule", description = "paper, multistep or cosine (default ${DEFAULT-VALUE}).") String schedule = "cosine";
    @Option(names = "--milestones", split = ",", description = "Epochs where multistep multiplies the rate by --gamma.")
    int[] milestones = {};
    @Option(names = "--gamma", description = "multistep factor (default ${DEFAULT-VALUE}).") double gamma = 0.1;
    @Option(names = "--warmup", description = "Linear warm-up iterations (default ${DEFAULT-VALUE}).") int warmup = 200;
    @Option(names = "--warmup-lr", description = "Constant warm-up rate until --warmup-until-error (paper's ResNet-110: 0.01).")
    double warmupLr;
    @Option(names = "--warmup-until-error", description = "Training error below which --warmup-lr ends (default ${DEFAULT-VALUE}).")
    double warmupUntilError = 0.8;
    @Option(names = "--seed", description = "Seed of initialisation, data order and augmentation (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--val", description = "Hold out N training images for validation (best.safetensors).") int val;
    @Option(names = "--ckpt-every", description = "Also checkpoint every N iterations (default: each epoch only).") int ckptEvery;
    @Option(names = "--resume", description = "Continue the run in this folder exactly where it stopped.") Path resume;
    @Option(names = "--init", description = "Start from these weights (ours or PyTorch's).") Path init;
    @Option(names = "--num-classes", description = "Classes of the classifier; re-initialises fc when it differs from --init's.")
    int numClasses;
    @Option(names = "--freeze-backbone", description = "Train only fc (BN statistics frozen too).") boolean freezeBackbone;
    @Option(names = "--zero-init-residual", description = "Start each block's last BN gamma at 0.") boolean zeroInitResidual;
    @Option(names = "--mean", split = ",", description = "Per-channel mean (R,G,B in [0,1]); default: of the training split.")
    double[] mean;
    @Option(names = "--std", split = ",", description = "Per-channel std (R,G,B); default: of the training split.") double[] std;
    @Option(names = "--skip-bad", description = "Skip and count corrupt images instead of failing.") boolean skipBad;
    @Option(names = "--cache-dir", description = "Decoded-image cache (default ~/.cache/jresnet).") Path cacheDir;
    @Option(names = "--threads", description = "Engine threads (default: all cores).") Integer threads;
    @Option(names = "--quiet", description = "No progress output.") boolean quiet;
    /** Slows each step down so that tests can interrupt a run mid-epoch; not for users. */
    @Option(names = "--step-delay-ms", hidden = true) int stepDelayMs;

    /** Options that define the run and therefore may not change on --resume. */
    private static final List<String> RUN_OPTIONS = List.of("--model", "--shortcut", "--data", "--epochs", "--batch",
            "--lr", "--momentum", "--weight-decay", "--nesterov", "--schedule", "--milestones", "--gamma", "--warmup",
            "--warmup-lr", "--warmup-until-error", "--seed", "--val", "--init", "--num-classes", "--freeze-backbone",
            "--zero-init-residual", "--mean", "--std", "--out", "--ckpt-every");

    @Override public Integer call() throws Exception {
        if (threads != null) {
            if (threads < 1) throw new Errors.UsageException("--threads must be >= 1");
            Parallel.setThreads(threads);
        }
        ProgressReporter progress = new ProgressReporter(quiet ? ProgressReporter.Mode.QUIET : ProgressReporter.auto());
        return resume != null ? resumeRun(progress) : newRun(progress);
    }

    private int newRun(ProgressReporter progress) throws Exception {
        Models.arch(model);  // unknown names fail before any data is read
        Path dataPath = data != null ? data : Home.bundled(Home.SAMPLE_DATA);
        Path outDir = out != null ? out : Paths.get("runs", model);
        if (Files.exists(outDir.resolve("checkpoint.safetensors"))) {
            throw new Errors.UsageException(outDir + " already holds a run; continue it with --resume " + outDir
                    + " or choose another --out");
        }
        RunFiles.checkWritable(outDir);
        TrainConfig cfg = new TrainConfig(model, shortcut, dataPath.toAbsolutePath(), outDir.toAbsolutePath(), epochs,
                batch, lr, momentum, weightDecay, nesterov, schedule, milestones, gamma, warmup, warmupLr,
                warmupUntilError, seed, val, ckptEvery, init == null ? null : init.toAbsolutePath(), numClasses,
                freezeBackbone, zeroInitResidual, mean, std, skipBad, cacheDir, Parallel.get().threads());
        LrSchedule.Kind.parse(schedule);
        Data d = Data.open(cfg, quiet);
        ResNet net = buildModel(cfg, d.train.numClasses());
        if (freezeBackbone) {
            for (var e : net.parameters().entrySet()) e.getValue().setFrozen(!e.getKey().startsWith("fc."));
        }
        ModelMetadata meta = ModelMetadata.defaults(net.config).withClasses(d.train.classes())
                .withNormalization(toFloat(d.norm.mean()), toFloat(d.norm.std()))
                .withInputSize(inputSize(net, d.train), inputSize(net, d.train));
        Sgd sgd = new Sgd(net.parameters(), (float) momentum, (float) weightDecay, nesterov);
        RunFiles files = new RunFiles(outDir, meta);
        return train(cfg, net, sgd, d, files, RunState.start(), new MetricsLog(outDir), progress);
    }

    private int resumeRun(ProgressReporter progress) throws Exception {
        for (String o : RUN_OPTIONS) {
            if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                throw new Errors.UsageException(o + " cannot be combined with --resume: the run keeps its own settings");
            }
        }
        RunFiles.Resumed r = RunFiles.readCheckpoint(resume);
        TrainConfig cfg = r.config();
        if (cfg.threads() != Parallel.get().threads()) {
            System.err.printf(Locale.ROOT, "note: the run started with %d threads, this process has %d; the result will"
                    + " not be bit-identical to an uninterrupted run%n", cfg.threads(), Parallel.get().threads());
        }
        if (r.state().epoch() > cfg.epochs()) {
            System.err.println("the run in " + resume + " is already complete (" + cfg.epochs() + " epochs)");
            return 0;
        }
        Data d = Data.open(cfg, quiet);
        ResNet net = r.loaded().model();
        if (cfg.freezeBackbone()) {
            for (var e : net.parameters().entrySet()) e.getValue().setFrozen(!e.getKey().startsWith("fc."));
        }
        Sgd sgd = new Sgd(net.parameters(), (float) cfg.momentum(), (float) cfg.weightDecay(), cfg.nesterov());
        sgd.loadMomentumBuffers(r.momentum(), r.state().iteration());
        RunFiles files = new RunFiles(resume, r.loaded().metadata());
        MetricsLog log = MetricsLog.resume(resume, r.state().epoch() - 1);
        progress.message("resuming " + resume + " at epoch " + r.state().epoch() + ", iteration " + r.state().iteration());
        return train(cfg, net, sgd, d, files, r.state(), log, progress);
    }

    private int train(TrainConfig cfg, ResNet net, Sgd sgd, Data d, RunFiles files, RunState state, MetricsLog log,
                      ProgressReporter progress) throws Exception {
        int perEpoch = Trainer.itersPerEpoch(d.plan.train().length, cfg.batch());
        if (perEpoch < 1) {
            throw new Errors.UsageException(d.plan.train().length + " training images make no full batch of " + cfg.batch());
        }
        long total = (long) perEpoch * cfg.epochs();
        LrSchedule sched = new LrSchedule(LrSchedule.Kind.parse(cfg.schedule()), cfg.lr(), total, perEpoch,
                cfg.milestones(), cfg.gamma(), cfg.warmup(), cfg.warmupLr(), cfg.warmupUntilError());
        int size = files.metadata().inputSize()[1];
        Transform trainT = Preprocessing.training(d.train, d.norm, size);
        Transform evalT = Preprocessing.evaluation(d.test, d.norm, size);
        Trainer.Listener slow = stepDelayMs <= 0 ? null : new Trainer.Listener() {
            @Override public void stepDone(RunState s) {
                try {
                    Thread.sleep(stepDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Trainer trainer = new Trainer(cfg, net, sgd, sched, d.train, d.plan, d.test, trainT, evalT, files, progress, slow);
        progress.message(String.format(Locale.ROOT, "training %s (%,d parameters) on %s: %d train / %d val / %d test images,"
                        + " %d epochs x %d iterations, %s, %d threads", net.config.name(), net.parameterCount(),
                d.train.description(), d.plan.train().length, d.plan.val().length, d.test.size(), cfg.epochs(), perEpoch,
                sched, Parallel.get().threads()));
        Thread hook = new Thread(() -> {
            try {
                trainer.requestStop(120);
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
        if (end.epoch() <= cfg.epochs()) return 130;  // stopped by a signal, checkpoint written
        files.saveModel(net);
        // The last epoch's test pass scored exactly these weights.
        var last = log.rows().get(log.rows().size() - 1);
        System.out.printf(Locale.ROOT, "%s: test top-1 %.2f%% (%d images), train error %.2f%%, %.0f s%n",
                net.config.name(), 100 * (1 - last.testErr()), d.test.size(), 100 * last.trainErr(), end.elapsedS());
        System.out.println("weights: " + files.model() + (cfg.val() > 0 ? "  best (on validation): " + files.best() : ""));
        System.out.println("curves:  " + files.curves() + "  metrics: " + files.dir().resolve("metrics.csv"));
        return 0;
    }

    private static ResNet buildModel(TrainConfig cfg, int dataClasses) throws Exception {
        int k = cfg.numClasses() > 0 ? cfg.numClasses() : dataClasses;
        if (k != dataClasses) {
            throw new Errors.UsageException("--num-classes " + k + " but the data has " + dataClasses + " classes");
        }
        ModelConfig mc = ModelConfig.of(cfg.model());
        if (cfg.shortcut() != null) mc = mc.withShortcut(Shortcut.parse(cfg.shortcut()));
        mc = mc.withNumClasses(k).withSeed(cfg.seed()).withZeroInitResidual(cfg.zeroInitResidual());
        ResNet net = Models.create(mc);
        if (cfg.init() != null) {
            var f = org.jresnet.io.SafeTensors.read(cfg.init());
            var report = ModelFiles.loadInto(net, f, cfg.init(), false);
            boolean fcOnly = report.missing().stream().allMatch(m -> m.startsWith("fc."))
                    && report.mismatched().stream().allMatch(m -> m.startsWith("fc."));
            if (!report.unexpected().isEmpty() || !fcOnly) {
                throw new Errors.UsageException(cfg.init() + " does not fit " + cfg.model() + ": " + report.describe());
            }
            if (!report.mismatched().isEmpty() && cfg.numClasses() == 0) {
                throw new Errors.UsageException(cfg.init() + " has another number of classes than the data (" + k
                        + "); pass --num-classes " + k + " to re-initialise fc");
            }
        }
        return net;
    }

    /** CIFAR nets see the data's own size; ImageNet nets 224 unless the images are all one size. */
    private static int inputSize(ResNet net, Dataset train) {
        if (train.height() > 0 && train.height() == train.width()) return train.height();
        return net.config.cifar() ? 32 : 224;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** The run's data: training and test splits, the train/validation plan and the normalisation. */
    private record Data(Dataset train, Dataset test, EpochPlan plan, Normalization norm) {
        static Data open(TrainConfig cfg, boolean quiet) {
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

}
