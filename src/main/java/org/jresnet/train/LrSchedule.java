package org.jresnet.train;

import java.util.Arrays;
import java.util.Locale;

/**
 * Learning rate as a pure function of the global iteration {@code it} (counted from 0 over the
 * whole run, across resumes), so a resumed run picks up the exact same value.
 *
 * <ul>
 *   <li>{@code PAPER}: He et al. 4.2 — {@code lr}, divided by 10 at 32k and 48k of 64k iterations,
 *       i.e. at half and three quarters of the run, scaled to {@code total} iterations;</li>
 *   <li>{@code MULTISTEP}: multiplied by {@code gamma} at each epoch of {@code milestones} (as
 *       PyTorch's MultiStepLR);</li>
 *   <li>{@code COSINE}: {@code lr·0.5·(1+cos(π·it/total))}.</li>
 * </ul>
 * {@code warmup > 0} replaces the first {@code warmup} iterations by the linear ramp
 * {@code lr·(it+1)/warmup}. {@code warmupLr > 0} is the paper's ResNet-110 warm-up: that rate until
 * the running training error first falls below {@code warmupUntilError}, then the schedule.
 */
public record LrSchedule(Kind kind, double lr, long total, int itersPerEpoch, int[] milestones,
                         double gamma, int warmup, double warmupLr, double warmupUntilError) {

    public enum Kind { PAPER, MULTISTEP, COSINE;
        public static Kind parse(String s) {
            for (Kind k : values()) if (k.name().equalsIgnoreCase(s)) return k;
            throw new IllegalArgumentException("unknown schedule '" + s + "' (valid: paper, multistep, cosine)");
        }
    }

    /** The paper trains CIFAR nets for 64k iterations and divides the rate at 32k and 48k. */
    public static final long PAPER_ITERATIONS = 64_000;
    private static final double PAPER_FIRST_DROP = 32_000.0 / PAPER_ITERATIONS;
    private static final double PAPER_SECOND_DROP = 48_000.0 / PAPER_ITERATIONS;

    /** The schedule {@code s} describes (its values checked there) over a run of {@code total} iterations. */
    public LrSchedule(TrainConfig.Schedule s, long total, int itersPerEpoch) {
        this(s.kind(), s.lr(), total, itersPerEpoch, s.milestones(), s.gamma(), s.warmup(), s.warmupLr(),
                s.warmupUntilError());
    }

    public LrSchedule {
        // The settings are checked once, in TrainConfig.Schedule; here only what the run's length adds.
        if (total < 1) throw new IllegalArgumentException("the run must have at least one iteration");
        if (itersPerEpoch < 1) throw new IllegalArgumentException("an epoch must have at least one iteration");
        milestones = milestones == null ? new int[0] : milestones.clone();
    }

    /** The rate at iteration {@code it}; {@code warmupDone} says whether the error-based warm-up has ended. */
    public double at(long it, boolean warmupDone) {
        if (warmupLr > 0 && !warmupDone) return warmupLr;
        if (it < warmup) return lr * (it + 1) / warmup;
        return switch (kind) {
            case PAPER -> lr * Math.pow(0.1, (it >= PAPER_FIRST_DROP * total ? 1 : 0)
                    + (it >= PAPER_SECOND_DROP * total ? 1 : 0));
            case MULTISTEP -> {
                long epoch = it / itersPerEpoch;
                int passed = 0;
                for (int m : milestones) if (epoch >= m) passed++;
                yield lr * Math.pow(gamma, passed);
            }
            case COSINE -> lr * 0.5 * (1 + Math.cos(Math.PI * it / total));
        };
    }

    /** Whether the error-based warm-up is used at all. */
    public boolean hasErrorWarmup() { return warmupLr > 0; }

    @Override public boolean equals(Object o) {
        return o instanceof LrSchedule s && s.kind == kind && s.lr == lr && s.total == total
                && s.itersPerEpoch == itersPerEpoch && Arrays.equals(s.milestones, milestones)
                && s.gamma == gamma && s.warmup == warmup && s.warmupLr == warmupLr
                && s.warmupUntilError == warmupUntilError;
    }

    @Override public int hashCode() { return Arrays.hashCode(milestones) * 31 + kind.hashCode(); }

    @Override public int[] milestones() { return milestones.clone(); }

    @Override public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + "(lr=" + lr + ", total=" + total + ", warmup=" + warmup
                + (kind == Kind.MULTISTEP ? ", milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma : "")
                + (warmupLr > 0 ? ", warmup_lr=" + warmupLr + " until err<" + warmupUntilError : "") + ")";
    }
}
