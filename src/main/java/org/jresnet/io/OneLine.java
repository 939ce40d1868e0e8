package org.jresnet.io;

/**
 * An error message built from names a file chose (tensor names, zip entry names, paths) kept to one
 * line: control characters are shown escaped, a line feed as backslash-n, so a hostile name can
 * neither break the one-line error contract nor forge extra lines in a log.
 */
public final class OneLine {
    private OneLine() {}

    /** What went wrong in {@code e}, one line: its message, or its class name when it has none (EOFException, some ZipExceptions). */
    public static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : of(m.trim());
    }

    public static String of(String s) {
        if (s == null) return null;
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                    : Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? String.format("\\u%04x", (int) c) : null;
            if (esc != null && b == null) b = new StringBuilder(s.length() + 8).append(s, 0, i);
            if (b != null) {
                if (esc != null) b.append(esc);
                else b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
