package org.jresnet.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor: a shape and a window {@code [offset, offset + size)} of a float array.
 *
 * <p>Activations are NHWC ({@code [N, H, W, C]}, channels innermost) because the channel axis is
 * the one SIMD lanes run along in every kernel: a 1x1 convolution is then a plain row-major GEMM
 * {@code [N*H*W, Cin] x [Cin, Cout]} and BN/ReLU are contiguous per pixel. Parameters keep
 * PyTorch's layout (conv weight {@code [Cout, Cin, KH, KW]}, fc weight {@code [out, in]}) so a
 * state_dict loads and saves without reordering; convolutions repack their weights per step.
 *
 * <p>A tensor may be a view into a larger array (the model's flat parameter buffer), which is
 * why kernels always take {@code (array, offset)} pairs.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;
    private final int offset;
    private final int size;
    /**
     * The array is this tensor's own storage, made by {@link #zeros} or {@link #reuse} (not a view
     * into somebody else's array), so {@link #reuse} may hand it out again under another shape.
     */
    private final boolean ownStorage;

    public Tensor(float[] data, int offset, int... shape) {
        this(data, offset, shape, false);
    }

    private Tensor(float[] data, int offset, int[] shape, boolean ownStorage) {
        this.ownStorage = ownStorage;
        this.shape = shape.clone();
        this.data = data;
        this.offset = offset;
        this.size = numel(shape);
        if (offset < 0 || offset + size > data.length) {
            throw new IllegalArgumentException("tensor window " + offset + "+" + size
                    + " exceeds array of " + data.length);
        }
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[numel(shape)], 0, shape, true);
    }

    public static Tensor of(float[] data, int... shape) {
        if (data.length != numel(shape)) {
            throw new IllegalArgumentException("data length " + data.length + " != shape size "
                    + numel(shape) + " " + Arrays.toString(shape));
        }
        return new Tensor(data, 0, shape);
    }

    public static int numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    public int[] shape() { return shape.clone(); }
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }
    public int rank() { return shape.length; }
    public int size() { return size; }
    public float[] data() { return data; }
    public int offset() { return offset; }

    public boolean hasShape(int... s) { return Arrays.equals(shape, s); }

    public float get(int i) { return data[offset + i]; }
    public void set(int i, float v) { data[offset + i] = v; }

    /** A copy of this tensor's elements. */
    public float[] toArray() { return Arrays.copyOfRange(data, offset, offset + size); }

    public Tensor copy() { return of(toArray(), shape); }

    public void fill(float v) { Arrays.fill(data, offset, offset + size, v); }

    public void copyFrom(Tensor src) {
        if (src.size != size) throw new IllegalArgumentException("size mismatch " + src.size + " vs " + size);
        System.arraycopy(src.data, src.offset, data, offset, size);
    }

    /**
     * A layer's buffer for {@code shape}: {@code t} itself when it already has the shape; a view of
     * {@code t}'s own storage when that holds enough floats; else new zeros. Buffers live across
     * steps, and batch sizes that come and go (a server's batches of 1 to 16, an epoch's last
     * partial batch, a test pass at another batch size) reuse the largest one's storage instead
     * of allocating and zeroing hundreds of megabytes per pass. As with an unchanged shape, the
     * contents are whatever the last pass left, and the previous tensor over the same storage is
     * overwritten by the next pass: callers copy what they keep.
     */
    public static Tensor reuse(Tensor t, int... shape) {
        if (t == null) return zeros(shape);
        if (t.hasShape(shape)) return t;
        if (t.ownStorage && numel(shape) <= t.data.length) return new Tensor(t.data, 0, shape, true);
        return zeros(shape);
    }

    public String shapeString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) b.append('x');
            b.append(shape[i]);
        }
        return b.toString();
    }

    @Override public String toString() { return "Tensor[" + shapeString() + "]"; }
}
