package org.jresnet.nn;

import org.jresnet.tensor.Tensor;

/**
 * A learned tensor and its gradient. Both may be rebound to views of the model's flat buffers
 * ({@link Layer#flatten()}), so layers must read {@link #value} and {@link #grad} at each use
 * rather than caching the arrays.
 */
public final class Parameter {
    private final int[] shape;
    /**
     * Made on first use, as the gradient: an inference replica of a network shares its master's
     * values ({@link Layer#shareWeightsOf}) and would otherwise allocate a copy of every weight
     * only to drop it.
     */
    private volatile Tensor value;
    /**
     * Made on first use: a network that only infers (predict, serve, an API replica) never needs
     * it, and a ResNet-50's gradients are as large as its weights (102 MB).
     */
    private volatile Tensor grad;
    /** Excluded from weight decay and updates when frozen (fine-tuning). */
    private boolean frozen;

    public Parameter(int... shape) {
        Tensor.numel(shape);   // a bad shape fails here, not at first use
        this.shape = shape.clone();
    }

    /** The value, zeros until written. */
    public Tensor value() {
        Tensor v = value;
        return v != null ? v : made(false);
    }

    /** This parameter's value becomes {@code from}'s own tensor (no copy); the shapes must agree. */
    void shareValue(Parameter from) {
        if (!java.util.Arrays.equals(shape, from.shape)) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(from.shape) + " for a parameter of "
                    + java.util.Arrays.toString(shape));
        }
        value = from.value();
    }

    /** The gradient, zeros until a backward adds to it. Safe from a parallel backward's threads: made once. */
    public Tensor grad() {
        Tensor g = grad;
        return g != null ? g : made(true);
    }

    /** The gradient or the value, made now (zeros) unless another thread just made it. */
    private synchronized Tensor made(boolean gradient) {
        if (gradient) {
            if (grad == null) grad = Tensor.zeros(shape);
            return grad;
        }
        if (value == null) value = Tensor.zeros(shape);
        return value;
    }

    /** Whether {@link #grad} was made (tests: inference makes none). */
    boolean gradMade() { return grad != null; }

    /** Zeroes the gradient, if one was made. */
    void zeroGrad() {
        Tensor g = grad;
        if (g != null) g.fill(0f);
    }
    public int[] shape() { return shape.clone(); }
    public int size() { return Tensor.numel(shape); }
    public boolean frozen() { return frozen; }
    public void setFrozen(boolean f) { frozen = f; }

    synchronized void bind(Tensor v, Tensor g) {
        if (value != null) v.copyFrom(value);
        else v.fill(0f);
        if (grad != null) g.copyFrom(grad);
        else g.fill(0f);
        value = v;
        grad = g;
    }
}
