package org.jresnet.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jresnet.kernel.ConvShape;
import org.jresnet.kernel.ConvSimd;
import org.jresnet.kernel.KernelWorkspace;
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

/**
 * The convolutions of ResNet-20 (CIFAR, batch 128) and ResNet-50 (ImageNet, batch 16), forward
 * and both backward passes. Average time per call; GFLOPS = 2 * macs / time (macs printed at setup).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
public class ConvBench extends EngineState {
    /** name: n, h, w, cin, cout, k, stride, pad. */
    @Param({
        "r20_s1_32x32x16", "r20_s2_16x16x32", "r20_s3_8x8x64", "r20_down_32to16x32",
        "r50_56x56x64_3x3", "r50_56x56_1x1_64to256", "r50_stem_7x7s2", "r50_7x7x512_3x3"})
    public String layer;

    @Param({"2"})
    public int threads;

    ConvShape s;
    float[] x, w, y, dy, dx, dw;
    final KernelWorkspace ws = new KernelWorkspace();

    static ConvShape shape(String name) {
        switch (name) {
            case "r20_s1_32x32x16": return new ConvShape(128, 32, 32, 16, 16, 3, 3, 1, 1);
            case "r20_s2_16x16x32": return new ConvShape(128, 16, 16, 32, 32, 3, 3, 1, 1);
            case "r20_s3_8x8x64": return new ConvShape(128, 8, 8, 64, 64, 3, 3, 1, 1);
            case "r20_down_32to16x32": return new ConvShape(128, 32, 32, 16, 32, 3, 3, 2, 1);
            case "r50_56x56x64_3x3": return new ConvShape(16, 56, 56, 64, 64, 3, 3, 1, 1);
            case "r50_56x56_1x1_64to256": return new ConvShape(16, 56, 56, 64, 256, 1, 1, 1, 0);
            case "r50_stem_7x7s2": return new ConvShape(16, 224, 224, 3, 64, 7, 7, 2, 3);
            case "r50_7x7x512_3x3": return new ConvShape(16, 7, 7, 512, 512, 3, 3, 1, 1);
            default: throw new IllegalArgumentException("unknown layer " + name);
        }
    }

    @Setup
    public void setup() {
        s = shape(layer);
        bindEngine(threads);
        Random r = new Random(1);
        x = fill(r, s.inputSize());
        w = fill(r, s.weightSize());
        dy = fill(r, s.outputSize());
        y = new float[s.outputSize()];
        dx = new float[s.inputSize()];
        dw = new float[s.weightSize()];
        System.out.printf("%n%s macs %d%n", s, s.macs());
    }

    static float[] fill(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @Benchmark
    public float[] forward() {
        ConvSimd.forward(s, x, 0, w, 0, y, 0, ws);
        return y;
    }

    @Benchmark
    public float[] backwardData() {
        ConvSimd.backwardData(s, dy, 0, w, 0, dx, 0, ws);
        return dx;
    }

    @Benchmark
    public float[] backwardWeights() {
        ConvSimd.backwardWeights(s, x, 0, dy, 0, dw, 0, ws);
        return dw;
    }
}
