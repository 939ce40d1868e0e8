package org.jresnet.experiments;

/**
 * The textbook case of vanishing gradients and its residual cure, on scalars. A chain of L sigmoid
 * layers x_{l+1} = σ(w x_l + b) multiplies the gradient by σ'(z_l)·w ≤ w/4 at each layer, so
 * dx_L/dx_l = Π_{k≥l} σ'(z_k)·w shrinks at least 4x a layer when |w| ≤ 1. With identity shortcuts,
 * x_{l+1} = x_l + σ(w x_l + b), each layer multiplies it by 1 + σ'(z_k)·w instead (H' = F' + 1),
 * which is at least 1 for w ≥ 0.
 *
 * <p>The closed forms are these products over the forward pass's z_k. The numerical gradient is
 * independent of them: the complex-step derivative Im f(x + ih)/h, which has no subtractive
 * cancellation and so stays accurate even where the plain chain's gradient is 1e-20.
 */
public final class SigmoidChain {
    /** Step of the complex-step derivative: far below any rounding that matters. */
    private static final double COMPLEX_STEP = 1e-30;
    /** σ'(z) = σ(z)(1 - σ(z)) peaks at z = 0 with this value. */
    public static final double MAX_SIGMOID_SLOPE = 0.25;

    /**
     * Gradients of the chain's output x_L w.r.t. each x_l, l = 0..L-1 (index l).
     *
     * @param plainBound (w/4)^(L-l), the upper bound of the plain chain's |gradient|
     */
    public record Result(int depth, double weight, double bias, double x0, double[] plainNumeric,
                         double[] plainClosed, double[] residualNumeric, double[] residualClosed, double[] plainBound) {
        /** Largest relative difference between numerical and closed-form gradients, over both chains. */
        public double maxRelativeError() {
            double m = 0;
            for (int l = 0; l < depth; l++) {
                m = Math.max(m, rel(plainNumeric[l], plainClosed[l]));
                m = Math.max(m, rel(residualNumeric[l], residualClosed[l]));
            }
            return m;
        }

        private static double rel(double a, double b) {
            double s = Math.max(Math.abs(a), Math.abs(b));
            return s == 0 ? 0 : Math.abs(a - b) / s;
        }
    }

    private SigmoidChain() {}

    public static Result run(int depth, double w, double b, double x0) {
        if (depth < 1) throw new IllegalArgumentException("--toy-depth must be >= 1, got " + depth);
        if (!Double.isFinite(w) || !Double.isFinite(b) || !Double.isFinite(x0)) {
            throw new IllegalArgumentException("toy chain parameters must be finite");
        }
        double[] plainX = forward(depth, w, b, x0, false), resX = forward(depth, w, b, x0, true);
        double[] pn = new double[depth], pc = new double[depth], rn = new double[depth], rc = new double[depth];
        double[] bound = new double[depth];
        for (int l = 0; l < depth; l++) {
            pn[l] = complexStep(plainX[l], l, depth, w, b, false);
            rn[l] = complexStep(resX[l], l, depth, w, b, true);
            double p = 1, r = 1;
            for (int k = l; k < depth; k++) {
                p *= slope(w * plainX[k] + b) * w;
                r *= 1 + slope(w * resX[k] + b) * w;
            }
            pc[l] = p;
            rc[l] = r;
            bound[l] = Math.pow(MAX_SIGMOID_SLOPE * Math.abs(w), depth - l);
        }
        return new Result(depth, w, b, x0, pn, pc, rn, rc, bound);
    }

    /** x_0..x_L. */
    static double[] forward(int depth, double w, double b, double x0, boolean residual) {
        double[] x = new double[depth + 1];
        x[0] = x0;
        for (int k = 0; k < depth; k++) x[k + 1] = (residual ? x[k] : 0) + sigmoid(w * x[k] + b);
        return x;
    }

    static double sigmoid(double z) { return 1 / (1 + Math.exp(-z)); }

    static double slope(double z) {
        double s = sigmoid(z);
        return s * (1 - s);
    }

    /** d x_L / d x_l by the complex step: run layers l..L-1 on x_l + ih in complex arithmetic. */
    private static double complexStep(double xl, int l, int depth, double w, double b, boolean residual) {
        double re = xl, im = COMPLEX_STEP;
        for (int k = l; k < depth; k++) {
            // σ(u + iv) = 1 / (1 + e^{-u}(cos v - i sin v)) with u + iv = w (re + i im) + b
            double u = w * re + b, v = w * im;
            double e = Math.exp(-u);
            double dr = 1 + e * Math.cos(v), di = -e * Math.sin(v);
            double den = dr * dr + di * di;
            double sr = dr / den, si = -di / den;
            re = (residual ? re : 0) + sr;
            im = (residual ? im : 0) + si;
        }
        return im / COMPLEX_STEP;
    }
}
