package org.jresnet.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's worker threads. Work is split statically: chunk {@code t} of {@code T} always goes
 * to the same slot, so any per-chunk partial sums are reduced in a fixed order and a run with the
 * same thread count is bit-identical to the last one, whatever the OS scheduler did.
 *
 * <p>Threads are daemons that spin briefly, then park, between jobs; the calling thread runs chunk
 * 0 itself and then any chunk no worker has started yet, so a worker that is slow to wake (a
 * loaded machine) delays nothing. Which thread runs a chunk never changes its bounds or index.
 * Nested calls (a kernel called from inside a parallel region) run sequentially on the caller.
 *
 * <p>Passes whose every output is written by exactly one unit of work, whoever runs it, may use
 * {@link #forUnits} instead: each thread starts on its own share and then takes units from the end
 * of the others', so a thread the OS or the host stops for a while does not hold up the pass. The
 * results are the same bits; only who computes which unit changes.
 *
 * <p>One pool belongs to one {@link Engine}; its workers run bound to that engine, so kernels
 * they call see the engine's settings. Several engines (pools) may run side by side.
 */
public final class Parallel {

    /** Body of a parallel loop over {@code [start, end)}; {@code chunk} is the worker's index. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int chunk, int start, int end);
    }

    /**
     * The units of work of one thread in {@link #forUnits}: its own share first, front to back,
     * then single units from the back of the other shares (the end their owners reach last).
     */
    public interface Units {
        /** The next unit to run, or -1 when none is left anywhere. */
        int next();
    }

    /** One thread's part of {@link #forUnits}: {@code slot} is exclusive to it while it runs (per-thread scratch). */
    @FunctionalInterface
    public interface UnitsBody {
        void run(int slot, Units units);
    }

    private final int threads;
    private final Worker[] workers;
    private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> false);
    private final Object submitLock = new Object();

    private final Engine engine;

    /** A pool of {@code threads} (the caller counts as one) whose workers run bound to {@code engine}. */
    Parallel(int threads, Engine engine) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.engine = engine;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1, engine.id());
            workers[i].start();
        }
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
                // Chunks a worker has not started yet (still waking up, or descheduled on a busy
                // machine) are run here rather than waited for.
                for (int c; (c = job.claim()) >= 0; ) job.runClaimed(c);
            } finally {
                inside.set(false);
            }
            job.await();
        }
    }

    /**
     * Runs units [0, {@code units}) of a pass whose results do not depend on which thread runs a
     * unit (each output written by one unit, with per-thread scratch only): {@code body} runs once
     * on every participating thread, which takes its units from {@link Units#next}: first its own
     * contiguous share, then what is left of the others', one unit at a time from their ends. A
     * core taken away for a while (another process, the host) then delays the pass by one unit
     * instead of by the rest of its share. ResNet-50 at batch 1 on Zen 4 beside a program that
     * keeps one core busy 2 ms in every 10: 50.5 / 50.8 / 46.5 ms a forward with static halves,
     * 49.2 / 48.0 / 46.4 with units taken over (one JVM alternating, three runs); on a quiet machine
     * the same within noise (docs/benchmark.md). The body should take its first unit before any
     * set-up of its own: a thread that arrives late may find nothing left. Nested calls run every
     * unit on the caller.
     */
    public void forUnits(int units, UnitsBody body) {
        if (units <= 0) return;
        int parts = Math.min(threads, units);
        if (parts <= 1 || inside.get()) {
            int[] next = {0};
            body.run(0, () -> next[0] < units ? next[0]++ : -1);
            return;
        }
        Shares shares = new Shares(units, parts);
        forRange(parts, (chunk, p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int own = p;
                body.run(own, () -> shares.next(own));
            }
        });
    }

    /**
     * {@link #forUnits} over {@code [0, n)} in units of whole multiples of {@code grain}, each
     * thread's share cut into {@link #UNITS_PER_THREAD} of them; {@code body} runs once a unit
     * with its thread's slot as {@code chunk}. For element-wise passes, whose results never depend
     * on the split.
     */
    public void forRangeBalanced(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        long blocks = (n + (long) grain - 1) / grain;
        long unitBlocks = Math.max(1, blocks / ((long) threads * UNITS_PER_THREAD));
        int unit = (int) Math.min(n, unitBlocks * grain);
        forUnits((int) ((n + (long) unit - 1) / unit), (slot, units) -> {
            for (int u; (u = units.next()) >= 0; ) {
                int s = u * unit;
                body.run(slot, s, (int) Math.min(n, (long) s + unit));
            }
        });
    }

    /**
     * Units a thread's share is cut into by {@link #forRangeBalanced}: a held-up thread's rest is
     * taken a sixteenth at a time, and claiming them (a compare-and-set each) costs nothing
     * measurable. 4 or 64 were the same within noise (docs/benchmark.md, "Kernel tuning").
     */
    private static final int UNITS_PER_THREAD = 16;

    /**
     * The shares of one {@link #forUnits} pass: share p is [lo, hi) packed in one long, lo taken
     * by its owner, hi by the others; each on its own cache lines, so an owner's claims stay in
     * its core's cache until another thread comes to take from its end.
     */
    private static final class Shares {
        private static final int STRIDE = 16;            // longs: 128 bytes between shares
        private final AtomicLongArray bounds;
        private final int parts;

        Shares(int units, int parts) {
            this.parts = parts;
            this.bounds = new AtomicLongArray(parts * STRIDE);
            for (int p = 0; p < parts; p++) {
                long lo = (long) units * p / parts, hi = (long) units * (p + 1) / parts;
                bounds.set(p * STRIDE, lo << 32 | hi);
            }
        }

        int next(int own) {
            int u = takeFront(own * STRIDE);
            for (int i = 1; u < 0 && i < parts; i++) u = takeBack((own + i) % parts * STRIDE);
            return u;
        }

        private int takeFront(int at) {
            for (long v; ; ) {
                v = bounds.get(at);
                int lo = (int) (v >>> 32), hi = (int) v;
                if (lo >= hi) return -1;
                if (bounds.compareAndSet(at, v, (long) (lo + 1) << 32 | hi)) return lo;
            }
        }

        private int takeBack(int at) {
            for (long v; ; ) {
                v = bounds.get(at);
                int lo = (int) (v >>> 32), hi = (int) v;
                if (lo >= hi) return -1;
                if (bounds.compareAndSet(at, v, (long) lo << 32 | (hi - 1))) return hi - 1;
            }
        }
    }

    /** Start of chunk {@code c} of {@code parts} over {@code blocks} blocks of {@code grain}. */
    static int chunkStart(int c, int parts, int blocks, int grain, int n) {
        long b = (long) blocks * c / parts;
        return (int) Math.min(n, b * grain);
    }

    /** Lets the workers exit; the pool must not be used afterwards. */
    void shutdown() {
        for (Worker w : workers) w.stopWorker();
    }

    /** Spin this long for the next job or for the last chunk before parking (a dispatch costs ~1 µs spinning, ~50 µs parked). */
    private static final long SPIN_NANOS = 100_000;

    /**
     * One parallel loop. Chunk 0 belongs to the caller; chunks 1.. are claimed by whichever thread
     * gets to them first. Chunk bounds and indices never depend on who runs them, so per-chunk
     * partial sums and scratch buffers stay deterministic.
     */
    private static final class Job {
        final RangeBody body;
        final int n, grain, blocks, parts;
        final AtomicInteger next = new AtomicInteger(1);   // next unclaimed chunk
        final AtomicInteger pending;                       // claimed-or-not chunks 1.. not finished
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

        /** A chunk index nobody has started, or -1. */
        int claim() {
            if (next.get() >= parts) return -1;
            int c = next.getAndIncrement();
            return c < parts ? c : -1;
        }

        void runChunk(int c) {
            int s = chunkStart(c, parts, blocks, grain, n);
            int e = chunkStart(c + 1, parts, blocks, grain, n);
            body.run(c, s, e);
        }

        /** Runs a claimed chunk 1.. and counts it done, recording its failure if any. */
        void runClaimed(int c) {
            try {
                runChunk(c);
            } catch (Throwable t) {
                if (error == null) error = t;
            }
            if (pending.decrementAndGet() == 0) LockSupport.unpark(owner);
        }

        void await() {
            long spinUntil = 0;
            while (pending.get() > 0) {
                if (spinUntil == 0) spinUntil = System.nanoTime() + SPIN_NANOS;
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.parkNanos(this, SPIN_NANOS);
            }
            Throwable t = error;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error er) throw er;
            if (t != null) throw new RuntimeException(t);
        }
    }

    private final class Worker extends Thread {
        private final AtomicReference<Job> job = new AtomicReference<>();
        private volatile boolean running = true;

        Worker(int slot, int engineId) {
            super("jresnet-engine" + engineId + "-worker-" + slot);
            setDaemon(true);
        }

        /** Replaces a job this worker never took: its chunks were all claimed by others by then. */
        void submit(Job j) {
            job.set(j);
            LockSupport.unpark(this);
        }

        void stopWorker() {
            running = false;
            LockSupport.unpark(this);
        }

        @Override public void run() {
            Engine.bindWorker(engine);
            inside.set(true);
            long spinUntil = 0;
            while (running) {
                Job j = job.getAndSet(null);
                if (j == null) {
                    // Spin a while (jobs come in bursts, one per layer), then park until the next submit.
                    long now = System.nanoTime();
                    if (spinUntil == 0) spinUntil = now + SPIN_NANOS;
                    if (now < spinUntil) Thread.onSpinWait();
                    else LockSupport.park(this);
                    continue;
                }
                spinUntil = 0;
                for (int c; (c = j.claim()) >= 0; ) j.runClaimed(c);
            }
        }
    }
}
