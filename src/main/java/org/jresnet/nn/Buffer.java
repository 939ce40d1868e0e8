package org.jresnet.nn;

import org.jresnet.tensor.Tensor;

/**
 * Running state that is saved with the model but not learned (BN's running mean/var and its
 * batch counter). {@code integer} buffers are stored as I64 in safetensors, as PyTorch does for
 * {@code num_batches_tracked}.
 */
public final class Buffer {
    private Tensor value;
    private final boolean integer;

    public Buffer(boolean integer, int... shape) {
        this.value = Tensor.zeros(shape);
        this.integer = integer;
    }

    public Tensor value() { return value; }

    /** This buffer's value becomes {@code from}'s own tensor (no copy), as {@link Parameter}'s for a replica. */
    void shareValue(Buffer from) {
        if (!value.hasShape(from.value.shape()) || integer != from.integer) {
            throw new IllegalArgumentException(from.value + " for a buffer of " + value);
        }
        value = from.value;
    }
    public boolean integer() { return integer; }
}
