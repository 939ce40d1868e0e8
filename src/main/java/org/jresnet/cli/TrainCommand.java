package org.jresnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.io.Normalization;
import org.jresnet.models.Models;
import org.jresnet.engine.Engine;
import org.jresnet.train.LrSchedule;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.ResumeChange;
import org.jresnet.train.RunFiles;
import org.jresnet.train.RunLock;
import org.jresnet.train.RunState;
import org.jresnet.train.TrainConfig;
import org.jresnet.train.Trainer;
import org.jresnet.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a ResNet. With no options: ResNet-20 on the bundled CIFAR-10 sample (a few minutes).",
            "Stop with Ctrl-C: it checkpoints; continue with --resume DIR."},
        footer = {"", "Recipes (--recipe NAME: these options, each overridden by the same option given explicitly;"
            + " docs/recipes.md):", TrainRecipes.HELP_FAST, TrainRecipes.HELP_ONECYCLE, TrainRecipes.HELP_REFERENCE})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DecodeLimitsOptions limits;

    @Mixin TrainingOptions training;
    @Mixin EngineOptions engine;

    @Option(names = "--recipe", description = "fast, onecycle or reference: a named set of options (listed below); an option"
            + " given explicitly overrides the recipe's.") String recipe;
    @Option(names = "--model", description = "Network (see 'jresnet summary --help'); default resnet20.")
    String model = "resnet20";
    @Option(names = "--shortcut", description = "A, B or C (default: A for CIFAR nets, B for ImageNet nets).")
    String shortcut;
    @Option(names = "--out", description = "Run folder (default: runs/<model>).") Path out;
    @Option(names = "--epochs", description = "Epochs (default ${DEFAULT-VALUE}).") int epochs = 15;
    @Option(names = "--micro-batches", description = "Split each batch into N micro-batches and accumulate their"
            + " gradients (less memory, one update per batch; default ${DEFAULT-VALUE}).") int microBatches = 1;
    @Option(names = "--nesterov", negatable = true, description = "Nesterov momentum.") boolean nesterov;
    @Option(names = "--label-smoothing", description = "Train on targets (1-EPS)*onehot + EPS/classes (PyTorch's"
            + " CrossEntropyLoss(label_smoothing=EPS); default ${DEFAULT-VALUE}).", paramLabel = "EPS")
    double labelSmoothing;
    @Option(names = "--schedule", description = "paper, multistep, cosine or onecycle (default ${DEFAULT-VALUE}).")
    String schedule = "cosine";
    @Option(names = "--pct-start", description = "onecycle: share of the run spent rising to --lr (default ${DEFAULT-VALUE}).")
    double pctStart = TrainConfig.OneCycle.PYTORCH.pctStart();
    @Option(names = "--div-factor", description = "onecycle: starts at --lr / this (default ${DEFAULT-VALUE}).")
    double divFactor = TrainConfig.OneCycle.PYTORCH.divFactor();
    @Option(names = "--final-div-factor", description = "onecycle: ends at --lr / --div-factor / this (default ${DEFAULT-VALUE}).")
    double finalDivFactor = TrainConfig.OneCycle.PYTORCH.finalDivFactor();
    @Option(names = "--anneal-strategy", description = "onecycle: cos or linear, each phase's shape (default ${DEFAULT-VALUE}).")
    String annealStrategy = TrainConfig.OneCycle.PYTORCH.annealStrategy();
    @Option(names = "--milestones", split = ",", description = "Epochs where multistep multiplies the rate by --gamma.")
    int[] milestones = {};
    @Option(names = "--gamma", description = "multistep factor (default ${DEFAULT-VALUE}).") double gamma = 0.1;
    @Option(names = "--warmup", description = "Linear warm-up iterations (default 200; onecycle has its own: 0).")
    Integer warmup;
    @Option(names = "--warmup-lr", description = "Constant warm-up rate until --warmup-until-error (paper's ResNet-110: 0.01).")
    double warmupLr;
    @Option(names = "--warmup-until-error", description = "Training error below which --warmup-lr ends (default ${DEFAULT-VALUE}).")
    double warmupUntilError = 0.8;
    @Option(names = "--val", description = "Hold out N training images for validation (best.safetensors).") int val;
    @Option(names = "--resume", description = {"Continue the run in this folder exactly where it stopped.",
        "Only --lr and --epochs may change it, from the current iteration on (recorded in metrics.jsonl;"
            + " the run is then no longer bit-identical to an uninterrupted one)."}) Path resume;
    @Option(names = "--init", description = "Start from these weights (safetensors, or a PyTorch checkpoint .pth/.pt/.th).") Path init;
    @Option(names = "--variant", description = "Where a bottleneck (resnet50/101/152) strides: v1.5, on the 3x3"
            + " (torchvision; default), or v1, on the first 1x1 (the paper). With --init: of a file without jresnet"
            + " metadata (its weights cannot tell); a jresnet file's own is kept.") String variant;
    @Option(names = "--num-classes", description = "Classes of the classifier; re-initialises fc when it differs from --init's.")
    int numClasses;
    @Option(names = "--freeze-backbone", description = "Train only fc (BN statistics frozen too).") boolean freezeBackbone;
    @Option(names = "--zero-init-residual", negatable = true,
            description = "Start each residual branch's last BN gamma at 0 (torchvision's zero_init_residual).")
    boolean zeroInitResidual;
    @Option(names = "--tta-flip", negatable = true, description = "Test passes score the mean logits of each image"
            + " and its mirror image (twice the test pass's time).") boolean ttaFlip;
    @Option(names = "--tta-translate", negatable = true, description = "Test passes also score each image (and, with"
            + " --tta-flip, its mirror) shifted one pixel down-right and one up-left (three times the views).")
    boolean ttaTranslate;
    @Option(names = "--crop-epochs", description = "Train the first N epochs on random --crop-size crops, smaller than"
            + " the images and so cheaper, then on full-size ones (default ${DEFAULT-VALUE}: none).")
    int cropEpochs;
    @Option(names = "--crop-size", description = "Side of the crops of --crop-epochs (default 24 for 32x32 images).")
    Integer cropSize;
    @Option(names = "--test-every", description = "Test pass after every N epochs and after the last (default ${DEFAULT-VALUE}).")
    int testEvery = 1;
    @Option(names = "--mean", split = ",", description = "Per-channel mean (R,G,B in [0,1]); default: of the training split.")
    double[] mean;
    @Option(names = "--std", split = ",", description = "Per-channel std (R,G,B); default: of the training split.") double[] std;
    @Option(names = "--skip-bad", description = "Skip and count corrupt images instead of failing.") boolean skipBad;
    /** Slows each step down so that tests can interrupt a run mid-epoch; not for users. */
    @Option(names = "--step-delay-ms", hidden = true) int stepDelayMs;

    /** Options that define the run and therefore may not change on --resume (--lr and --epochs may: ResumeChange). */
    static final List<String> RUN_OPTIONS = List.of("--recipe", "--model", "--shortcut", "--data", "--batch",
            "--micro-batches", "--momentum", "--weight-decay", "--nesterov", "--label-smoothing", "--schedule",
            "--pct-start", "--div-factor", "--final-div-factor", "--anneal-strategy", "--milestones", "--gamma",
            "--warmup", "--warmup-lr", "--warmup-until-error", "--seed", "--val", "--init", "--variant", "--num-classes",
            "--freeze-backbone", "--zero-init-residual", "--tta-flip", "--tta-translate", "--crop-epochs", "--crop-size", "--test-every", "--mean", "--std", "--out",
            "--ckpt-every");

    @Override public Integer call() throws Exception {
        ProgressReporter progress = training.progress();
        return resume != null ? resumeRun(progress) : newRun(progress);
    }

    private int newRun(ProgressReporter progress) throws Exception {
        TrainRecipes.apply(recipe, spec);
        Models.arch(model);  // unknown names fail before any data is read
        Path outDir = out != null ? out : Paths.get("runs", model);
        TrainConfig cfg = config(training.dataOrSample(), outDir);   // every value checked before a folder is made
        checkScheduleOptions(cfg);
        if (init != null && variant == null && org.jresnet.models.ModelConfig.of(model).bottleneck()
                && !org.jresnet.io.ModelMetadata.isJresnet(initMetadata())) {
            progress.message("note: " + model + ": --init's stride on the 3x3 (torchvision's v1.5) assumed: the weights"
                    + " cannot tell; --variant v1 if it is on the first 1x1 (the paper's)");
        }
        if (init != null && mean == null) {
            progress.message("normalising the images as --init's weights expect (" + cfg.data().normalization()
                    + "); --mean and --std set others");
        }
        boolean made = !Files.exists(outDir);
        RunFiles.checkWritable(outDir);
        RunLock lock = RunLock.acquire(outDir);
        try {
            TrainingRun.checkNewRunFolder(outDir);
            TrainingRun.Data d = TrainingRun.Data.open(cfg, training.quiet, limits.limits());
            return finish(TrainingRun.start(cfg, d, progress, stepDelay()));
        } finally {
            // A command that failed before writing anything leaves no empty run folder behind.
            if (made) lock.closeAndRemoveIfEmpty();
            else lock.close();
        }
    }

    /**
     * The run the options describe; a {@code --recipe} must have been applied ({@link TrainRecipes#apply}).
     * Reads {@code --init}'s metadata when it sets the normalisation.
     */
    TrainConfig config(Path dataPath, Path outDir) throws IOException {
        TrainingOptions t = training;
        LrSchedule.Kind kind = LrSchedule.Kind.parse(schedule);
        boolean oneCycle = kind == LrSchedule.Kind.ONECYCLE;
        if (!oneCycle) {
            var parsed = spec.commandLine().getParseResult();
            for (String o : ONE_CYCLE_OPTIONS) {
                if (parsed != null && parsed.hasMatchedOption(o)) {
                    throw new Errors.UsageException(o + " applies only to --schedule onecycle");
                }
            }
        }
        return new TrainConfig(
                new TrainConfig.Model(model, shortcut, init == null ? null : init.toAbsolutePath(), numClasses,
                        freezeBackbone, zeroInitResidual, variant),
                new TrainConfig.Data(dataPath.toAbsolutePath(), val, normalization(model), skipBad, t.cacheDir, ttaFlip,
                        ttaTranslate, cropEpochs, cropSize()),
                new TrainConfig.Optimizer(t.momentum, t.weightDecay, nesterov, labelSmoothing),
                new TrainConfig.Schedule(kind, t.lr, milestones, gamma, warmup != null ? warmup : oneCycle ? 0 : DEFAULT_WARMUP,
                        warmupLr, warmupUntilError, oneCycle ? new TrainConfig.OneCycle(pctStart, divFactor, finalDivFactor,
                        TrainConfig.OneCycle.parseLinear(annealStrategy)) : null),
                new TrainConfig.Run(outDir.toAbsolutePath(), epochs, t.batch, microBatches, t.seed, t.ckptEvery,
                        Engine.current().threads(), testEvery));
    }

    /** --crop-size, else the default with crop epochs and 0 without (a --crop-size without them is TrainConfig's to refuse). */
    private int cropSize() {
        if (cropSize != null) return cropSize;
        return cropEpochs > 0 ? DEFAULT_CROP_SIZE : 0;
    }

    /** Side of the smaller training crops: (24/32)^2, 56% of a full-size epoch's work on CIFAR. */
    static final int DEFAULT_CROP_SIZE = 24;

    /** Linear warm-up iterations of the schedules without one of their own. */
    static final int DEFAULT_WARMUP = 200;
    private static final List<String> ONE_CYCLE_OPTIONS = List.of("--pct-start", "--div-factor", "--final-div-factor",
            "--anneal-strategy");

    /**
     * --mean and --std; else --init's (the weights expect their images normalised as they were
     * trained); else null, to compute them from the training split. Stored with the run, so a
     * resume needs no --init file.
     */
    private Normalization normalization(String model) throws IOException {
        if ((mean == null) != (std == null)) throw new Errors.UsageException("give --mean and --std together");
        if (mean != null) {
            checkNormalization(mean, std);
            return new Normalization(mean, std);
        }
        return init == null ? null : TrainingRun.initNormalization(initMetadata(), init, model);
    }

    private java.util.Map<String, String> initMetadata;

    /** --init's metadata (its header only), read once: the normalisation and the variant note both look at it. */
    private java.util.Map<String, String> initMetadata() throws IOException {
        if (initMetadata == null) initMetadata = org.jresnet.io.WeightFiles.readMetadata(init);
        return initMetadata;
    }

    /** --mean and --std as train, eval and predict take them: three finite values each, std > 0. */
    static void checkNormalization(double[] mean, double[] std) {
        if (mean.length != 3 || std.length != 3) throw new Errors.UsageException("--mean and --std take three values (R,G,B)");
        for (double m : mean) {
            if (!Double.isFinite(m)) throw new Errors.UsageException("--mean values must be finite numbers, got " + m);
        }
        for (double s : std) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new Errors.UsageException("--std values must be finite and > 0, got " + s);
            }
        }
    }

    /** Options of one schedule given with another would be silently ignored: refuse them. */
    private void checkScheduleOptions(TrainConfig cfg) {
        var parsed = spec.commandLine().getParseResult();
        if (cfg.schedule().kind() != LrSchedule.Kind.MULTISTEP && parsed.hasMatchedOption("--gamma")) {
            throw new Errors.UsageException("--gamma applies only to --schedule multistep");
        }
        if (cfg.schedule().warmupLr() == 0 && parsed.hasMatchedOption("--warmup-until-error")) {
            throw new Errors.UsageException("--warmup-until-error applies only with --warmup-lr");
        }
        // a multistep schedule whose steps never come is a constant rate the user did not ask for
        int[] ms = cfg.schedule().milestones();
        if (cfg.schedule().kind() == LrSchedule.Kind.MULTISTEP && ms.length == 0) {
            throw new Errors.UsageException("--schedule multistep needs --milestones (the epochs after which the rate"
                    + " is multiplied by --gamma), e.g. --milestones 100,150");
        }
    }

    private int resumeRun(ProgressReporter progress) throws Exception {
        var parsed = spec.commandLine().getParseResult();
        for (String o : RUN_OPTIONS) {
            if (parsed.hasMatchedOption(o)) {
                throw new Errors.UsageException(o + " cannot be combined with --resume: the run keeps its own settings"
                        + " (only --lr and --epochs may change)");
            }
        }
        ResumeChange change = new ResumeChange(parsed.hasMatchedOption("--lr") ? training.lr : null,
                parsed.hasMatchedOption("--epochs") ? epochs : null);
        RunLock.requireFree(resume);   // a run still before its first checkpoint is "in use", not "nothing to resume"
        RunFiles.requireCheckpoint(resume);
        try (RunLock lock = RunLock.acquire(resume)) {
            RunFiles.Resumed stored = RunFiles.readCheckpoint(resume);
            RunFiles.Resumed r = change.applyTo(stored);
            TrainConfig cfg = r.config();
            if (cfg.run().threads() != Engine.current().threads()) {
                System.err.printf(Locale.ROOT, "note: the run started with %d threads, this process has %d; the result will"
                        + " not be bit-identical to an uninterrupted run%n", cfg.run().threads(), Engine.current().threads());
            }
            int workers = RunFiles.workers(stored);
            if (workers > 1) {
                // e.g. a Spark run's checkpoint: its micro-batches are the run's, so this is the same run
                System.err.printf(Locale.ROOT, "note: %d data-parallel workers wrote this checkpoint; one process continues"
                        + " the run with --micro-batches %d, equal within float summation, not bit for bit%n", workers,
                        cfg.run().microBatches());
            }
            if (TrainingRun.isComplete(r)) {
                if (change.changes(stored.config())) {
                    throw new Errors.UsageException("the run in " + resume + " is complete (" + cfg.run().epochs()
                            + " epochs): --lr changes nothing unless --epochs makes it longer");
                }
                System.err.println("the run in " + resume + " is already complete (" + cfg.run().epochs() + " epochs)");
                return 0;
            }
            TrainingRun.Data d = TrainingRun.Data.open(cfg, training.quiet, limits.limits());
            return finish(TrainingRun.resume(resume, stored, change, d, progress, stepDelay()));
        }
    }

    private Trainer.Listener stepDelay() {
        return stepDelayMs <= 0 ? null : new Trainer.Listener() {
            @Override public void stepDone(RunState s) {
                try {
                    Thread.sleep(stepDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private static int finish(TrainingRun.Outcome o) {
        if (!o.complete()) {   // stopped by a signal, checkpoint written
            System.err.println("jresnet: resume with: jresnet train --resume " + o.files().dir());
            return 130;
        }
        // The last epoch's test pass scored exactly these weights.
        var rows = o.log().rows();
        var last = rows.get(rows.size() - 1);
        System.out.printf(Locale.ROOT, "%s: test top-1 %.2f%% (%d images), train error %.2f%%, %.0f s%n",
                o.model().config.name(), 100 * (1 - last.testErr()), o.data().test().size(), 100 * last.trainErr(),
                o.end().elapsedS());
        RunFiles files = o.files();
        boolean val = o.data().plan().val().length > 0;
        System.out.println("weights: " + files.model() + (val ? "  best (on validation): " + files.best() : ""));
        System.out.println("curves:  " + files.curves() + "  metrics: " + files.dir().resolve("metrics.csv"));
        return 0;
    }
}
