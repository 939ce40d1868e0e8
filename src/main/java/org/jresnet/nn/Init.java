package org.jresnet.nn;

import java.util.SplittableRandom;
import org.jresnet.tensor.Tensor;

/**
 * torchvision's initialisation, reproducible from a seed. Each parameter draws from its own
 * stream, {@code new SplittableRandom(mix(seed) ^ mix(name.hashCode()))} (String.hashCode is fixed
 * by the language spec), so a parameter's values depend only on the seed and its key — not on how
 * many parameters came before it. Normals are Box–Muller over {@code nextDouble()} with StrictMath,
 * identical on every JDK.
 */
public final class Init {
    private Init() {}

    public static SplittableRandom stream(long seed, String key) {
        return new SplittableRandom(mix(seed) ^ mix(key.hashCode()));
    }

    /** Kaiming normal, mode fan_out, relu gain: std = sqrt(2 / (cout * kh * kw)). */
    public static void kaimingNormalFanOut(Conv2d conv, SplittableRandom rng) {
        Tensor w = conv.weight.value();
        double std = Math.sqrt(2.0 / ((double) conv.cout * conv.kernel * conv.kernel));
        for (int i = 0; i < w.size(); i++) w.set(i, (float) (std * gaussian(rng)));
    }

    /** PyTorch's Linear default: kaiming_uniform(a=sqrt(5)) == U(-1/sqrt(in), 1/sqrt(in)), bias the same bound. */
    public static void linearDefault(Linear fc, long seed, String prefix) {
        double bound = 1.0 / Math.sqrt(fc.in);
        uniform(fc.weight.value(), bound, stream(seed, prefix + "weight"));
        uniform(fc.bias.value(), bound, stream(seed, prefix + "bias"));
    }

    public static void uniform(Tensor t, double bound, SplittableRandom rng) {
        for (int i = 0; i < t.size(); i++) t.set(i, (float) ((2 * rng.nextDouble() - 1) * bound));
    }

    /** BN: gamma 1, beta 0, running mean 0, var 1, no batches seen. */
    public static void batchNorm(BatchNorm2d bn) {
        bn.weight.value().fill(1f);
        bn.bias.value().fill(0f);
        bn.runningMean.value().fill(0f);
        bn.runningVar.value().fill(1f);
        bn.numBatchesTracked.value().fill(0f);
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble(); // (0, 1]: log is finite
        double u2 = rng.nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
    }

    /** Stafford's mix13 (as in SplittableRandom): spreads nearby seeds apart. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
