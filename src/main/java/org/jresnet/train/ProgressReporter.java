package org.jresnet.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress on stderr: a live bar on a terminal, plain periodic lines otherwise (logs,
 * CI), nothing when quiet. stdout stays free for {@code --json}.
 */
public final class ProgressReporter implements AutoCloseable {
    /** Seconds between plain lines when stderr is not a terminal. */
    private static final long PLAIN_INTERVAL_NANOS = 10_000_000_000L;

    private final Mode mode;
    private final PrintStream err;
    private ProgressBar bar;
    private long lastLine;
    private String task = "";

    public enum Mode { BAR, LINES, QUIET }

    public ProgressReporter(Mode mode) { this(mode, System.err); }

    /** Progress written to {@code out} (a distributed run's rank 0 sends its lines to the driver). */
    public ProgressReporter(Mode mode, PrintStream out) {
        this.mode = mode;
        this.err = out;
    }

    /** A bar when stderr is a terminal, else lines. */
    public static Mode auto() { return isTerminal() ? Mode.BAR : Mode.LINES; }

    static boolean isTerminal() {
        var c = System.console();
        if (c == null) return false;
        try {
            // JDK 22+ returns a console even when redirected; it says whether it is a terminal.
            return (Boolean) c.getClass().getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    public void startEpoch(int epoch, int epochs, long itersInEpoch, long done) {
        if (mode == Mode.BAR) {
            close();
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                    .setInitialMax(itersInEpoch).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err))
                    .showSpeed().setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS).setUnit(" it", 1)
                    .startsFrom(done, Duration.ZERO).build();
        }
        lastLine = System.nanoTime();
    }

    /** After each iteration: {@code stats} is e.g. "loss 1.23 err 45.0% lr 0.1 512 img/s". */
    public void step(int epoch, long iterInEpoch, long itersInEpoch, String stats) {
        switch (mode) {
            case BAR -> {
                bar.stepTo(iterInEpoch);
                bar.setExtraMessage(" " + stats);
            }
            case LINES -> {
                long now = System.nanoTime();
                if (now - lastLine >= PLAIN_INTERVAL_NANOS || iterInEpoch == itersInEpoch) {
                    lastLine = now;
                    err.printf(Locale.ROOT, "epoch %d  iter %d/%d  %s%n", epoch, iterInEpoch, itersInEpoch, stats);
                }
            }
            case QUIET -> { }
        }
    }

    /** A bar (or lines) for work that is not a training epoch: {@code total} steps of {@code task}. */
    public void startTask(String task, long total) {
        this.task = task;
        if (mode == Mode.BAR) {
            close();
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err))
                    .build();
        }
        lastLine = System.nanoTime();
    }

    /** After each step of the task begun by {@link #startTask}. */
    public void advance(long done, long total, String stats) {
        switch (mode) {
            case BAR -> {
                bar.stepTo(done);
                bar.setExtraMessage(" " + stats);
            }
            case LINES -> {
                long now = System.nanoTime();
                if (now - lastLine >= PLAIN_INTERVAL_NANOS || done == total) {
                    lastLine = now;
                    err.printf(Locale.ROOT, "%s  %d/%d  %s%n", task, done, total, stats);
                }
            }
            case QUIET -> { }
        }
    }

    /** A line that must not be lost under the bar (epoch summaries, warnings). */
    public void message(String line) {
        if (mode == Mode.QUIET) return;
        if (bar != null) {
            close();
        }
        err.println(line);
    }

    @Override public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
