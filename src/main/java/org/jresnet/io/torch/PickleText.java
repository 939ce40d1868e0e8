package org.jresnet.io.torch;

import java.io.ByteArrayOutputStream;

/** The two text encodings of protocol-0 operands: Python's repr of a str (STRING) and raw-unicode-escape (UNICODE). */
final class PickleText {
    interface Faults {
        TorchCheckpointException bad(String detail);
    }

    private PickleText() {}

    /** {@code 'abc\n'} or {@code "it's"}: quotes stripped, backslash escapes decoded, to bytes. */
    static byte[] unrepr(byte[] line, Faults f) throws TorchCheckpointException {
        int n = line.length;
        if (n < 2 || (line[0] != '\'' && line[0] != '"') || line[n - 1] != line[0]) {
            throw f.bad("STRING operand is not a quoted string");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        for (int i = 1; i < n - 1; i++) {
            byte c = line[i];
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (++i >= n - 1) throw f.bad("STRING operand ends in a backslash");
            byte e = line[i];
            switch (e) {
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'r' -> out.write('\r');
                case 'a' -> out.write(7);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'v' -> out.write(11);
                case '\\', '\'', '"' -> out.write(e);
                case 'x' -> {
                    if (i + 2 > n - 2) throw f.bad("STRING operand: truncated \\x escape");
                    out.write(hex(line, i + 1, 2, f));
                    i += 2;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = 0, k = 0;
                        while (k < 3 && i < n - 1 && line[i] >= '0' && line[i] <= '7') {
                            v = v * 8 + (line[i] - '0');
                            i++;
                            k++;
                        }
                        i--;
                        out.write(v & 0xff);
                    } else {
                        out.write('\\');
                        out.write(e);
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** Latin-1 bytes with {@code \\uXXXX} and {@code \\UXXXXXXXX} escapes. */
    static String rawUnicodeEscape(byte[] line, Faults f) throws TorchCheckpointException {
        StringBuilder b = new StringBuilder(line.length);
        for (int i = 0; i < line.length; i++) {
            int c = line[i] & 0xff;
            if (c == '\\' && i + 1 < line.length && (line[i + 1] == 'u' || line[i + 1] == 'U')) {
                int digits = line[i + 1] == 'u' ? 4 : 8;
                if (i + 1 + digits >= line.length) throw f.bad("UNICODE operand: truncated \\" + (char) line[i + 1] + " escape");
                int cp = hex(line, i + 2, digits, f);
                if (cp < 0 || cp > Character.MAX_CODE_POINT) throw f.bad("UNICODE operand: code point out of range");
                b.appendCodePoint(cp);
                i += 1 + digits;
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private static int hex(byte[] s, int from, int digits, Faults f) throws TorchCheckpointException {
        int v = 0;
        for (int k = 0; k < digits; k++) {
            int d = Character.digit(s[from + k], 16);
            if (d < 0) throw f.bad("bad hex digit in an escape");
            v = (v << 4) | d;
        }
        return v;
    }
}
