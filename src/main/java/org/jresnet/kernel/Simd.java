package org.jresnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Chooses between the Vector API kernels and their scalar twins. {@code -Djresnet.simd=false} or
 * {@code JRESNET_SIMD=false} selects the scalar path (read once at start-up; tests flip it with
 * {@link #setEnabled}).
 */
public final class Simd {
    /** The widest float species of this CPU: 16 lanes with AVX-512, 8 with AVX2. */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private static volatile boolean enabled = initial();

    private Simd() {}

    private static boolean initial() {
        String s = System.getProperty("jresnet.simd");
        if (s == null) s = System.getenv("JRESNET_SIMD");
        if (s == null) return true;
        return !(s.equalsIgnoreCase("false") || s.equals("0") || s.equalsIgnoreCase("off"));
    }

    public static boolean enabled() { return enabled; }

    public static void setEnabled(boolean on) { enabled = on; }

    /** Float lanes per vector on the SIMD path, 1 on the scalar path. */
    public static int lanes() { return enabled ? F.length() : 1; }

    public static String describe() {
        return enabled ? "vector " + F.vectorBitSize() + "-bit (" + F.length() + " float lanes)" : "scalar";
    }
}
