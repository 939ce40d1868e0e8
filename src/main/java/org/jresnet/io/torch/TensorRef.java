package org.jresnet.io.torch;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.jresnet.io.torch.TorchCheckpointException.Fault;

/**
 * A tensor as a checkpoint describes it: a strided view (offset, sizes, strides, in elements) of a
 * storage. Built by the allow-listed rebuild functions, which check that every element the view can
 * reach lies inside the storage's declared count; no element is read until {@link #materialise}.
 */
record TensorRef(Storage storage, long offset, int[] shape, long[] stride, long numel) {

    static TensorRef of(Storage storage, long offset, long[] size, long[] stride, Path file, Limits limits)
            throws TorchCheckpointException {
        if (size.length != stride.length) {
            throw new TorchCheckpointException(file, Fault.BAD_PICKLE, "tensor of " + size.length + " sizes but "
                    + stride.length + " strides");
        }
        if (size.length > limits.maxDims()) {
            throw new TorchCheckpointException(file, Fault.LIMIT, "tensor of " + size.length + " dimensions (limit "
                    + limits.maxDims() + ")");
        }
        if (offset < 0) throw new TorchCheckpointException(file, Fault.OUT_OF_BOUNDS, "negative storage offset " + offset);
        long numel = 1, last = offset;
        int[] shape = new int[size.length];
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0 || stride[i] < 0) {
                throw new TorchCheckpointException(file, Fault.BAD_PICKLE, "tensor size " + Arrays.toString(size)
                        + " / stride " + Arrays.toString(stride) + " has a negative entry");
            }
            if (size[i] > limits.maxTensorElements()) {
                throw new TorchCheckpointException(file, Fault.LIMIT, "tensor size " + Arrays.toString(size)
                        + " exceeds " + limits.maxTensorElements() + " elements");
            }
            shape[i] = (int) size[i];
            numel *= size[i];   // both factors <= 2^31, and numel stays <= 2^31 or we stop below
            if (numel > limits.maxTensorElements()) {
                throw new TorchCheckpointException(file, Fault.LIMIT, "tensor size " + Arrays.toString(size)
                        + " exceeds " + limits.maxTensorElements() + " elements");
            }
        }
        if (numel > 0) {
            for (int i = 0; i < size.length; i++) {
                // (size-1)*stride: stride may be huge; saturate instead of overflowing.
                long reach = size[i] <= 1 ? 0 : stride[i] > Long.MAX_VALUE / (size[i] - 1) ? Long.MAX_VALUE : (size[i] - 1) * stride[i];
                last = reach > Long.MAX_VALUE - last ? Long.MAX_VALUE : last + reach;
            }
            if (last >= storage.numel()) {
                throw new TorchCheckpointException(file, Fault.OUT_OF_BOUNDS, "tensor " + Arrays.toString(size)
                        + " (offset " + offset + ", stride " + Arrays.toString(stride) + ") reaches element "
                        + (last == Long.MAX_VALUE ? "beyond 2^63" : String.valueOf(last)) + " of storage '" + storage.key()
                        + "', which has " + storage.numel());
            }
        }
        return new TensorRef(storage, offset, shape, stride, numel);
    }

    String shapeString() { return Arrays.toString(shape); }

    /** Reads the view's elements in row-major order. */
    TorchTensor materialise(Path file) throws TorchCheckpointException {
        ByteBuffer b = storage.rootBytes(file);
        ElementType t = storage.type();
        int n = (int) numel;
        float[] f = t.floating ? new float[n] : null;
        long[] l = t.floating ? null : new long[n];
        long base = storage.rootOffset() + offset;
        int dims = shape.length;
        int[] idx = new int[dims];
        long pos = base;
        for (int i = 0; i < n; i++) {
            long byteIndex = pos * t.bytes;
            if (byteIndex < 0 || byteIndex > b.limit() - t.bytes) {
                // Unreachable when the container bound the storage correctly; kept as a last guard.
                throw new TorchCheckpointException(file, Fault.OUT_OF_BOUNDS, "element " + pos + " of storage '"
                        + storage.key() + "' lies outside its " + b.limit() + " bytes");
            }
            if (f != null) f[i] = t.decodeFloat(b, (int) byteIndex);
            else l[i] = t.decodeLong(b, (int) byteIndex);
            for (int d = dims - 1; d >= 0; d--) {   // odometer over the view's indices
                pos += stride[d];
                if (++idx[d] < shape[d]) break;
                pos -= stride[d] * shape[d];
                idx[d] = 0;
            }
        }
        return new TorchTensor(t, shape, f, l);
    }
}
