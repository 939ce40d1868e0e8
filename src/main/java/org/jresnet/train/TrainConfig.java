package org.jresnet.train;

import java.nio.file.Path;
import java.util.Arrays;
import org.jresnet.engine.EngineConfig;
import org.jresnet.io.Normalization;
import org.jresnet.models.ModelConfig;

/**
 * Everything that defines a training run, in five parts. It is stored in the checkpoint
 * ({@link StoredTrainConfig}), so {@code --resume DIR} needs nothing else and a resumed run cannot
 * silently differ from the original. Each part checks its own values, here and nowhere else; a bad
 * value throws {@link Invalid} naming the field, which the CLI turns into its flag.
 */
public record TrainConfig(Model model, Data data, Optimizer optimizer, Schedule schedule, Run run) {

    /** A field with a value it cannot have: {@code field} is the record component's name. */
    public static final class Invalid extends IllegalArgumentException {
        private final String field, problem;

        public Invalid(String field, String problem) {
            super(field + " " + problem);
            this.field = field;
            this.problem = problem;
        }

        public String field() { return field; }
        /** The message without the field's name, e.g. "must be >= 1, got 0". */
        public String problem() { return problem; }
    }

    /**
     * The network and where its weights start.
     *
     * @param shortcut    A, B or C, or null for the model's default
     * @param init        weights to start from (fine-tuning), or null
     * @param numClasses  classes of the classifier; 0 = as many as the dataset has
     * @param variant     where a bottleneck strides: "v1.5" (on the 3x3, torchvision) or "v1" (on the
     *                    first 1x1, the paper); null for the init file's, else v1.5
     */
    public record Model(String name, String shortcut, Path init, int numClasses, boolean freezeBackbone,
                        boolean zeroInitResidual, String variant) {
        public Model {
            if (numClasses < 0) throw new Invalid("numClasses", "must be >= 0, got " + numClasses);
            // Without --init the backbone is random: freezing it would train fc on noise features.
            if (freezeBackbone && init == null) throw new Invalid("freezeBackbone", "needs --init (the weights to keep)");
            if (variant != null) {
                boolean strideOn3x3;
                try {
                    strideOn3x3 = ModelConfig.parseVariant(variant);
                } catch (IllegalArgumentException e) {
                    throw new Invalid("variant", "must be v1.5 or v1, got '" + variant + "'");
                }
                variant = ModelConfig.variantName(strideOn3x3);
                // a v1 basic-block net would be recorded as one and be the same network as v1.5
                if (!strideOn3x3 && !ModelConfig.of(name).bottleneck()) {
                    throw new Invalid("variant", "v1 places a bottleneck's stride; " + name
                            + " has basic blocks, where v1 and v1.5 are the same network");
                }
            }
        }

        /** Of the init file's variant (v1.5 without one). */
        public Model(String name, String shortcut, Path init, int numClasses, boolean freezeBackbone,
                     boolean zeroInitResidual) {
            this(name, shortcut, init, numClasses, freezeBackbone, zeroInitResidual, null);
        }
    }

    /**
     * The images.
     *
     * @param path           CIFAR binary folder, ImageFolder folder or zip
     * @param val            training images held out for validation (the paper's 45k/5k split), 0 = none
     * @param normalization  per-channel mean and std, or null to compute them from the training split
     * @param ttaFlip        test (and validation) passes score the mean of the logits of each image and of
     *                       its horizontal mirror, instead of the image's alone
     * @param ttaTranslate   test (and validation) passes also score each of those views shifted by one
     *                       pixel down-right and up-left ({@link TestViews})
     * @param cropEpochs     the first this many epochs train on {@code cropSize x cropSize} random crops
     *                       instead of crops of the image's size ({@code org.jresnet.data.CropSchedule}); 0 = none
     * @param cropSize       their side; only with {@code cropEpochs > 0} (0 otherwise), smaller than the image
     */
    public record Data(Path path, int val, Normalization normalization, boolean skipBad, Path cacheDir,
                       boolean ttaFlip, boolean ttaTranslate, int cropEpochs, int cropSize) {
        public Data {
            if (val < 0) throw new Invalid("val", "must be >= 0, got " + val);
            if (cropEpochs < 0) throw new Invalid("cropEpochs", "must be >= 0, got " + cropEpochs);
            if (cropEpochs > 0 && cropSize < 1) throw new Invalid("cropSize", "must be >= 1, got " + cropSize);
            if (cropEpochs == 0 && cropSize != 0) {
                throw new Invalid("cropSize", "applies only with cropEpochs > 0 (the epochs of the smaller crops)");
            }
        }

        /** Without smaller training crops. */
        public Data(Path path, int val, Normalization normalization, boolean skipBad, Path cacheDir,
                    boolean ttaFlip, boolean ttaTranslate) {
            this(path, val, normalization, skipBad, cacheDir, ttaFlip, ttaTranslate, 0, 0);
        }

        /** Without test-time augmentation. */
        public Data(Path path, int val, Normalization normalization, boolean skipBad, Path cacheDir) {
            this(path, val, normalization, skipBad, cacheDir, false, false);
        }

        /** The same data read from {@code other} (a copy elsewhere); every other field kept. */
        public Data withPath(Path other) {
            return new Data(other, val, normalization, skipBad, cacheDir, ttaFlip, ttaTranslate, cropEpochs, cropSize);
        }

        /** The views test and validation passes average. */
        public TestViews testViews() { return new TestViews(ttaFlip, ttaTranslate); }
    }

