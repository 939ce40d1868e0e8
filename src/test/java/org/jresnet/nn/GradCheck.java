package org.jresnet.nn;

import java.util.Map;
import java.util.SplittableRandom;
import org.jresnet.tensor.Tensor;

/**
 * Central finite differences against a layer's backward, in float32. The scalar loss is
 * L = sum(y * r) for a fixed random r, so dL/dy = r. Coordinates whose step crosses a relu or
 * max-pool kink are left out (at most a third of them). Errors are normwise relative:
 * ||numeric - analytic|| / max(||numeric||, ||analytic||), over the input and every parameter
 * (at most {@code maxCoords} random coordinates per tensor, to keep tests fast).
 */
final class GradCheck {
    static final double TOL = 1e-2;
    private static final float H = Float.parseFloat(System.getProperty("gradcheck.h", "3e-4"));
    /** One-sided slopes further apart than this (relative to the rms gradient) mark a kink. */
    private static final double KINK = 0.01;
    /** BN in train mode couples every output to every input, so in a block many steps cross some kink. */
    private static final double MAX_KINK_FRACTION = 1.0 / 3;

    private GradCheck() {}

    /** A check of {@code layer}'s gradients; give the input, the probe's seed and the coordinates. */
    static Check of(Layer layer) { return new Check(layer); }

    /** The settings of one check, each by name. */
    static final class Check {
        private final Layer layer;
        private Tensor input;
        private long probeSeed;
        private int coords;

        private Check(Layer layer) { this.layer = layer; }

        /** The point x at which the gradients are checked. */
        Check input(Tensor x) { input = x; return this; }
        /** Seed of the random direction r of L = sum(y * r) and of the coordinates sampled. */
        Check probeSeed(long seed) { probeSeed = seed; return this; }
        /** Coordinates checked per tensor (all when the tensor has fewer). */
        Check coords(int n) { coords = n; return this; }

        /** Largest normwise relative error over dL/dx and all parameter gradients. */
        double maxError() {
            if (input == null || coords < 1) throw new IllegalStateException("give the input and the coordinates");
            return GradCheck.maxError(layer, input, probeSeed, coords);
        }
    }

    private static double maxError(Layer layer, Tensor x, long seed, int maxCoords) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor y = layer.forward(x);
        Tensor r = RandomTensors.gaussian(rng, y.shape());
        layer.zeroGrad();
        Tensor dx = layer.backward(r).copy();
        double worst = error(layer, x, r, x, dx, rng, maxCoords);
        if (Boolean.getBoolean("gradcheck.verbose")) System.err.println("x " + worst);
        for (Map.Entry<String, Parameter> e : layer.parameters().entrySet()) {
            Parameter p = e.getValue();
            double err = error(layer, x, r, p.value(), p.grad().copy(), rng, maxCoords);
            if (Boolean.getBoolean("gradcheck.verbose")) System.err.println(e.getKey() + " " + err);
            worst = Math.max(worst, err);
        }
        return worst;
    }

    private static double error(Layer layer, Tensor x, Tensor r, Tensor target, Tensor analytic,
                                SplittableRandom rng, int maxCoords) {
        int n = target.size();
        int m = Math.min(n, maxCoords);
        double l0 = loss(layer, x, r);
        double[] central = new double[m], oneSidedGap = new double[m], ana = new double[m];
        double rms = 0;
        for (int k = 0; k < m; k++) {
            int i = m == n ? k : rng.nextInt(n);
            float old = target.get(i);
            target.set(i, old + H);
            double lp = loss(layer, x, r);
            target.set(i, old - H);
            double lm = loss(layer, x, r);
            target.set(i, old);
            central[k] = (lp - lm) / (2 * H);
            oneSidedGap[k] = Math.abs((lp - l0) - (l0 - lm)) / H;
            ana[k] = analytic.get(i);
            rms += central[k] * central[k];
        }
        rms = Math.sqrt(rms / m);
        double[] sorted = oneSidedGap.clone();
        java.util.Arrays.sort(sorted);
        double typicalGap = sorted[m / 2];   // float rounding and curvature, on smooth coordinates
        // A relu or max-pool kink inside [x-h, x+h] makes the two one-sided slopes jump apart; such
        // coordinates have no derivative to compare. Smooth curvature only moves them by O(h).
        double num2 = 0, ana2 = 0, diff2 = 0;
        int skipped = 0;
        for (int k = 0; k < m; k++) {
            if (oneSidedGap[k] > KINK * rms + 10 * typicalGap) {
                skipped++;
                continue;
            }
            num2 += central[k] * central[k];
            ana2 += ana[k] * ana[k];
            diff2 += (central[k] - ana[k]) * (central[k] - ana[k]);
        }
        if (skipped > m * MAX_KINK_FRACTION) return Double.POSITIVE_INFINITY;
        double scale = Math.sqrt(Math.max(num2, ana2));
        return scale == 0 ? 0 : Math.sqrt(diff2) / scale;
    }

    static double loss(Layer layer, Tensor x, Tensor r) {
        Tensor y = layer.forward(x);
        double s = 0;
        for (int i = 0; i < y.size(); i++) s += (double) y.get(i) * r.get(i);
        return s;
    }
}
