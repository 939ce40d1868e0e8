package org.jresnet.engine;

import java.util.Locale;
import java.util.function.Function;

/**
 * The settings of one {@link Engine}. {@link #fromSystem()} reads them from the JVM's properties
 * and the environment once (the process's default engine); tests and embedders pass their own.
 *
 * @param threads                 worker threads of the engine's pool, the calling thread included
 * @param simd                    Vector API kernels (false: their scalar twins, for A/B checks)
 * @param winograd                Winograd F(2x2,3x3) for stride-1 3x3 convolutions (false: direct kernels)
 * @param winogradWeightGradient  Winograd for the weight gradient too (only while {@code winograd} is on)
 * @param winogradBlockFloats     floats of one Winograd block's transformed input (V): its L2 budget
 * @param fusedInference          in eval mode, each BN (and a block's add and ReLU) is applied by its
 *                                convolution as it stores its output (false: separate passes, for A/B)
 * @param winogradF4              Winograd F(4x4,3x3) where the weights are fixed (inference); false:
 *                                F(2x2,3x3) there too (only while {@code winograd} is on)
 */
public record EngineConfig(int threads, boolean simd, boolean winograd, boolean winogradWeightGradient,
                           int winogradBlockFloats, boolean fusedInference, boolean winogradF4) {
    /** Half of a 1 MB L2, with M and U's panel beside it (measured on Zen 4; see docs/benchmark.md). */
    public static final int DEFAULT_WINOGRAD_BLOCK_FLOATS = 64 * 1024;
    /**
     * The most engine threads: each is an OS thread with scratch of its own, and far more than any
     * machine's cores only adds hand-offs. A count above it is a typo (--threads 100000 spent a
     * minute creating threads until the OS refused, then failed as if out of memory).
     */
    public static final int MAX_THREADS = 1024;
    /** What every thread count must be, as the errors say it: "between 1 and 1024". */
    public static final String THREADS_RANGE = "between 1 and " + MAX_THREADS;

    /** Whether {@code threads} is a count an engine takes. */
    public static boolean validThreads(long threads) { return threads >= 1 && threads <= MAX_THREADS; }

    public EngineConfig {
        if (!validThreads(threads)) {
            throw new IllegalArgumentException("threads must be " + THREADS_RANGE + ", got " + threads);
        }
        if (winogradBlockFloats < 1) {
            throw new IllegalArgumentException("winogradBlockFloats must be >= 1, got " + winogradBlockFloats);
        }
    }

    /** Every fast path on, one thread per core. */
    public static EngineConfig defaults() {
        return new EngineConfig(Runtime.getRuntime().availableProcessors(), true, true, true,
                DEFAULT_WINOGRAD_BLOCK_FLOATS, true, true);
    }

    /**
     * The defaults as the user set them: {@code -Djresnet.threads} (else {@code JRESNET_THREADS}),
     * {@code -Djresnet.simd} (else {@code JRESNET_SIMD}), {@code -Djresnet.winograd},
     * {@code -Djresnet.winograd.dw}, {@code -Djresnet.winograd.f4}, {@code -Djresnet.fuse} (fused inference). A malformed thread
     * count or switch fails; a switch is off for false, 0 or off, on for true, 1 or on (or unset).
     */
    public static EngineConfig fromSystem() {
        return fromSystem(System::getProperty, System::getenv);
    }

    static EngineConfig fromSystem(Function<String, String> property, Function<String, String> env) {
        EngineConfig d = defaults();
        String t = property.apply("jresnet.threads");
        if (t == null) t = env.apply("JRESNET_THREADS");
        int threads = d.threads();
        if (t != null && !t.isBlank()) {
            threads = -1;
            try {
                threads = Integer.parseInt(t.trim());
            } catch (NumberFormatException ignored) {
                // reported below
            }
            if (!validThreads(threads)) {
                throw new IllegalArgumentException("jresnet.threads (JRESNET_THREADS) must be an integer " + THREADS_RANGE
                        + ", got '" + t + "'");
            }
        }
        String simd = property.apply("jresnet.simd");
        if (simd == null) simd = env.apply("JRESNET_SIMD");
        return new EngineConfig(threads, on("jresnet.simd (JRESNET_SIMD)", simd), on(property, "jresnet.winograd"),
                on(property, "jresnet.winograd.dw"), d.winogradBlockFloats(), on(property, "jresnet.fuse"),
                on(property, "jresnet.winograd.f4"));
    }

    private static boolean on(Function<String, String> property, String name) { return on(name, property.apply(name)); }

    /** A switch: unset is on; true/1/on or false/0/off; anything else is an error, not a guess. */
    private static boolean on(String name, String s) {
        if (s == null || s.isBlank()) return true;
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("true") || v.equals("1") || v.equals("on")) return true;
        if (v.equals("false") || v.equals("0") || v.equals("off")) return false;
        throw new IllegalArgumentException(name + " must be true or false (on/off, 1/0), got '" + s + "'");
    }

    public EngineConfig withThreads(int t) {
        return new EngineConfig(t, simd, winograd, winogradWeightGradient, winogradBlockFloats, fusedInference, winogradF4);
    }

    public EngineConfig withSimd(boolean on) {
        return new EngineConfig(threads, on, winograd, winogradWeightGradient, winogradBlockFloats, fusedInference, winogradF4);
    }

    public EngineConfig withWinograd(boolean on) {
        return new EngineConfig(threads, simd, on, winogradWeightGradient, winogradBlockFloats, fusedInference, winogradF4);
    }

    public EngineConfig withWinogradWeightGradient(boolean on) {
        return new EngineConfig(threads, simd, winograd, on, winogradBlockFloats, fusedInference, winogradF4);
    }

    public EngineConfig withWinogradBlockFloats(int floats) {
        return new EngineConfig(threads, simd, winograd, winogradWeightGradient, floats, fusedInference, winogradF4);
    }

    public EngineConfig withFusedInference(boolean on) {
        return new EngineConfig(threads, simd, winograd, winogradWeightGradient, winogradBlockFloats, on, winogradF4);
    }

    public EngineConfig withWinogradF4(boolean on) {
        return new EngineConfig(threads, simd, winograd, winogradWeightGradient, winogradBlockFloats, fusedInference, on);
    }

    @Override public String toString() {
        return String.format(Locale.ROOT, "%d threads, simd %s, winograd %s (dw %s, f4 %s), fused inference %s",
                threads, simd, winograd, winogradWeightGradient, winogradF4, fusedInference);
    }
}
