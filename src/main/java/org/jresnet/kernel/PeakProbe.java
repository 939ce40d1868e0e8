package org.jresnet.kernel;

import org.jresnet.engine.Engine;
import org.jresnet.engine.Parallel;

/**
 * The machine's attainable float throughput with the engine's own best micro-kernel
 * (4 vectors of C in registers: {@link MicroKernel#k4d}'s MR4D rows) on operands that stay in L1,
 * run on every engine thread at once. This is the ceiling a benchmark's achieved GFLOPS is
 * compared with: nothing the engine does can beat its own register-blocked inner loop.
 *
 * <p>Each trial runs a fixed number of kernel calls per thread; the best trial counts, because
 * on a shared machine interference only ever makes a trial slower.
 */
public final class PeakProbe {
    /** Depth of one call: B is k x 4 vectors (16 KB with 16 float lanes), A is ROWS x k, both L1-resident. */
    private static final int K = 64;
    private static final int ROWS = MicroKernel.MR4D;

    private PeakProbe() {}

    /** Flops of one kernel call at depth {@link #K}. */
    static long flopsPerCall() { return 2L * ROWS * 4 * MicroKernel.L * K; }

    /**
     * Measures the best of {@code trials} trials of about {@code trialMillis} each (on an idle
     * machine) on the engine's {@link Parallel} threads; returns GFLOPS summed over the threads.
     */
    public static double gflops(int trials, double trialMillis) {
        int l = MicroKernel.L, w = 4 * l;
        int lda = MicroKernel.PACKED_ROWS ? MicroKernel.KC : K;
        float[] a = new float[ROWS * lda];
        float[] b = new float[K * w];
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 1e-3f;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() * 1e-3f;
        int[] ar = new int[ROWS];
        for (int r = 0; r < ROWS; r++) ar[r] = r * lda;
        Parallel par = Engine.current().parallel();
        int threads = par.threads();
        // Per-thread C blocks padded apart (no false sharing between threads).
        int stride = ROWS * w + 64;
        float[] c = new float[threads * stride];

        // Calibrate the call count on one thread, after C2 has compiled the kernel.
        long calls = 1 << 12;
        run(par, threads, calls, a, ar, b, c, stride);
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            run(par, threads, calls, a, ar, b, c, stride);
            double ms = (System.nanoTime() - t0) / 1e6;
            if (ms > trialMillis / 4) break;
            calls *= 4;
        }
        long t0 = System.nanoTime();
        run(par, threads, calls, a, ar, b, c, stride);
        double ms = Math.max(1e-3, (System.nanoTime() - t0) / 1e6);
        calls = Math.max(1, (long) (calls * trialMillis / ms));

        double best = 0;
        for (int t = 0; t < trials; t++) {
            long s = System.nanoTime();
            run(par, threads, calls, a, ar, b, c, stride);
            double sec = (System.nanoTime() - s) / 1e9;
            best = Math.max(best, threads * calls * flopsPerCall() / sec / 1e9);
        }
        return best;
    }

    private static void run(Parallel par, int threads, long calls, float[] a, int[] ar, float[] b,
                            float[] c, int stride) {
        par.forRange(threads, (chunk, s, e) -> {
            int[] cr = new int[ROWS];
            for (int r = 0; r < ROWS; r++) cr[r] = chunk * stride + r * 4 * MicroKernel.L;
            for (long i = 0; i < calls; i++) MicroKernel.k4d(a, ar, 0, 0, K, b, 0, c, cr, 0, 0, false);
        });
    }
}
