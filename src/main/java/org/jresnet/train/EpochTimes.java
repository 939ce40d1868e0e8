package org.jresnet.train;

import java.util.Locale;

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
 */
public record EpochTimes(double stepS, double dataWaitS, double augmentS, double testS, double checkpointS,
                         double logS) {
    public static final EpochTimes UNKNOWN = new EpochTimes(Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN);

    /** The {@code metrics.jsonl} keys, in the order of the components. */
    static final String[] KEYS = {"step_s", "data_wait_s", "augment_s", "test_s", "checkpoint_s", "log_s"};

    static EpochTimes of(double[] s) { return new EpochTimes(s[0], s[1], s[2], s[3], s[4], s[5]); }

    double[] values() { return new double[] {stepS, dataWaitS, augmentS, testS, checkpointS, logS}; }

    /** The phases of the loop's own thread (all but augmentation), which never overlap. */
    public double mainThreadS() { return stepS + dataWaitS + testS + checkpointS + logS; }

    public boolean known() { return !Double.isNaN(stepS); }

    /** For the epoch line: {@code span 35.0s: step 30.1 wait 0.2 test 3.1 ckpt 0.1 log 0.1 | augment 5.3}. */
    public String compact(double spanS) {
        return String.format(Locale.ROOT, "span %.1fs: step %.1f wait %.1f test %.1f ckpt %.1f log %.1f | augment %.1f",
                spanS, stepS, dataWaitS, testS, checkpointS, logS, augmentS);
    }
}
