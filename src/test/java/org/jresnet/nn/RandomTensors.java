package org.jresnet.nn;

import java.util.Random;
import java.util.SplittableRandom;
import org.jresnet.tensor.Tensor;

/** Random test inputs: the one place tests get their random tensors and arrays from. */
public final class RandomTensors {
    private RandomTensors() {}

    /** A stream of random values from {@code seed}: {@code RandomTensors.seed(3).gaussian(2, 4, 4, 16)}. */
    public static Seeded seed(long seed) { return new Seeded(new SplittableRandom(seed)); }

    /** Draws tensors one after another from one seeded stream. */
    public static final class Seeded {
        private final SplittableRandom rng;

        private Seeded(SplittableRandom rng) { this.rng = rng; }

        public Tensor gaussian(int... shape) { return RandomTensors.gaussian(rng, shape); }

        public Tensor uniform(double lo, double hi, int... shape) { return RandomTensors.uniform(rng, lo, hi, shape); }
    }

    /** Standard normal values ({@link Init}'s Box-Muller) of {@code shape}. */
    public static Tensor gaussian(SplittableRandom rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, (float) Init.gaussian(rng));
        return t;
    }

    public static Tensor gaussian(long seed, int... shape) { return gaussian(new SplittableRandom(seed), shape); }

    /** Values uniform in {@code [lo, hi)} of {@code shape}. */
    public static Tensor uniform(SplittableRandom rng, double lo, double hi, int... shape) {
        return Tensor.of(uniform(rng, lo, hi, Tensor.numel(shape)), shape);
    }

    public static Tensor uniform(long seed, double lo, double hi, int... shape) {
        return uniform(new SplittableRandom(seed), lo, hi, shape);
    }

    /** {@code n} values uniform in {@code [lo, hi)}. */
    public static float[] uniform(SplittableRandom rng, double lo, double hi, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * (hi - lo) + lo);
        return a;
    }

    /** {@code n} standard normal values from {@link Random#nextGaussian()}. */
    public static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /** The absolute values of {@code t}, in place: a ReLU's output, as a block's input is. */
    public static Tensor abs(Tensor t) {
        for (int i = 0; i < t.size(); i++) t.set(i, Math.abs(t.get(i)));
        return t;
    }
}
