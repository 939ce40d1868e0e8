package org.jresnet.train;

/**
 * Adds up the {@link Phase}s of the trainer's current span in nanoseconds: {@link System#nanoTime}
 * differences into a fixed array, nothing allocated per step. {@link #take} closes the span.
 */
final class EpochTimer {
    /** The phases of {@link EpochTimes}, in its component order. */
    enum Phase { STEP, DATA_WAIT, AUGMENT, TEST, CHECKPOINT, LOG }

    private static final Phase[] PHASES = Phase.values();
    private final long[] nanos = new long[PHASES.length];

    /** Adds the time from {@code startNanos} to now to {@code p}; returns now, the next phase's start. */
    long since(Phase p, long startNanos) {
        long now = System.nanoTime();
        nanos[p.ordinal()] += now - startNanos;
        return now;
    }

    void add(Phase p, long deltaNanos) { nanos[p.ordinal()] += deltaNanos; }

    /** The span's times in seconds; the next span starts from zero. */
    EpochTimes take() {
        double[] s = new double[PHASES.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = nanos[i] / 1e9;
            nanos[i] = 0;
        }
        return EpochTimes.of(s);
    }
}
