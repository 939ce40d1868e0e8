package org.jresnet.train;

import java.nio.file.Path;
import java.util.Arrays;
import org.jresnet.io.Normalization;

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
     */
    public record Model(String name, String shortcut, Path init, int numClasses, boolean freezeBackbone,
                        boolean zeroInitResidual) {
        public Model {
            if (numClasses < 0) throw new Invalid("numClasses", "must be >= 0, got " + numClasses);
            // Without --init the backbone is random: freezing it would train fc on noise features.
            if (freezeBackbone && init == null) throw new Invalid("freezeBackbone", "needs --init (the weights to keep)");
        }
    }

    /**
     * The images.
     *
     * @param path           CIFAR binary folder, ImageFolder folder or zip
     * @param val            training images held out for validation (the paper's 45k/5k split), 0 = none
     * @param normalization  per-channel mean and std, or null to compute them from the training split
     */
    public record Data(Path path, int val, Normalization normalization, boolean skipBad, Path cacheDir) {
        public Data {
            if (val < 0) throw new Invalid("val", "must be >= 0, got " + val);
        }
    }

    /** SGD's settings (the rate is the schedule's). */
    public record Optimizer(double momentum, double weightDecay, boolean nesterov) {
        public Optimizer {
            // Written so that NaN fails too: every comparison with NaN is false.
            if (!(momentum >= 0 && momentum < 1)) throw new Invalid("momentum", "must be in [0, 1), got " + momentum);
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new Invalid("weightDecay", "must be finite and >= 0, got " + weightDecay);
            }
            if (nesterov && momentum == 0) throw new Invalid("nesterov", "requires momentum > 0");
        }
    }

    /** The learning rate over the run ({@link LrSchedule} gives it per iteration). */
    public record Schedule(LrSchedule.Kind kind, double lr, int[] milestones, double gamma, int warmup,
                           double warmupLr, double warmupUntilError) {
        public Schedule {
            if (kind == null) throw new Invalid("schedule", "is missing");
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

        @Override public int[] milestones() { return milestones.clone(); }

        @Override public boolean equals(Object o) {
            return o instanceof Schedule s && s.kind == kind && s.lr == lr && Arrays.equals(s.milestones, milestones)
                    && s.gamma == gamma && s.warmup == warmup && s.warmupLr == warmupLr
                    && s.warmupUntilError == warmupUntilError;
        }

        @Override public int hashCode() { return kind.hashCode() * 31 + Double.hashCode(lr); }
    }

    /**
     * How the run proceeds and where it goes.
     *
     * @param microBatches  each batch as this many micro-batches, gradients accumulated (1 = whole batches)
     * @param ckptEvery     also checkpoint every this many iterations (0 = only at epoch ends)
     * @param threads       engine threads the run started with (a resume with others is not bit-identical)
     */
    public record Run(Path out, int epochs, int batch, int microBatches, long seed, int ckptEvery, int threads) {
        public Run {
            if (epochs < 1) throw new Invalid("epochs", "must be >= 1, got " + epochs);
            if (batch < 1) throw new Invalid("batch", "must be >= 1, got " + batch);
            if (microBatches < 1) throw new Invalid("microBatches", "must be >= 1, got " + microBatches);
            if (batch % microBatches != 0) {
                throw new Invalid("microBatches", "must divide the batch (" + batch + "), got " + microBatches);
            }
            if (ckptEvery < 0) throw new Invalid("ckptEvery", "must be >= 0, got " + ckptEvery);
            if (threads < 1) throw new Invalid("threads", "must be >= 1, got " + threads);
        }
    }

    public TrainConfig {
        if (model == null || data == null || optimizer == null || schedule == null || run == null) {
            throw new IllegalArgumentException("every part of a training config is required");
        }
    }
}
