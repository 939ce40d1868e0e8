package org.jresnet.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jresnet.kernel.Gemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Whole GEMM calls (packing included): average time per call; GFLOPS = 2*m*n*k / time. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench extends EngineState {
    /** "m x n x k". */
    @Param({"8192x64x576", "8192x256x64", "128x10x64"})
    public String shape;

    @Param({"2"})
    public int threads;

    int m, n, k;
    float[] a, b, c;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        bindEngine(threads);
        Random r = new Random(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat();
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat();
    }

    @Benchmark
    public float[] gemm() {
        Gemm.gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
        return c;
    }
}
