package org.jresnet.spark.comm;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How a ring waits. {@code timeout}: the longest a collective may go without a byte moving before
 * it fails (a silent peer). {@code cancelled}: polled between waits, so a task Spark kills never
 * stays blocked in a socket call holding its slot (a task blocked in accept or read ignores
 * Spark's cancel: recovery took 61.5 s with a 60 s blocking accept, 7 s with polling).
 */
public record CommOptions(Duration timeout, BooleanSupplier cancelled) {
    /** How often a waiting socket call wakes up to look at {@link #cancelled} and the clock. */
    public static final Duration POLL = Duration.ofMillis(200);

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    public CommOptions {
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("comm timeout must be positive");
    }

    public static CommOptions of(Duration timeout) { return new CommOptions(timeout, () -> false); }
}
