package org.jresnet.io;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Element types of the safetensors format that jresnet reads. Floating types load as float32 (F64
 * rounds, F16/BF16 widen exactly); integer types load as long (BN's {@code num_batches_tracked} is
 * I64). Writing is limited to types that hold our float/long values losslessly.
 */
public enum DType {
    F64(8, true, true), F32(4, true, true), F16(2, true, false), BF16(2, true, false),
    I64(8, false, true), I32(4, false, true), I16(2, false, true), I8(1, false, true),
    U8(1, false, true), BOOL(1, false, true);

    /** Names the format defines that jresnet does not read (so the error can say "unsupported"). */
    static final java.util.Set<String> KNOWN_UNSUPPORTED = java.util.Set.of("U16", "U32", "U64", "F8_E5M2", "F8_E4M3");

    public final int bytes;
    public final boolean floating;
    public final boolean writable;

    DType(int bytes, boolean floating, boolean writable) {
        this.bytes = bytes;
        this.floating = floating;
        this.writable = writable;
    }

    public static Optional<DType> parse(String name) {
        for (DType d : values()) if (d.name().equals(name)) return Optional.of(d);
        return Optional.empty();
    }

    static String supportedList() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }

    /** Reads {@code n} elements from little-endian {@code in} into {@code out[off..]}. */
    void decodeFloats(ByteBuffer in, float[] out, int off, int n) {
        switch (this) {
            case F32 -> in.asFloatBuffer().get(out, off, n);
            case F64 -> { for (int i = 0; i < n; i++) out[off + i] = (float) in.getDouble(i * 8); }
            case F16 -> { for (int i = 0; i < n; i++) out[off + i] = halfToFloat(in.getShort(i * 2)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[off + i] = Float.intBitsToFloat((in.getShort(i * 2) & 0xffff) << 16); }
            default -> throw new IllegalStateException(this + " is not a floating type");
        }
    }

    void decodeLongs(ByteBuffer in, long[] out, int off, int n) {
        switch (this) {
            case I64 -> in.asLongBuffer().get(out, off, n);
            case I32 -> { for (int i = 0; i < n; i++) out[off + i] = in.getInt(i * 4); }
            case I16 -> { for (int i = 0; i < n; i++) out[off + i] = in.getShort(i * 2); }
            case I8 -> { for (int i = 0; i < n; i++) out[off + i] = in.get(i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[off + i] = in.get(i) & 0xff; }
            default -> throw new IllegalStateException(this + " is not an integer type");
        }
    }

    void encodeFloats(float[] in, int off, int n, ByteBuffer out) {
        switch (this) {
            case F32 -> { for (int i = 0; i < n; i++) out.putFloat(in[off + i]); }
            case F64 -> { for (int i = 0; i < n; i++) out.putDouble(in[off + i]); }
            default -> throw new IllegalArgumentException("writing float data as " + this + " is not supported");
        }
    }

    void encodeLongs(long[] in, int off, int n, ByteBuffer out) {
        for (int i = 0; i < n; i++) {
            long v = in[off + i];
            switch (this) {
                case I64 -> out.putLong(v);
                case I32 -> out.putInt(Math.toIntExact(v));
                case I16 -> out.putShort((short) checkRange(v, Short.MIN_VALUE, Short.MAX_VALUE));
                case I8 -> out.put((byte) checkRange(v, Byte.MIN_VALUE, Byte.MAX_VALUE));
                case U8 -> out.put((byte) checkRange(v, 0, 255));
                case BOOL -> out.put((byte) checkRange(v, 0, 1));
                default -> throw new IllegalArgumentException("writing integer data as " + this + " is not supported");
            }
        }
    }

    private long checkRange(long v, long lo, long hi) {
        if (v < lo || v > hi) throw new IllegalArgumentException("value " + v + " does not fit " + this);
        return v;
    }

    /** IEEE 754 binary16 to float32 (exact: every half is a float). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf / NaN
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero): mant * 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
