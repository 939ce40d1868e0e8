package org.jresnet.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Byte-level mutations of a real file, driven by one seed so a failing case is reproduced by its
 * seed (jqwik shrinks the number of mutations). The operations are those of AFL's havoc stage:
 * bit flips, interesting values (0, -1, boundaries, powers of two) written as 1-, 2-, 4- and 8-byte
 * integers in both byte orders, deletions, insertions, duplications, truncation; plus, for formats
 * that carry decimal numbers (JSON headers, pickle protocol 0), a number replaced by an
 * interesting one, and for zip archives, a field of a local, central or end record overwritten.
 */
final class Mutator {
    private static final long[] INTERESTING = {0, 1, -1, 2, 7, 8, 16, 32, 64, 100, 127, 128, 255, 256, 512, 1000, 1024,
            4096, 32767, 32768, 65535, 65536, 0x7fffffffL, 0x80000000L, 0xffffffffL, 1L << 32, 1L << 53, Long.MAX_VALUE,
            Long.MIN_VALUE};
    private static final String[] NUMBERS = {"0", "-1", "1", "4294967296", "2147483647", "2147483648", "9007199254740993",
            "1e309", "-0", "0.5", "99999999999999999999999", "NaN", "null", "[]", "\"x\""};
    /** Zip record signatures and the offsets of their integer fields (sizes, CRCs, counts, offsets). */
    private static final int[][] ZIP_FIELDS = {
            {0x04034b50, 4, 6, 8, 14, 18, 22, 26, 28},                   // local file header
            {0x02014b50, 8, 10, 16, 20, 24, 28, 30, 32, 34, 38, 42},     // central directory header
            {0x06054b50, 4, 6, 8, 10, 12, 16, 20},                       // end of central directory
            {0x08074b50, 4, 8, 12}};                                     // data descriptor

    private final Random r;
    private final boolean zipAware, textAware;

    Mutator(long seed, boolean zipAware, boolean textAware) {
        this.r = new Random(seed);
        this.zipAware = zipAware;
        this.textAware = textAware;
    }

    byte[] mutate(byte[] seed, int count) {
        byte[] b = seed.clone();
        for (int i = 0; i < count && b.length <= FuzzLimits.MAX_INPUT_BYTES; i++) b = once(b);
        return b.length > FuzzLimits.MAX_INPUT_BYTES ? Arrays.copyOf(b, FuzzLimits.MAX_INPUT_BYTES) : b;
    }

    private byte[] once(byte[] b) {
        int ops = 11;
        int op = r.nextInt(ops + (zipAware ? 4 : 0) + (textAware ? 3 : 0));
        if (op >= ops) return zipAware && op < ops + 4 ? zipField(b) : number(b);
        if (b.length == 0) return randomBytes(1 + r.nextInt(16));
        int at = r.nextInt(b.length);
        switch (op) {
            case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
            case 1 -> b[at] = (byte) r.nextInt(256);
            case 2, 3 -> writeInt(b, at, INTERESTING[r.nextInt(INTERESTING.length)], new int[] {1, 2, 4, 8}[r.nextInt(4)], r.nextBoolean());
            case 4 -> {
                int n = Math.min(b.length - at, 1 + r.nextInt(r.nextBoolean() ? 4 : 64));
                return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + n, b.length));
            }
            case 5 -> {
                return concat(Arrays.copyOfRange(b, 0, at), randomBytes(1 + r.nextInt(16)), Arrays.copyOfRange(b, at, b.length));
            }
            case 6 -> {
                int from = r.nextInt(b.length), n = Math.min(b.length - from, 1 + r.nextInt(128));
                return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, from, from + n), Arrays.copyOfRange(b, at, b.length));
            }
            case 7 -> {
                int from = r.nextInt(b.length), n = Math.min(Math.min(b.length - from, b.length - at), 1 + r.nextInt(64));
                System.arraycopy(b, from, b, at, n);
            }
            case 8 -> {
                return Arrays.copyOf(b, at);
            }
            case 9 -> {
                return concat(b, randomBytes(1 + r.nextInt(64)));
            }
            default -> {
                int n = Math.min(b.length - at, 1 + r.nextInt(8));
                Arrays.fill(b, at, at + n, (byte) (r.nextBoolean() ? 0 : 0xff));
            }
        }
        return b;
    }

    private byte[] zipField(byte[] b) {
        int[] rec = ZIP_FIELDS[r.nextInt(ZIP_FIELDS.length)];
        int found = -1, seen = 0;
        for (int i = 0; i + 4 <= b.length; i++) {
            if ((b[i] & 0xff | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24) == rec[0]
                    && r.nextInt(++seen) == 0) {
                found = i;   // reservoir sampling: a uniform choice among the records of this kind
            }
        }
        if (found < 0) return b;
        int field = rec[1 + r.nextInt(rec.length - 1)];
        long v = r.nextInt(3) == 0 ? r.nextInt() : INTERESTING[r.nextInt(INTERESTING.length)];
        if (r.nextInt(4) == 0) v = b.length - found + r.nextInt(9) - 4;   // near the distance to the end
        writeInt(b, found + field, v, r.nextBoolean() ? 2 : 4, false);
        return b;
    }

    private byte[] number(byte[] b) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int start = -1, seen = 0;
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i)) && (i == 0 || !Character.isDigit(s.charAt(i - 1))) && r.nextInt(++seen) == 0) start = i;
        }
        if (start < 0) return b;
        int end = start;
        while (end < s.length() && Character.isDigit(s.charAt(end))) end++;
        String repl = NUMBERS[r.nextInt(NUMBERS.length)];
        return (s.substring(0, start) + repl + s.substring(end)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void writeInt(byte[] b, int at, long v, int width, boolean bigEndian) {
        for (int k = 0; k < width && at + k < b.length; k++) {
            int shift = 8 * (bigEndian ? width - 1 - k : k);
            b[at + k] = (byte) (v >>> shift);
        }
    }

    private byte[] randomBytes(int n) {
        byte[] x = new byte[n];
        r.nextBytes(x);
        return x;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }
}
