package org.jresnet.io.torch;

import java.util.Arrays;

/**
 * A tensor read from a checkpoint: its storage's element type, its shape, and its values in
 * row-major order, as float (floating types) or long (integer types); exactly one array is set.
 */
public record TorchTensor(ElementType type, int[] shape, float[] floats, long[] longs) {
    @Override public int[] shape() { return shape.clone(); }

    @Override public String toString() { return type.name().toLowerCase() + Arrays.toString(shape); }
}
