package org.jresnet.io.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.jresnet.io.torch.TorchCheckpointException.Fault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pickle interpreter and the legacy container on hand-written streams: the values it builds,
 * and one documented failure (a {@link TorchCheckpointException} with a one-line message) for
 * every malformed or hostile stream, including a few thousand random mutations.
 */
class PickleMachineTest {
    private static final Path FILE = Path.of("test.pth");
    @TempDir Path tmp;

    private static Object run(byte[] pickle) throws TorchCheckpointException {
        return new PickleMachine(ByteBuffer.wrap(pickle), FILE, Limits.DEFAULT, null).run();
    }

    @Test void buildsDataAndLeavesGlobalsInert() throws Exception {
        // {'a': [1, 'x', None], 'b': os.system('touch /tmp/x')}, protocol 2
        byte[] p = new PickleBytes().proto(2).emptyDict().mark()
                .str("a").emptyList().mark().binint(1).str("x").none().appends()
                .str("b").global("os", "system").mark().str("touch /tmp/x").tuple().reduce()
                .setitems().stop().bytes();
        Object v = run(p);
        assertThat(v).isInstanceOf(Py.Dict.class);
        Py.Dict d = (Py.Dict) v;
        assertThat(((Py.PyList) d.map.get("a")).items).containsExactly(1L, "x", Py.NONE);
        Py.Placeholder ph = (Py.Placeholder) d.map.get("b");
        assertThat(ph.global.qualified()).isEqualTo("os.system");
    }

    @Test void protocolZeroText() throws Exception {
        // (dp0\nS'k\\x41'\np1\nI01\nsV\u00e9\\u20ac\nL12345678901234567890L\ns.
        byte[] p = ("(dp0\nS'k\\x41'\np1\nI01\nsV\u00e9\\u20ac\nL12345678901234567890L\ns.")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Py.Dict d = (Py.Dict) run(p);
        assertThat(d.map.get("kA")).isEqualTo(Boolean.TRUE);
        assertThat(d.map.get("\u00e9\u20ac")).isEqualTo(new java.math.BigInteger("12345678901234567890"));
    }

