package org.jresnet.nn;

import org.jresnet.tensor.Tensor;

/**
 * A learned tensor and its gradient. Both may be rebound to views of the model's flat buffers
 * ({@link Layer#flatten()}), so layers must read {@link #value} and {@link #grad} at each use
 * rather than caching the arrays.
 */
public final class Parameter {
    Tensor value;
    /**
     * Made on first use: a network that only infers (predict, serve, an API replica) never needs
     * it, and a ResNet-50's gradients are as large as its weights (102 MB).
     */
    private volatile Tensor grad;
    /** Excluded from weight decay and updates when frozen (fine-tuning). */
    private boolean frozen;

    public Parameter(int... shape) {
        this.value = Tensor.zeros(shape);
    }

    public Tensor value() { return value; }

    /** The gradient, zeros until a backward adds to it. Safe from a parallel backward's threads: made once. */
    public Tensor grad() {
        Tensor g = grad;
        if (g == null) {
            synchronized (this) {
                g = grad;
                if (g == null) grad = g = Tensor.zeros(value.shape());
            }
        }
        return g;
    }

    /** Whether {@link #grad} was made (tests: inference makes none). */
    boolean gradMade() { return grad != null; }

    /** Zeroes the gradient, if one was made. */
    void zeroGrad() {
        Tensor g = grad;
        if (g != null) g.fill(0f);
    }
    public int[] shape() { return value.shape(); }
    public int size() { return value.size(); }
    public boolean frozen() { return frozen; }
    public void setFrozen(boolean f) { frozen = f; }

    synchronized void bind(Tensor v, Tensor g) {
        v.copyFrom(value);
        if (grad != null) g.copyFrom(grad);
        else g.fill(0f);
        value = v;
        grad = g;
    }
}
