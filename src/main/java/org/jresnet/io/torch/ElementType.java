package org.jresnet.io.torch;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The storage classes a checkpoint may name ({@code torch.FloatStorage}, {@code torch.cuda.HalfStorage},
 * ...): element size and how one element is decoded. Floating types decode to float (float64 rounds,
 * float16 and bfloat16 widen exactly), the others to long.
 */
public enum ElementType {
    FLOAT32("FloatStorage", 4, true), FLOAT64("DoubleStorage", 8, true), FLOAT16("HalfStorage", 2, true),
    BFLOAT16("BFloat16Storage", 2, true), INT64("LongStorage", 8, false), INT32("IntStorage", 4, false),
    INT16("ShortStorage", 2, false), INT8("CharStorage", 1, false), UINT8("ByteStorage", 1, false),
    BOOL("BoolStorage", 1, false);

    public final String storageClass;
    public final int bytes;
    public final boolean floating;

    ElementType(String storageClass, int bytes, boolean floating) {
        this.storageClass = storageClass;
        this.bytes = bytes;
        this.floating = floating;
    }

    /** The type of a storage global: {@code torch.<X>Storage} or {@code torch.cuda.<X>Storage}. */
    static Optional<ElementType> ofGlobal(String module, String name) {
        if (!module.equals("torch") && !module.equals("torch.cuda")) return Optional.empty();
        for (ElementType t : values()) if (t.storageClass.equals(name)) return Optional.of(t);
        return Optional.empty();
    }

    float decodeFloat(ByteBuffer b, int byteIndex) {
        return switch (this) {
            case FLOAT32 -> b.getFloat(byteIndex);
            case FLOAT64 -> (float) b.getDouble(byteIndex);
            case FLOAT16 -> halfToFloat(b.getShort(byteIndex));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(byteIndex) & 0xffff) << 16);
            default -> throw new IllegalStateException(this + " is not floating");
        };
    }

    long decodeLong(ByteBuffer b, int byteIndex) {
        return switch (this) {
            case INT64 -> b.getLong(byteIndex);
            case INT32 -> b.getInt(byteIndex);
            case INT16 -> b.getShort(byteIndex);
            case INT8 -> b.get(byteIndex);
            case UINT8, BOOL -> b.get(byteIndex) & 0xff;
            default -> throw new IllegalStateException(this + " is not an integer type");
        };
    }

    /** IEEE 754 binary16 to float32, exactly (Float.float16ToFloat needs Java 20). */
    private static float halfToFloat(short h) {
        int bits = h & 0xffff, sign = (bits & 0x8000) << 16, exp = (bits >>> 10) & 0x1f, mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
