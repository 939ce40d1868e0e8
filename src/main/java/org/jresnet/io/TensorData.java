package org.jresnet.io;

import java.util.Arrays;
import org.jresnet.tensor.Tensor;

/**
 * One named entry of a safetensors file, in memory: its stored dtype, its shape and its values
 * (float32 for floating dtypes, long for integer ones; exactly one of the arrays is non-null).
 */
public record TensorData(DType dtype, int[] shape, float[] floats, long[] longs) {

    public TensorData {
        shape = shape.clone();
        int n = Tensor.numel(shape);
        if ((floats == null) == (longs == null)) throw new IllegalArgumentException("exactly one of floats/longs");
        if (dtype.floating != (floats != null)) {
            throw new IllegalArgumentException(dtype + " needs " + (dtype.floating ? "float" : "long") + " values");
        }
        int len = floats != null ? floats.length : longs.length;
        if (len != n) throw new IllegalArgumentException(len + " values for shape " + Arrays.toString(shape));
    }

    public static TensorData f32(float[] values, int... shape) {
        return new TensorData(DType.F32, shape, values, null);
    }

    public static TensorData f32(Tensor t) {
        return f32(t.toArray(), t.shape());
    }

    public static TensorData i64(long[] values, int... shape) {
        return new TensorData(DType.I64, shape, null, values);
    }

    @Override public int[] shape() { return shape.clone(); }

    public int size() { return Tensor.numel(shape); }

    /** Values as float32, integer dtypes converted. */
    public float[] toFloats() {
        if (floats != null) return floats;
        float[] f = new float[longs.length];
        for (int i = 0; i < f.length; i++) f[i] = longs[i];
        return f;
    }

    public Tensor toTensor() {
        return Tensor.of(toFloats().clone(), shape);
    }

    public String shapeString() { return Arrays.toString(shape); }
}
