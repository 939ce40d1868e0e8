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
 *   <li>{@code COSINE}: {@code lr·0.5·(1+cos(π·it/total))};</li>
 *   <li>{@code ONECYCLE}: PyTorch's {@code OneCycleLR(max_lr=lr, total_steps=total, pct_start,
 *       div_factor, final_div_factor, anneal_strategy, cycle_momentum=False)} (Smith and Topin 2017),
 *       the rate of PyTorch's step {@code it}: from {@code lr/divFactor} at iteration 0 up to {@code lr}
 *       at iteration {@code pctStart·total - 1}, then down to {@code lr/(divFactor·finalDivFactor)} at
 *       iteration {@code total - 1}, each phase along a half cosine (or a line). Momentum is not cycled.
 *       Where PyTorch divides by zero ({@code pctStart·total = 1}) the first phase is empty here.</li>
 * </ul>
 * {@code warmup > 0} replaces the first {@code warmup} iterations by the linear ramp
 * {@code lr·(it+1)/warmup}. {@code warmupLr > 0} is the paper's ResNet-110 warm-up: that rate until
 * the running training error first falls below {@code warmupUntilError}, then the schedule.
 */
public record LrSchedule(Kind kind, double lr, long total, int itersPerEpoch, int[] milestones,
                         double gamma, int warmup, double warmupLr, double warmupUntilError,
                         TrainConfig.OneCycle oneCycle) {

    public enum Kind { PAPER, MULTISTEP, COSINE, ONECYCLE;
        public static Kind parse(String s) {
            for (Kind k : values()) if (k.name().equalsIgnoreCase(s)) return k;
            throw new IllegalArgumentException("unknown schedule '" + s + "' (valid: paper, multistep, cosine, onecycle)");
        }
    }

    /** The paper trains CIFAR nets for 64k iterations and divides the rate at 32k and 48k. */
    public static final long PAPER_ITERATIONS = 64_000;
    private static final double PAPER_FIRST_DROP = 32_000.0 / PAPER_ITERATIONS;
    private static final double PAPER_SECOND_DROP = 48_000.0 / PAPER_ITERATIONS;

    /** The schedule {@code s} describes (its values checked there) over a run of {@code total} iterations. */
    public LrSchedule(TrainConfig.Schedule s, long total, int itersPerEpoch) {
        this(s.kind(), s.lr(), total, itersPerEpoch, s.milestones(), s.gamma(), s.warmup(), s.warmupLr(),
                s.warmupUntilError(), s.oneCycle());
    }

    /** A schedule of any kind but onecycle, or onecycle with PyTorch's default shape. */
    public LrSchedule(Kind kind, double lr, long total, int itersPerEpoch, int[] milestones, double gamma, int warmup,
                      double warmupLr, double warmupUntilError) {
        this(kind, lr, total, itersPerEpoch, milestones, gamma, warmup, warmupLr, warmupUntilError, null);
    }

    public LrSchedule {
        // The settings are checked once, in TrainConfig.Schedule; here only what the run's length adds.
        if (total < 1) throw new IllegalArgumentException("the run must have at least one iteration");
        if (itersPerEpoch < 1) throw new IllegalArgumentException("an epoch must have at least one iteration");
        milestones = milestones == null ? new int[0] : milestones.clone();
        if (kind == Kind.ONECYCLE && oneCycle == null) oneCycle = TrainConfig.OneCycle.PYTORCH;
    }

    /**
     * Parts of the schedule the run never reaches, as PyTorch's schedulers take them silently: a
     * milestone at or after the last epoch, a linear warm-up as long as the run. Empty when none.
     */
    public java.util.List<String> unreached() {
        java.util.List<String> out = new java.util.ArrayList<>();
        long epochs = total / itersPerEpoch;
        if (kind == Kind.MULTISTEP) {
            java.util.StringJoiner late = new java.util.StringJoiner(", ");
            for (int m : milestones) if (m >= epochs) late.add(Integer.toString(m));
            if (late.length() > 0) {
                out.add("milestone epochs " + late + " come after the run's last epoch (" + epochs
                        + "): the rate does not drop there");
            }
        }
        if (warmup >= total) {
            out.add("the warm-up of " + warmup + " iterations lasts the whole run (" + total
                    + " iterations): the rate never reaches " + lr);
        }
        return out;
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
            case ONECYCLE -> oneCycle(it);
        };
    }

    /** torch.optim.lr_scheduler.OneCycleLR.get_lr (two phases) at step {@code it}, in its own arithmetic. */
    private double oneCycle(long it) {
        TrainConfig.OneCycle c = oneCycle;
        double initial = lr / c.divFactor(), min = initial / c.finalDivFactor();
        double upEnd = c.pctStart() * total - 1, downEnd = total - 1;
        // upEnd = 0 would be PyTorch's 0/0 at step 0; that step belongs to the second phase here.
        if (it <= upEnd && upEnd > 0) return anneal(initial, lr, it / upEnd, c.linear());
        return anneal(lr, min, (it - upEnd) / (downEnd - upEnd), c.linear());   // pctStart < 1: downEnd > upEnd
    }

    private static double anneal(double from, double to, double pct, boolean linear) {
        return linear ? (to - from) * pct + from : to + (from - to) / 2.0 * (Math.cos(Math.PI * pct) + 1);
    }

    /** Whether the error-based warm-up is used at all. */
    public boolean hasErrorWarmup() { return warmupLr > 0; }

    @Override public boolean equals(Object o) {
        return o instanceof LrSchedule s && s.kind == kind && s.lr == lr && s.total == total
                && s.itersPerEpoch == itersPerEpoch && Arrays.equals(s.milestones, milestones)
                && s.gamma == gamma && s.warmup == warmup && s.warmupLr == warmupLr
                && s.warmupUntilError == warmupUntilError && java.util.Objects.equals(s.oneCycle, oneCycle);
    }

    @Override public int hashCode() { return Arrays.hashCode(milestones) * 31 + kind.hashCode(); }

    @Override public int[] milestones() { return milestones.clone(); }

    @Override public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + "(lr=" + lr + ", total=" + total + ", warmup=" + warmup
                + (kind == Kind.MULTISTEP ? ", milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma : "")
                + (warmupLr > 0 ? ", warmup_lr=" + warmupLr + " until err<" + warmupUntilError : "")
                + (kind == Kind.ONECYCLE ? ", pct_start=" + oneCycle.pctStart() + ", div_factor=" + oneCycle.divFactor()
                        + ", final_div_factor=" + oneCycle.finalDivFactor() + ", anneal=" + oneCycle.annealStrategy() : "")
                + ")";
    }
}