    @Test void malformedStreamsFailWithOneException() {
        byte[][] bad = {
            {},                                         // empty
            {(byte) 0x80, 2},                           // no STOP
            {'.'},                                      // STOP on an empty stack
            {'t', '.'},                                 // TUPLE without MARK
            {(byte) 0xff, '.'},                         // unknown opcode
            {'h', 5, '.'},                              // GET of a memo never stored
            {(byte) 0x80, 9, 'N', '.'},                 // protocol 9
            {'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, '.'},   // 2 GiB string
            {(byte) 0x8b, 0, 0, 0, 0x40, '.'},          // LONG4 of 1 GiB
            {(byte) 0x82, 1, '.'},                      // EXT1
            {'N', 'N', 'R', '.'},                       // REDUCE of None
            {'}', ']', ']', 's', '.'},                  // unhashable key
            {'F', 'x', '\n', '.'},                      // bad float
            {'S', 'a', 'b', '\n', '.'},                 // unquoted STRING
        };
        for (byte[] b : bad) {
            assertThatThrownBy(() -> run(b)).isInstanceOf(TorchCheckpointException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test void deepNestingIsCapped() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) b.write(']');            // a list ...
        for (int i = 0; i < 100_000 - 1; i++) b.write('a');        // ... appended into the one below it
        b.write('.');
        assertThatThrownBy(() -> run(b.toByteArray())).isInstanceOf(TorchCheckpointException.class)
                .hasMessageContaining("nested deeper than");
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        t.write(')');
        for (int i = 0; i < 100_000; i++) t.write(0x85);            // TUPLE1 of TUPLE1 of ...
        t.write('.');
        assertThatThrownBy(() -> run(t.toByteArray())).extracting(e -> ((TorchCheckpointException) e).fault())
                .isEqualTo(Fault.LIMIT);
    }

    @Test void memoAndObjectFloodsAreCapped() {
        Limits small = new Limits(1 << 20, 1 << 10, 16, 50, 100, 1000, 10, 8, 1 << 20);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.write('N');
        for (int i = 0; i < 200; i++) m.write(0x94);                // MEMOIZE
        m.write('.');
        assertThatThrownBy(() -> new PickleMachine(ByteBuffer.wrap(m.toByteArray()), FILE, small, null).run())
                .hasMessageContaining("memo entries");
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        d.write('N');
        for (int i = 0; i < 5000; i++) d.write('2');                // DUP
        d.write('.');
        assertThatThrownBy(() -> new PickleMachine(ByteBuffer.wrap(d.toByteArray()), FILE, small, null).run())
                .hasMessageContaining("objects");
    }

    // ------------------------------------------------------------------ legacy files built by hand

    /** A legacy checkpoint {'w': tensor} with one storage of {@code numel} floats, {@code stored} of them present. */
    private Path legacy(long declaredStorage, int offset, long size, long fileNumel, int storedFloats) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(PickleBytes.legacyHeader());
        f.writeBytes(new PickleBytes().proto(2).emptyDict().str("w").tensor1d("0", declaredStorage, offset, size)
                .op('s').stop().bytes());
        f.writeBytes(new PickleBytes().proto(2).emptyList().str("0").op('a').stop().bytes());
        f.writeBytes(PickleBytes.le8(fileNumel));
        for (int i = 0; i < storedFloats; i++) f.writeBytes(PickleBytes.le4(Float.floatToIntBits(i + 0.5f)));
        Path p = tmp.resolve("legacy-" + System.nanoTime() + ".pth");
        Files.write(p, f.toByteArray());
        return p;
    }

    @Test void legacyFileReads() throws Exception {
        var c = TorchCheckpoints.read(legacy(6, 2, 3, 6, 6));
        assertThat(c.container()).startsWith("legacy");
        assertThat(c.stateDict().get("w").floats()).containsExactly(2.5f, 3.5f, 4.5f);
    }

    @Test void legacyBoundsAreChecked() throws Exception {
        Object[][] cases = {
            {legacy(6, 0, 6, 6, 3), Fault.OUT_OF_BOUNDS, "past the end"},            // storage past the file
            {legacy(6, 4, 3, 6, 6), Fault.OUT_OF_BOUNDS, "reaches element"},         // view past its storage
            {legacy(1L << 40, 0, 3, 1L << 40, 6), Fault.LIMIT, "more than 2 GiB"},   // huge declared storage
            {legacy(6, 0, 1L << 40, 6, 6), Fault.LIMIT, "exceeds"},                  // huge tensor
            {legacy(6, 0, 3, 5, 6), Fault.BAD_CONTAINER, "declared with"},           // count disagrees
        };
        for (Object[] c : cases) {
            assertThatThrownBy(() -> TorchCheckpoints.read((Path) c[0])).isInstanceOf(TorchCheckpointException.class)
                    .hasMessageContaining((String) c[2])
                    .extracting(e -> ((TorchCheckpointException) e).fault()).isEqualTo(c[1]);
        }
    }

    /** Truncations and byte flips of a valid file: each either reads or fails with the one exception. */
    @Test void mutationsNeverEscapeTheContract() throws Exception {
        byte[] good = Files.readAllBytes(legacy(6, 2, 3, 6, 6));
        Random r = new Random(14);
        Path p = tmp.resolve("mutant.pth");
        int refused = 0;
        for (int i = 0; i < 1500; i++) {
            byte[] m = i < good.length ? java.util.Arrays.copyOf(good, i) : good.clone();
            if (i >= good.length) for (int k = 0; k <= r.nextInt(3); k++) m[r.nextInt(m.length)] = (byte) r.nextInt(256);
            Files.write(p, m);
            try {
                TorchCheckpoints.read(p);
            } catch (TorchCheckpointException e) {
                assertThat(e.getMessage()).doesNotContain("\n");
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(good.length - 1);
    }
}
