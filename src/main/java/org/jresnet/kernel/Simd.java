package org.jresnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.engine.Engine;

/**
 * Chooses between the Vector API kernels and their scalar twins, as the current
 * {@link Engine}'s settings say ({@code -Djresnet.simd=false} or {@code JRESNET_SIMD=false} for the
 * default engine; tests bind an engine of their own).
 */
public final class Simd {
    /** The widest float species of this CPU: 16 lanes with AVX-512, 8 with AVX2. */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Simd() {}

    /** Whether the current engine takes the Vector API kernels. */
    public static boolean enabled() { return Engine.current().simd(); }

    /** Float lanes per vector on the SIMD path, 1 on the scalar path. */
    public static int lanes() { return enabled() ? F.length() : 1; }

    public static String describe() {
        return enabled() ? "vector " + F.vectorBitSize() + "-bit (" + F.length() + " float lanes)" : "scalar";
    }
}
