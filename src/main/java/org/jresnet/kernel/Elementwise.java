package org.jresnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.engine.Engine;

/**
 * Elementwise kernels over flat float arrays: ReLU forward/backward, the residual add, dot and
 * axpy. Each public entry point splits {@code [0, n)} over the engine's threads and runs either
 * the Vector API body or its scalar twin ({@link Simd#enabled()}); both have the same contract,
 * and the vector body hands its tail to the twin ({@link Simd}'s convention).
 */
public final class Elementwise {
    /** Elements per parallel chunk boundary: small tensors stay on the calling thread. */
    private static final int GRAIN = 1 << 14;
    private static final VectorSpecies<Float> F = Simd.F;

    private Elementwise() {}

    // ---------------------------------------------------------------- relu: y = max(x, 0)

    public static void relu(float[] x, int xo, float[] y, int yo, int n) {
        boolean simd = Simd.enabled();
        Engine.current().parallel().forRangeBalanced(n, GRAIN, (c, s, e) -> {
            if (simd) reluSimd(x, xo, y, yo, s, e); else reluScalar(x, xo, y, yo, s, e);
        });
    }

    static void reluSimd(float[] x, int xo, float[] y, int yo, int s, int e) {
        int i = s;
        for (int end = s + F.loopBound(e - s); i < end; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).max(0f).intoArray(y, yo + i);
        }
        reluScalar(x, xo, y, yo, i, e);
    }

    static void reluScalar(float[] x, int xo, float[] y, int yo, int s, int e) {
        for (int i = s; i < e; i++) {
            float v = x[xo + i];
            y[yo + i] = v > 0f ? v : 0f;
        }
    }

    // ---------------------------------------------------------------- relu backward: dx = y > 0 ? dy : 0

    /** Uses the forward's output {@code y} (as PyTorch's threshold_backward does); dx may alias dy. */
    public static void reluBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        boolean simd = Simd.enabled();
        Engine.current().parallel().forRangeBalanced(n, GRAIN, (c, s, e) -> {
            if (simd) reluBackwardSimd(y, yo, dy, dyo, dx, dxo, s, e);
            else reluBackwardScalar(y, yo, dy, dyo, dx, dxo, s, e);
        });
    }

    static void reluBackwardSimd(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int s, int e) {
        int i = s;
        FloatVector zero = FloatVector.zero(F);
        for (int end = s + F.loopBound(e - s); i < end; i += F.length()) {
            var pos = FloatVector.fromArray(F, y, yo + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(F, dy, dyo + i), pos).intoArray(dx, dxo + i);
        }
        reluBackwardScalar(y, yo, dy, dyo, dx, dxo, i, e);
    }

    static void reluBackwardScalar(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int s, int e) {
        for (int i = s; i < e; i++) dx[dxo + i] = y[yo + i] > 0f ? dy[dyo + i] : 0f;
    }

    // ---------------------------------------------------------------- add: y = a + b (y may alias a or b)

    public static void add(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        boolean simd = Simd.enabled();
        Engine.current().parallel().forRangeBalanced(n, GRAIN, (c, s, e) -> {
            if (simd) addSimd(a, ao, b, bo, y, yo, s, e); else addScalar(a, ao, b, bo, y, yo, s, e);
        });
    }

    static void addSimd(float[] a, int ao, float[] b, int bo, float[] y, int yo, int s, int e) {
        int i = s;
        for (int end = s + F.loopBound(e - s); i < end; i += F.length()) {
            FloatVector.fromArray(F, a, ao + i).add(FloatVector.fromArray(F, b, bo + i)).intoArray(y, yo + i);
        }
        addScalar(a, ao, b, bo, y, yo, i, e);
    }

    static void addScalar(float[] a, int ao, float[] b, int bo, float[] y, int yo, int s, int e) {
        for (int i = s; i < e; i++) y[yo + i] = a[ao + i] + b[bo + i];
    }

    // ---------------------------------------------------------------- dot and axpy (single-threaded: callers parallelise)

    /** sum_i a[i] * b[i]. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        return Simd.enabled() ? dotSimd(a, ao, b, bo, n) : dotScalar(a, ao, b, bo, 0, n, 0f);
    }

    static float dotSimd(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        // Lanes summed in lane order by hand: reduceLanes(ADD) on floats may use any order, and
        // JDK 25's C2 and its interpreter do differ, so one forward pass could round differently
        // from the next as methods get compiled (the same order JDK 17's C2 uses: no result moves).
        float sum = 0f;
        for (int l = 0; l < F.length(); l++) sum += acc.lane(l);
        return dotScalar(a, ao, b, bo, i, n, sum);
    }

    /** {@code sum} plus a[i] * b[i] for i in [s, e), in order. */
    static float dotScalar(float[] a, int ao, float[] b, int bo, int s, int e, float sum) {
        for (int i = s; i < e; i++) sum += a[ao + i] * b[bo + i];
        return sum;
    }

    /** y[i] += alpha * x[i]. */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        if (Simd.enabled()) axpySimd(alpha, x, xo, y, yo, n); else axpyScalar(alpha, x, xo, y, yo, 0, n);
    }

    static void axpySimd(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        axpyScalar(alpha, x, xo, y, yo, i, n);
    }

    static void axpyScalar(float alpha, float[] x, int xo, float[] y, int yo, int s, int e) {
        for (int i = s; i < e; i++) y[yo + i] += alpha * x[xo + i];
    }
}
