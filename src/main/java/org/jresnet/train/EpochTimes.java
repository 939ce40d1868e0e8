package org.jresnet.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where an epoch's wall time went, in seconds: the span between the previous row's
 * {@code elapsed_s} stamp and this row's (what {@code bench/e2e} calls the epoch). The main
 * thread's phases are disjoint, so {@link #mainThreadS()} is at most the span; the rest of the span
 * is the loop's own bookkeeping. Because a row is written at the end of its test pass, the
 * metrics, curves and checkpoint written after it fall into the next row's span, and the last
 * epoch's into none. {@code augmentS} is measured in the prefetch thread, beside the step.
 * Rows written before these fields existed read as {@link #UNKNOWN} (all NaN).
 *
 * @param stepS       forward, backward and optimizer ({@link TrainStep#run})
 * @param dataWaitS   the loop blocked on the prefetcher for the next batch
 * @param augmentS    the prefetch thread building batches (decoding, cropping, flipping, normalising)
 * @param testS       the test pass, and the validation pass with {@code --val} (their decoding included)
 * @param checkpointS checkpoints and best weights written
 * @param logS        per-step progress, the metrics files, curves.png and the epoch line
 * @param stepParts   parts of {@code stepS} timed by the step's hooks ({@link TrainStep.StepParts}), in
 *                    seconds by metrics key: a data-parallel run's {@code compute_s}, {@code wait_s},
 *                    {@code allreduce_s}, ...; empty when no hook times anything
 */
public record EpochTimes(double stepS, double dataWaitS, double augmentS, double testS, double checkpointS,
                         double logS, Map<String, Double> stepParts) {
    public static final EpochTimes UNKNOWN = new EpochTimes(Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN);

    public EpochTimes {
        stepParts = stepParts == null || stepParts.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(stepParts));
    }

    /** Times without parts of the step. */
    public EpochTimes(double stepS, double dataWaitS, double augmentS, double testS, double checkpointS, double logS) {
        this(stepS, dataWaitS, augmentS, testS, checkpointS, logS, Map.of());
    }

    /** These times with the step's parts {@code parts} (seconds by metrics key). */
    public EpochTimes withStepParts(Map<String, Double> parts) {
        return new EpochTimes(stepS, dataWaitS, augmentS, testS, checkpointS, logS, parts);
    }

    /** The {@code metrics.jsonl} keys, in the order of the components. */
    static final String[] KEYS = {"step_s", "data_wait_s", "augment_s", "test_s", "checkpoint_s", "log_s"};

    static EpochTimes of(double[] s) { return new EpochTimes(s[0], s[1], s[2], s[3], s[4], s[5]); }

    double[] values() { return new double[] {stepS, dataWaitS, augmentS, testS, checkpointS, logS}; }

    /** The phases of the loop's own thread (all but augmentation), which never overlap. */
    public double mainThreadS() { return stepS + dataWaitS + testS + checkpointS + logS; }

    public boolean known() { return !Double.isNaN(stepS); }

    /**
     * For the epoch line: {@code span 35.0s: step 30.1 wait 0.2 test 3.1 ckpt 0.1 log 0.1 | augment 5.3},
     * then the step's parts when there are any ({@code | step: compute 28.0 wait 1.2 allreduce 0.6 ...}, keys
     * without their {@code _s}).
     */
    public String compact(double spanS) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "span %.1fs: step %.1f wait %.1f test %.1f ckpt %.1f log %.1f | augment %.1f",
                spanS, stepS, dataWaitS, testS, checkpointS, logS, augmentS));
        if (!stepParts.isEmpty()) {
            sb.append(" | step:");
            stepParts.forEach((k, v) -> sb.append(' ').append(k.endsWith("_s") ? k.substring(0, k.length() - 2) : k)
                    .append(String.format(Locale.ROOT, " %.1f", v)));
        }
        return sb.toString();
    }
}
