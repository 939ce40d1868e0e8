package org.jresnet.engine;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Runs a step until the JVM's JIT has gone quiet: the state a long-running process measures.
 *
 * <p>The Vector API kernels run tens of times slower in the interpreter and C1 than in C2 (a
 * ResNet-50's first forward takes 1.2-1.7 s, a compiled one 37 ms), and C2 compiles them as they
 * get hot, often more than once (a branch first seen late, a loop compiled on stack before its
 * method). On two cores the compiler threads share the cores with the engine's, so a ResNet-50
 * batch-1 forward was most often 10-20% slower after 3 s than after 10 s (docs/benchmark.md, "Zen 4,
 * 2026-12-07, sixth session"). A fixed warm-up is too short on one launch and wasted on the next;
 * waiting until the JIT has compiled nothing for a while is neither.
 *
 * <p>Where the JVM does not report compile time ({@link CompilationMXBean#isCompilationTimeMonitoringSupported}),
 * only the minimum steps and seconds apply.
 */
public final class JitWarmup {
    private JitWarmup() {}

    /**
     * What a warm-up did.
     *
     * @param steps          steps run
     * @param seconds        wall time they took
     * @param quiet          whether the JIT went quiet (false: the cap ended it, or compile time is not reported)
     * @param compileSeconds the JIT's total compile time in this JVM when it ended (NaN if not reported)
     */
    public record Result(int steps, double seconds, boolean quiet, double compileSeconds) {}

    /**
     * Runs {@code step} at least {@code minSteps} times and for at least {@code minSeconds}, then on
     * until the JIT has finished no compilation for {@code quietSeconds} (0: not at all), stopping
     * at {@code maxSeconds} in all whatever the JIT does.
     */
    public static Result run(Runnable step, int minSteps, double minSeconds, double quietSeconds, double maxSeconds) {
        if (minSteps < 0 || !(minSeconds >= 0) || !(quietSeconds >= 0) || !(maxSeconds >= minSeconds)) {
            throw new IllegalArgumentException("warm-up needs 0 <= minSteps, 0 <= minSeconds <= maxSeconds and"
                    + " quietSeconds >= 0, got " + minSteps + ", " + minSeconds + ", " + maxSeconds + ", " + quietSeconds);
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime(), lastChange = start;
        long compiled = timed ? jit.getTotalCompilationTime() : 0;
        int steps = 0;
        while (true) {
            long now = System.nanoTime();
            double elapsed = (now - start) / 1e9;
            if (steps >= minSteps && elapsed >= minSeconds) {
                boolean quiet = timed && quietSeconds > 0 && (now - lastChange) / 1e9 >= quietSeconds;
                if (quiet || !timed || quietSeconds == 0 || elapsed >= maxSeconds) {
                    return new Result(steps, elapsed, quiet, timed ? jit.getTotalCompilationTime() / 1e3 : Double.NaN);
                }
            }
            step.run();
            steps++;
            if (timed) {
                long c = jit.getTotalCompilationTime();
                if (c != compiled) {
                    compiled = c;
                    lastChange = System.nanoTime();
                }
            }
        }
    }
}
