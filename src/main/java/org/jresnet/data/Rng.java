package org.jresnet.data;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator whose stream is fixed by a key.
 * Every random choice of the data pipeline comes from a generator keyed by (seed, purpose, epoch,
 * image index), never from shared state, so a batch's content depends only on those numbers: not
 * on threads, prefetch timing or where a run was resumed.
 */
public final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public Rng(long seed) { this.state = seed; }

    /** A generator for a key path, e.g. {@code forKey(seed, EPOCH_ORDER, epoch)}. */
    public static Rng forKey(long seed, long... keys) {
        long s = mix(seed + GOLDEN);
        for (long k : keys) s = mix(s ^ mix(k + GOLDEN));
        return new Rng(s);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in {@code [0, bound)}, unbiased (rejection of the short last range). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long limit = (1L << 32) - ((1L << 32) % bound);
        long r;
        do {
            r = nextLong() >>> 32;
        } while (r >= limit);
        return (int) (r % bound);
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in {@code [lo, hi)}. */
    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    /** A uniformly random permutation of {@code values} in place (Fisher-Yates). */
    public void shuffle(int[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
