package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jresnet.io.SafeTensorsException.Fault;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("smoke")
class SafeTensorsTest {
    @TempDir Path dir;

    // ------------------------------------------------------------------ helpers

    private static byte[] le(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /** A file with the given JSON header (its true length) followed by {@code data}. */
    private Path file(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return raw(concat(le(h.length), h, data));
    }

    private Path raw(byte[] bytes) throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, bytes);
        return p;
    }

    private static void assertFault(Path p, Fault fault, String fragment) {
        assertThatThrownBy(() -> SafeTensors.read(p))
                .isInstanceOf(SafeTensorsException.class)
                .hasMessageStartingWith(p.toString() + ": ")
                .hasMessageContaining(fragment)
                .satisfies(e -> assertThat(((SafeTensorsException) e).fault()).isEqualTo(fault))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void writesAndReadsBackValuesShapesOrderAndMetadata() throws IOException {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("conv1.weight", TensorData.f32(new float[] {1, -2.5f, 3e-8f, Float.MAX_VALUE, -0f, 6}, 2, 1, 3, 1));
        t.put("bn1.num_batches_tracked", TensorData.i64(new long[] {1L << 40}));
        t.put("empty", TensorData.f32(new float[0], 0, 5));
        t.put("fc.bias", TensorData.f32(new float[] {0.125f}, 1));
        Map<String, String> meta = Map.of("model", "resnet20", "classes", "[\"a\",\"b\"]");
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, t, meta);

        SafeTensorsFile f = SafeTensors.read(p);
        assertThat(f.metadata()).isEqualTo(meta);
        assertThat(f.tensors().keySet()).containsExactly("conv1.weight", "bn1.num_batches_tracked", "empty", "fc.bias");
        assertThat(f.get("conv1.weight").floats()).containsExactly(1, -2.5f, 3e-8f, Float.MAX_VALUE, -0f, 6);
        assertThat(f.get("conv1.weight").shape()).containsExactly(2, 1, 3, 1);
        assertThat(f.get("bn1.num_batches_tracked").dtype()).isEqualTo(DType.I64);
        assertThat(f.get("bn1.num_batches_tracked").longs()).containsExactly(1L << 40);
        assertThat(f.get("bn1.num_batches_tracked").shape()).isEmpty();
        assertThat(f.get("empty").shape()).containsExactly(0, 5);
        assertThat(Files.list(dir)).containsExactly(p); // the atomic writer's temp file is gone
    }

    @Test
    void headerIsSpacePaddedSoDataStartsEightByteAligned() throws IOException {
        Path p = dir.resolve("a.safetensors");
        SafeTensors.write(p, Map.of("x", TensorData.f32(new float[] {1, 2, 3}, 3)), Map.of());
        byte[] b = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        assertThat(b.length).isEqualTo(8 + n + 12);
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{").contains("\"data_offsets\":[0,12]").doesNotContain("__metadata__");
        assertThat(header.substring(header.lastIndexOf('}') + 1)).matches(" *");
    }

    @Test
    void convertsHalfBfloatAndDoubleToFloat() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(5 * 2 + 2 * 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
        // F16: 1.0, -2.0, 0.5, smallest subnormal 2^-24, +inf
        for (int h : new int[] {0x3C00, 0xC000, 0x3800, 0x0001, 0x7C00}) d.putShort((short) h);
        // BF16: the top half of float32's bits
        d.putShort((short) (Float.floatToIntBits(-3.5f) >>> 16)).putShort((short) (Float.floatToIntBits(1e20f) >>> 16));
        d.putDouble(0.1);
        String h = "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[10,14]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[14,22]}}";
        SafeTensorsFile f = SafeTensors.read(file(h, d.array()));
        assertThat(f.get("h").floats()).containsExactly(1f, -2f, 0.5f, 0x1p-24f, Float.POSITIVE_INFINITY);
        assertThat(f.get("b").floats()[0]).isEqualTo(-3.5f);
        assertThat(f.get("b").floats()[1]).isEqualTo(Float.intBitsToFloat(Float.floatToIntBits(1e20f) & 0xffff0000));
        assertThat(f.get("d").floats()).containsExactly(0.1f);
    }

    @Test
    void readsTensorsStoredOutOfHeaderOrder() throws IOException {
        String h = "{\"__metadata__\":{\"k\":\"v\"},\"second\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"first\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        SafeTensorsFile f = SafeTensors.read(file(h, f32(1, 2)));
        assertThat(f.get("first").floats()).containsExactly(1f);
        assertThat(f.get("second").floats()).containsExactly(2f);
        assertThat(f.metadata()).containsEntry("k", "v");
    }

    @Test
    void largeTensorsAreReadAcrossChunks() throws IOException {
        float[] v = new float[(1 << 20) / 4 * 3 + 7];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f;
        Path p = dir.resolve("big.safetensors");
        SafeTensors.write(p, Map.of("v", TensorData.f32(v, v.length)), Map.of());
        assertThat(Arrays.equals(SafeTensors.read(p).get("v").floats(), v)).isTrue();
    }

    // ------------------------------------------------------------------ bad files

    private static final String ONE = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void truncatedBeforeTheHeaderLength() throws IOException {
        assertFault(raw(new byte[] {16, 0, 0}), Fault.TRUNCATED, "truncated: 3 bytes");
    }

    @Test
    void truncatedInTheData() throws IOException {
        assertFault(file(ONE, f32(1)), Fault.TRUNCATED, "describes 8 bytes of tensor data but only 4 follow");
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        byte[] h = ONE.getBytes(StandardCharsets.UTF_8);
        assertFault(raw(concat(le(h.length + 100), h, f32(1, 2))), Fault.HEADER_PAST_END, "reaches past the end of the file");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        assertFault(raw(concat(le(1L << 40), "{}".getBytes(StandardCharsets.UTF_8))), Fault.ABSURD_HEADER_LENGTH,
                "absurd header length 1099511627776");
        assertFault(raw(concat(le(-1L), "{}".getBytes(StandardCharsets.UTF_8))), Fault.ABSURD_HEADER_LENGTH,
                "absurd header length 18446744073709551615");
    }

    @Test
    void notSafetensorsAtAll() throws IOException {
        assertFault(raw("hello, this is a text file\n".getBytes(StandardCharsets.UTF_8)), Fault.NOT_SAFETENSORS,
                "not a safetensors file: no JSON header");
        assertFault(raw(concat(new byte[] {'P', 'K', 3, 4}, new byte[60])), Fault.NOT_SAFETENSORS, "zip archive");
        assertFault(raw(concat(new byte[] {(byte) 0x80, 2, '}', 'q'}, new byte[20])), Fault.NOT_SAFETENSORS, "pickle");
    }

    @Test
    void headerNotJson() throws IOException {
        assertFault(file("{\"x\": nope}", new byte[0]), Fault.HEADER_NOT_JSON, "header is not valid JSON");
        assertFault(file("{\"a\":1}{\"b\":2}", new byte[0]), Fault.HEADER_NOT_JSON, "header is not valid JSON");
        assertFault(file("{\"x\":" + ONE.substring(5, ONE.length() - 1) + ",\"x\":{}}", f32(1, 2)),
                Fault.HEADER_NOT_JSON, "Duplicate field 'x'");
    }

    @Test
    void missingOrUnknownDtype() throws IOException {
        assertFault(file("{\"x\":{\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1, 2)), Fault.BAD_ENTRY, "tensor 'x': missing dtype");
        assertFault(file(ONE.replace("F32", "F33"), f32(1, 2)), Fault.UNKNOWN_DTYPE, "tensor 'x': unknown dtype 'F33'");
        assertFault(file(ONE.replace("F32", "U32"), f32(1, 2)), Fault.UNSUPPORTED_DTYPE, "dtype U32 is not supported");
    }

    @Test
    void malformedEntries() throws IOException {
        assertFault(file("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", f32(1, 2)), Fault.BAD_ENTRY, "shape");
        assertFault(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", f32(1, 2)), Fault.BAD_ENTRY,
                "bad dimension -2");
        assertFault(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2]}}", f32(1, 2)), Fault.BAD_ENTRY, "data_offsets must be");
        assertFault(file("{\"x\":[1,2]}", f32(1, 2)), Fault.BAD_ENTRY, "entry is not an object");
        assertFault(file("{\"__metadata__\":{\"n\":3}}", new byte[0]), Fault.BAD_METADATA, "'n' is not a string");
    }

    @Test
    void shapeAndSizeDisagree() throws IOException {
        assertFault(file(ONE.replace("[2]", "[3]"), f32(1, 2)), Fault.SHAPE_SIZE_MISMATCH,
                "shape [3] of F32 needs 12 bytes but data_offsets [0,8] span 8");
        assertFault(file(ONE.replace("[2]", "[65536,65536,65536,65536]"), f32(1, 2)), Fault.SHAPE_SIZE_MISMATCH,
                "needs too many bytes");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        assertFault(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4000,4004]}}", f32(1, 2)),
                Fault.OFFSETS_OUT_OF_RANGE, "tensor 'b': data_offsets [4000, 4004] out of range (data section has 8 bytes)");
        assertFault(file(ONE.replace("[0,8]", "[8,0]"), f32(1, 2)), Fault.OFFSETS_OUT_OF_RANGE, "end before begin");
        assertFault(file(ONE.replace("[0,8]", "[-8,0]"), f32(1, 2)), Fault.OFFSETS_OUT_OF_RANGE, "out of range");
        assertFault(file(ONE.replace("[0,8]", "[36028797018963968,36028797018963976]"), f32(1, 2)),
                Fault.OFFSETS_OUT_OF_RANGE, "out of range");
    }

    @Test
    void offsetsOverlap() throws IOException {
        assertFault(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f32(1, 2)),
                Fault.OFFSETS_OVERLAP, "tensors 'a' [0, 8) and 'b' [4, 8) overlap");
    }

    @Test
    void offsetsDoNotCoverTheData() throws IOException {
        assertFault(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f32(1, 2)),
                Fault.OFFSETS_GAP, "data bytes [0, 4) belong to no tensor");
        assertFault(file(ONE, f32(1, 2, 3)), Fault.TRAILING_BYTES, "4 bytes after the last tensor");
    }

    @Test
    void writerRefusesReservedNamesAndLeavesNoFileBehind() {
        Path p = dir.resolve("w.safetensors");
        assertThatThrownBy(() -> SafeTensors.write(p, Map.of("__metadata__", TensorData.f32(new float[1], 1)), Map.of()))
                .hasMessageContaining("bad tensor name");
        assertThat(p).doesNotExist();
    }
}
