package org.jresnet.nn;

import org.jresnet.tensor.Tensor;

/**
 * A learned tensor and its gradient. Both may be rebound to views of the model's flat buffers
 * ({@link Layer#flatten()}), so layers must read {@link #value} and {@link #grad} at each use
 * rather than caching the arrays.
 */
public final class Parameter {
    Tensor value;
    Tensor grad;
    /** Excluded from weight decay and updates when frozen (fine-tuning). */
    private boolean frozen;

    public Parameter(int... shape) {
        this.value = Tensor.zeros(shape);
        this.grad = Tensor.zeros(shape);
    }

    public Tensor value() { return value; }
    public Tensor grad() { return grad; }
    public int[] shape() { return value.shape(); }
    public int size() { return value.size(); }
    public boolean frozen() { return frozen; }
    public void setFrozen(boolean f) { frozen = f; }

    void bind(Tensor v, Tensor g) {
        v.copyFrom(value);
        g.copyFrom(grad);
        value = v;
        grad = g;
    }
}