    /**
     * What SGD minimises and how (the rate is the schedule's).
     *
     * @param labelSmoothing  ε of the training loss's target (1-ε)·onehot + ε/K (PyTorch's
     *                        {@code CrossEntropyLoss(label_smoothing=ε)}); test and validation losses are plain
     */
    public record Optimizer(double momentum, double weightDecay, boolean nesterov, double labelSmoothing) {
        public Optimizer {
            // Written so that NaN fails too: every comparison with NaN is false.
            if (!(momentum >= 0 && momentum < 1)) throw new Invalid("momentum", "must be in [0, 1), got " + momentum);
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new Invalid("weightDecay", "must be finite and >= 0, got " + weightDecay);
            }
            if (nesterov && momentum == 0) throw new Invalid("nesterov", "requires momentum > 0");
            if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
                throw new Invalid("labelSmoothing", "must be in [0, 1), got " + labelSmoothing);
            }
        }

        /** The plain cross-entropy (no label smoothing). */
        public Optimizer(double momentum, double weightDecay, boolean nesterov) {
            this(momentum, weightDecay, nesterov, 0);
        }
    }

    /**
     * The one-cycle schedule's shape (PyTorch's {@code OneCycleLR} arguments of the same names):
     * from {@code lr/divFactor} up to {@code lr} over the first {@code pctStart} of the run, then down to
     * {@code lr/(divFactor·finalDivFactor)} at its last iteration, along a half cosine or a line.
     */
    public record OneCycle(double pctStart, double divFactor, double finalDivFactor, boolean linear) {
        /** PyTorch's defaults: pct_start 0.3, div_factor 25, final_div_factor 1e4, anneal_strategy 'cos'. */
        public static final OneCycle PYTORCH = new OneCycle(0.3, 25, 1e4, false);

        public OneCycle {
            if (!(pctStart > 0 && pctStart < 1)) throw new Invalid("pctStart", "must be in (0, 1), got " + pctStart);
            if (!(divFactor >= 1) || Double.isInfinite(divFactor)) {
                throw new Invalid("divFactor", "must be finite and >= 1, got " + divFactor);
            }
            if (!(finalDivFactor >= 1) || Double.isInfinite(finalDivFactor)) {
                throw new Invalid("finalDivFactor", "must be finite and >= 1, got " + finalDivFactor);
            }
        }

        /** PyTorch's name of the annealing shape. */
        public String annealStrategy() { return linear ? "linear" : "cos"; }

        /** {@code cos} or {@code linear}, PyTorch's {@code anneal_strategy}. */
        public static boolean parseLinear(String strategy) {
            if ("cos".equals(strategy)) return false;
            if ("linear".equals(strategy)) return true;
            throw new Invalid("annealStrategy", "must be cos or linear, got '" + strategy + "'");
        }
    }

    /**
     * The learning rate over the run ({@link LrSchedule} gives it per iteration).
     *
     * @param oneCycle  the one-cycle shape; only with {@link LrSchedule.Kind#ONECYCLE} (null there means
     *                  {@link OneCycle#PYTORCH}), null with every other kind
     */
    public record Schedule(LrSchedule.Kind kind, double lr, int[] milestones, double gamma, int warmup,
                           double warmupLr, double warmupUntilError, OneCycle oneCycle) {
        public Schedule {
            if (kind == null) throw new Invalid("schedule", "is missing");
            if (kind == LrSchedule.Kind.ONECYCLE) {
                if (oneCycle == null) oneCycle = OneCycle.PYTORCH;
                // One-cycle has its own warm-up (its first pctStart of the run); a second one would be silently stacked.
                if (warmup != 0) throw new Invalid("warmup", "does not apply to onecycle (its warm-up is --pct-start), got " + warmup);
                if (warmupLr != 0) throw new Invalid("warmupLr", "does not apply to onecycle, got " + warmupLr);
            } else if (oneCycle != null) {
                throw new Invalid("pctStart", "and the other one-cycle settings apply only to the onecycle schedule, not to "
                        + kind.name().toLowerCase(java.util.Locale.ROOT));
            }
            if (!(lr > 0) || Double.isInfinite(lr)) throw new Invalid("lr", "must be positive, got " + lr);
            if (warmup < 0) throw new Invalid("warmup", "must be >= 0, got " + warmup);
            if (!(warmupLr >= 0) || Double.isInfinite(warmupLr)) {
                throw new Invalid("warmupLr", "must be finite and >= 0, got " + warmupLr);
            }
            if (Double.isNaN(warmupUntilError)) throw new Invalid("warmupUntilError", "must be a number, got NaN");
            milestones = milestones == null ? new int[0] : milestones.clone();
            for (int i = 0; i < milestones.length; i++) {
                if (milestones[i] < 0 || (i > 0 && milestones[i] <= milestones[i - 1])) {
                    throw new Invalid("milestones", "must be increasing epochs >= 0, got " + Arrays.toString(milestones));
                }
            }
            if (kind == LrSchedule.Kind.MULTISTEP && (!(gamma > 0) || Double.isInfinite(gamma))) {
                throw new Invalid("gamma", "must be finite and positive, got " + gamma);
            }
            if (kind != LrSchedule.Kind.MULTISTEP && milestones.length > 0) {
                throw new Invalid("milestones", "apply only to the multistep schedule, not to "
                        + kind.name().toLowerCase(java.util.Locale.ROOT));
            }
        }

        /** A schedule of any kind but onecycle, or onecycle with PyTorch's shape. */
        public Schedule(LrSchedule.Kind kind, double lr, int[] milestones, double gamma, int warmup, double warmupLr,
                        double warmupUntilError) {
            this(kind, lr, milestones, gamma, warmup, warmupLr, warmupUntilError, null);
        }

        /** The same schedule with base (or peak) rate {@code newLr}. */
        public Schedule withLr(double newLr) {
            return new Schedule(kind, newLr, milestones, gamma, warmup, warmupLr, warmupUntilError, oneCycle);
        }

        @Override public int[] milestones() { return milestones.clone(); }

        @Override public boolean equals(Object o) {
            return o instanceof Schedule s && s.kind == kind && s.lr == lr && Arrays.equals(s.milestones, milestones)
                    && s.gamma == gamma && s.warmup == warmup && s.warmupLr == warmupLr
                    && s.warmupUntilError == warmupUntilError && java.util.Objects.equals(s.oneCycle, oneCycle);
        }

        @Override public int hashCode() { return kind.hashCode() * 31 + Double.hashCode(lr); }
    }

    /**
     * How the run proceeds and where it goes.
     *
     * @param microBatches  each batch as this many micro-batches, gradients accumulated (1 = whole batches)
     * @param ckptEvery     also checkpoint every this many iterations (0 = only at epoch ends)
     * @param threads       engine threads the run started with (a resume with others is not bit-identical)
     * @param testEvery     test (and validation) pass after every this many epochs and after the last
     *                      (1 = every epoch; the rows of the epochs between have no test figures)
     */
    public record Run(Path out, int epochs, int batch, int microBatches, long seed, int ckptEvery, int threads,
                      int testEvery) {
        /** A test pass after every epoch. */
        public Run(Path out, int epochs, int batch, int microBatches, long seed, int ckptEvery, int threads) {
            this(out, epochs, batch, microBatches, seed, ckptEvery, threads, 1);
        }

        /** Whether epoch {@code epoch} (from 1) ends with a test pass. */
        public boolean testsAfter(int epoch) { return epoch % testEvery == 0 || epoch >= epochs; }

        /** The same run with {@code newEpochs} epochs. */
        public Run withEpochs(int newEpochs) {
            return new Run(out, newEpochs, batch, microBatches, seed, ckptEvery, threads, testEvery);
        }

        public Run {
            if (testEvery < 1) throw new Invalid("testEvery", "must be >= 1, got " + testEvery);
            if (epochs < 1) throw new Invalid("epochs", "must be >= 1, got " + epochs);
            if (batch < 1) throw new Invalid("batch", "must be >= 1, got " + batch);
            if (microBatches < 1) throw new Invalid("microBatches", "must be >= 1, got " + microBatches);
            if (batch % microBatches != 0) {
                throw new Invalid("microBatches", "must divide the batch (" + batch + "), got " + microBatches);
            }
            if (ckptEvery < 0) throw new Invalid("ckptEvery", "must be >= 0, got " + ckptEvery);
            if (!EngineConfig.validThreads(threads)) {
                throw new Invalid("threads", "must be " + EngineConfig.THREADS_RANGE + ", got " + threads);
            }
        }
    }

    public TrainConfig {
        if (model == null || data == null || optimizer == null || schedule == null || run == null) {
            throw new IllegalArgumentException("every part of a training config is required");
        }
    }
}
