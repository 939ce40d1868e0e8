package org.jresnet.data;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long task on stderr: a live bar on a terminal, a plain line every
 * {@link #PLAIN_INTERVAL_MS} otherwise (logs, CI), nothing when quiet. {@link #step} is thread-safe.
 */
public final class Progress implements AutoCloseable {
    /** Often enough to show life in a log, rarely enough not to flood it. */
    static final long PLAIN_INTERVAL_MS = 5_000;

    private final String task;
    private final long total;
    private final ProgressBar bar;
    private final PrintStream plain;
    private final AtomicLong done = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private long lastPrintNanos = startNanos;
    private boolean closed;

    private Progress(String task, long total, ProgressBar bar, PrintStream plain) {
        this.task = task;
        this.total = total;
        this.bar = bar;
        this.plain = plain;
    }

    /** Starts reporting {@code task} of {@code total} units. */
    public static Progress start(String task, long total, boolean quiet) {
        if (quiet) return new Progress(task, total, null, null);
        if (interactive()) {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).showSpeed().build();
            return new Progress(task, total, bar, null);
        }
        return new Progress(task, total, null, System.err);
    }

    /**
     * Whether stderr is a terminal a bar can redraw: the JVM has a console that is a terminal
     * ({@code Console.isTerminal()} from JDK 22 on, where {@code System.console()} is never null)
     * and TERM is not "dumb".
     */
    public static boolean interactive() {
        if ("dumb".equals(System.getenv("TERM"))) return false;
        Console c = System.console();
        if (c == null) return false;
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (NoSuchMethodException e) {
            return true; // JDK < 22: a console exists only when attached to a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    public void step(long n) {
        long d = done.addAndGet(n);
        if (bar != null) {
            bar.stepBy(n);
        } else if (plain != null) {
            synchronized (this) {
                long now = System.nanoTime();
                if (!closed && now - lastPrintNanos >= PLAIN_INTERVAL_MS * 1_000_000L) {
                    lastPrintNanos = now;
                    plain.println(line(d, now));
                }
            }
        }
    }

    private String line(long d, long now) {
        double s = (now - startNanos) / 1e9;
        return String.format(Locale.ROOT, "%s: %d/%d (%.0f%%) %.1fs", task, d, total,
                total == 0 ? 100.0 : 100.0 * d / total, s);
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        if (bar != null) bar.close();
        else if (plain != null) plain.println(line(done.get(), System.nanoTime()));
    }
}
