package org.jresnet.kernel;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One register block of the GEMM micro-kernels with A and B in L1: the per-core ceiling every
 * convolution is measured against. Score = micro-kernel calls per microsecond; GFLOPS =
 * score * 2 * rows * width * k / 1000 (printed by {@code flopsPerCall}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MicroKernelBench {
    @Param({"128"})
    public int k;

    float[] a, b, c;
    int[] ar, cr, kOff;

    @Setup
    public void setup() {
        int l = MicroKernel.L;
        a = new float[8 * k];
        b = new float[k * 2 * l];
        c = new float[16 * l];
        ar = new int[8];
        cr = new int[8];
        for (int r = 0; r < 8; r++) {
            ar[r] = r * k;
            cr[r] = r * 2 * l;
        }
        kOff = new int[k];
        for (int i = 0; i < k; i++) kOff[i] = i;
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat();
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat();
        System.out.printf("%nflops per call: k6x2 %d, k8x1 %d%n", 2L * 6 * 2 * l * k, 2L * 8 * l * k);
    }

    @Benchmark
    public float[] k6x2() {
        MicroKernel.k6x2(a, ar, 0, kOff, 0, k, b, 0, c, cr, 0, 0, true);
        return c;
    }

    @Benchmark
    public float[] k8x1() {
        MicroKernel.k8x1(a, ar, 0, kOff, 0, k, b, 0, c, cr, 0, 0, true);
        return c;
    }
}
