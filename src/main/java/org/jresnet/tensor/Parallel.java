package org.jresnet.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's worker threads. Work is split statically: chunk {@code t} of {@code T} always goes
 * to the same slot, so any per-chunk partial sums are reduced in a fixed order and a run with the
 * same thread count is bit-identical to the last one, whatever the OS scheduler did.
 *
 * <p>Threads are daemons that park between jobs; the calling thread runs chunk 0 itself. Nested
 * calls (a kernel called from inside a parallel region) run sequentially on the caller.
 */
public final class Parallel {

    /** Body of a parallel loop over {@code [start, end)}; {@code chunk} is the worker's index. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int chunk, int start, int end);
    }

    private static volatile Parallel shared;

    private final int threads;
    private final Worker[] workers;
    private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> false);
    private final Object submitLock = new Object();

    private Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** Default thread count: {@code -Djresnet.threads}, else {@code JRESNET_THREADS}, else all cores. */
    public static int defaultThreads() {
        String s = System.getProperty("jresnet.threads");
        if (s == null) s = System.getenv("JRESNET_THREADS");
        if (s != null && !s.isBlank()) {
            try {
                int t = Integer.parseInt(s.trim());
                if (t >= 1) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("jresnet.threads must be a positive integer, got '" + s + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public static Parallel get() {
        Parallel p = shared;
        if (p == null) {
            synchronized (Parallel.class) {
                if (shared == null) shared = new Parallel(defaultThreads());
                p = shared;
            }
        }
        return p;
    }

    /** Replaces the shared pool (e.g. from {@code --threads}). Old workers exit. */
    public static synchronized void setThreads(int threads) {
        if (shared != null && shared.threads == threads) return;
        Parallel old = shared;
        shared = new Parallel(threads);
        if (old != null) old.shutdown();
    }

    public int threads() { return threads; }

    /**
     * Runs {@code body} over {@code [0, n)} split into {@code min(threads, n)} contiguous chunks;
     * returns when all are done. The first exception of any chunk is rethrown.
     */
    public void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    /** As {@link #forRange(int, RangeBody)}, but chunk boundaries are multiples of {@code grain}. */
    public void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int blocks = (n + grain - 1) / grain;
        int parts = Math.min(threads, blocks);
        if (parts <= 1 || inside.get()) {
            body.run(0, 0, n);
            return;
        }
        synchronized (submitLock) {
            Job job = new Job(body, n, grain, blocks, parts);
            for (int i = 1; i < parts; i++) workers[i - 1].submit(job);
            inside.set(true);
            try {
                job.runChunk(0);
            } finally {
                inside.set(false);
            }
            job.await();
        }
    }

    /** Start of chunk {@code c} of {@code parts} over {@code blocks} blocks of {@code grain}. */
    static int chunkStart(int c, int parts, int blocks, int grain, int n) {
        long b = (long) blocks * c / parts;
        return (int) Math.min(n, b * grain);
    }

    private void shutdown() {
        for (Worker w : workers) w.stopWorker();
    }

    private static final class Job {
        final RangeBody body;
        final int n, grain, blocks, parts;
        final AtomicInteger pending;
        final Thread owner = Thread.currentThread();
        volatile Throwable error;

        Job(RangeBody body, int n, int grain, int blocks, int parts) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.blocks = blocks;
            this.parts = parts;
            this.pending = new AtomicInteger(parts - 1);
        }

        void runChunk(int c) {
            int s = chunkStart(c, parts, blocks, grain, n);
            int e = chunkStart(c + 1, parts, blocks, grain, n);
            body.run(c, s, e);
        }

        void done(Throwable t) {
            if (t != null && error == null) error = t;
            if (pending.decrementAndGet() == 0) LockSupport.unpark(owner);
        }

        void await() {
            int spins = 0;
            while (pending.get() > 0) {
                if (spins++ < 20_000) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 50_000);
            }
            Throwable t = error;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error er) throw er;
            if (t != null) throw new RuntimeException(t);
        }
    }

    private final class Worker extends Thread {
        private final int slot;
        private volatile Job job;
        private volatile boolean running = true;

        Worker(int slot) {
            super("jresnet-worker-" + slot);
            this.slot = slot;
            setDaemon(true);
        }

        void submit(Job j) {
            job = j;
            LockSupport.unpark(this);
        }

        void stopWorker() {
            running = false;
            LockSupport.unpark(this);
        }

        @Override public void run() {
            inside.set(true);
            int spins = 0;
            while (running) {
                Job j = job;
                if (j == null) {
                    if (spins++ < 20_000) Thread.onSpinWait();
                    else LockSupport.park(this);
                    continue;
                }
                spins = 0;
                job = null;
                Throwable err = null;
                try {
                    j.runChunk(slot);
                } catch (Throwable t) {
                    err = t;
                }
                j.done(err);
            }
        }
    }
}
