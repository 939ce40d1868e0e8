package org.jresnet.nn;

import java.util.Locale;

/**
 * The shortcut connection of a residual block (paper section 3.3 / 4.1):
 * A = identity, and where the shape changes subsample by 2 and zero-pad the new channels (no parameters);
 * B = identity, and a 1x1 projection + BN where the shape changes;
 * C = a projection on every block;
 * NONE = no shortcut at all: the plain network of the same depth.
 */
public enum Shortcut {
    A, B, C, NONE;

    /** From user input ("a", "B", "none"/"plain"); a clear error otherwise. */
    public static Shortcut parse(String s) {
        String u = s.trim().toUpperCase(Locale.ROOT);
        if (u.equals("PLAIN")) return NONE;
        for (Shortcut k : values()) if (k.name().equals(u)) return k;
        throw new IllegalArgumentException("unknown shortcut '" + s + "'; valid: A, B, C, none");
    }
}
