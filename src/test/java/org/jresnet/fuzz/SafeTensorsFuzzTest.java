package org.jresnet.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jresnet.io.DType;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.TensorData;

/**
 * safetensors files from strangers: real files (written by {@link SafeTensors#write}) with bytes
 * mutated, and headers generated field by field (dtypes known and unknown, shapes and offsets at
 * the edges of int, long and 2^53, metadata of every JSON type, bodies short and long). Each case
 * is read in the worker JVM: a {@code SafeTensorsException} with a one-line message, or tensors
 * whose sizes match their shapes and that write and read back the same.
 */
@Tag("fuzz")
class SafeTensorsFuzzTest {
    private static FuzzWorkers worker;
    private static List<byte[]> seeds;

    @BeforeContainer
    static void start() throws IOException {
        worker = new FuzzWorkers("safetensors");
        seeds = new ArrayList<>();
        Path dir = Files.createTempDirectory("jresnet-fuzz-seeds");
        List<Map<String, TensorData>> files = List.of(
                Map.of(),
                Map.of("w", TensorData.f32(new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, 7f}, 2, 3)),
                new LinkedHashMap<>(Map.of("conv1.weight", TensorData.f32(new float[8], 2, 1, 2, 2),
                        "bn.num_batches_tracked", TensorData.i64(new long[] {123456789012L}),
                        "empty", TensorData.f32(new float[0], 0, 3))));
        int k = 0;
        for (Map<String, TensorData> t : files) {
            Path p = dir.resolve(k++ + ".safetensors");
            SafeTensors.write(p, t, k == 2 ? Map.of("model", "resnet20", "format", "pt") : Map.of());
            seeds.add(Files.readAllBytes(p));
        }
        FuzzWorkers.deleteTree(dir);
    }

    @AfterContainer
    static void stop() {
        worker.close();
    }

    @Property
    void mutatedFilesAreReadOrRefusedInOneLine(@ForAll @IntRange(min = 0, max = 2) int seedIndex, @ForAll long seed,
                                               @ForAll @IntRange(min = 1, max = 8) int mutations) {
        byte[] b = new Mutator(seed, false, true).mutate(seeds.get(seedIndex), mutations);
        worker.runFile("case.safetensors", b);
    }

    @Property
    void generatedHeadersAreReadOrRefusedInOneLine(@ForAll("headers") String header, @ForAll @IntRange(min = -2, max = 2) int lengthError,
                                                   @ForAll @IntRange(min = 0, max = 300) int bodyBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + bodyBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length + (lengthError == 2 ? 1L << 40 : lengthError == -2 ? -json.length - 8 : lengthError));
        b.put(json);
        worker.runFile("case.safetensors", b.array());
    }

    private static final List<String> DTYPES = new ArrayList<>();
    static {
        for (DType d : DType.values()) DTYPES.add("\"" + d.name() + "\"");
        DTYPES.addAll(List.of("\"F8_E4M3\"", "\"C64\"", "\"f32\"", "\"\"", "null", "32", "[\"F32\"]", "{}"));
    }

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.integers().between(0, 64).map(String::valueOf),
                Arbitraries.of("-1", "2147483647", "2147483648", "4294967296", "9007199254740992", "9007199254740993",
                        "9223372036854775807", "18446744073709551616", "1e3", "1.5", "-0", "null", "\"4\"", "[]"));
        Arbitrary<String> shape = number.list().ofMaxSize(5).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> shapeField = Arbitraries.oneOf(shape, Arbitraries.of("null", "3", "\"[2]\"", "{}"));
        Arbitrary<String> offsets = Arbitraries.oneOf(number.list().ofMinSize(2).ofMaxSize(2).map(l -> "[" + String.join(",", l) + "]"),
                number.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"));
        Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(12),
                Arbitraries.of("w", "__metadata__", "a.b", "", "\u00e9", "x\u0000y"));
        Arbitrary<String> entry = Combinators.combine(name, Arbitraries.of(DTYPES), shapeField, offsets, Arbitraries.integers().between(0, 9))
                .as((n, dt, sh, off, drop) -> quote(n) + ":{" + (drop == 0 ? "" : "\"dtype\":" + dt + ",")
                        + (drop == 1 ? "" : "\"shape\":" + sh + ",") + "\"data_offsets\":" + off + "}");
        Arbitrary<String> metaValue = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(8).map(SafeTensorsFuzzTest::quote),
                Arbitraries.of("1", "null", "[]", "{}", "true"));
        Arbitrary<String> metadata = Combinators.combine(Arbitraries.strings().ofMaxLength(6), metaValue)
                .as((k, v) -> quote(k) + ":" + v).list().ofMaxSize(3)
                .map(l -> "\"__metadata__\":{" + String.join(",", l) + "}");
        Arbitrary<List<String>> parts = Combinators.combine(entry.list().ofMaxSize(4), metadata.optional())
                .as((es, m) -> {
                    List<String> all = new ArrayList<>(es);
                    m.ifPresent(x -> all.add(0, x));
                    return all;
                });
        return Combinators.combine(parts, Arbitraries.integers().between(0, 7))
                .as((p, pad) -> "{" + String.join(",", p) + "}" + " ".repeat(pad));
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
