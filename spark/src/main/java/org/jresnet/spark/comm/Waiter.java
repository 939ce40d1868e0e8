package org.jresnet.spark.comm;

import java.util.concurrent.TimeUnit;

/** The timeout and cancellation bookkeeping of one rank's waits: fails after a silent timeout. */
final class Waiter {
    private final int rank;
    private final CommOptions opts;
    private long lastProgress = System.nanoTime();

    Waiter(int rank, CommOptions opts) {
        this.rank = rank;
        this.opts = opts;
    }

    /** Something moved: the silence clock restarts. */
    void progress() { lastProgress = System.nanoTime(); }

    /** Fails if cancelled or silent too long while {@code doing}. */
    void check(String doing) {
        if (opts.cancelled().getAsBoolean() || Thread.currentThread().isInterrupted()) {
            throw new CommException.Cancelled("rank " + rank + ": cancelled while " + doing);
        }
        long silent = System.nanoTime() - lastProgress;
        if (silent > opts.timeout().toNanos()) {
            throw new CommException(String.format("rank %d: nothing for %d s while %s (--comm-timeout)",
                    rank, TimeUnit.NANOSECONDS.toSeconds(silent), doing));
        }
    }

    /** Sleeps one poll interval (for calls with nothing to select on), then {@link #check}s. */
    void pause(String doing) {
        check(doing);
        try {
            Thread.sleep(CommOptions.POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommException.Cancelled("rank " + rank + ": interrupted while " + doing);
        }
    }
}
