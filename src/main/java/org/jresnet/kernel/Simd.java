package org.jresnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.engine.Engine;

/**
 * Chooses between the Vector API kernels and their scalar twins, as the current
 * {@link Engine}'s settings say ({@code -Djresnet.simd=false} or {@code JRESNET_SIMD=false} for the
 * default engine; tests bind an engine of their own).
 *
 * <p>One convention for vector loops, in every kernel: L = {@code F.length()} float lanes (16
 * with AVX-512, 8 with AVX2; nothing assumes either). A kernel {@code fooSimd} steps L at a time
 * up to {@code F.loopBound} and hands the rest of its range to its scalar twin
 * {@code fooScalar(.., from, to)}, which is also the whole kernel when SIMD is off: the tail and
 * the scalar path are one code. Convolutions and GEMMs have no tails: they pad to whole vectors.
 */
public final class Simd {
    /** The widest float species of this CPU (-XX:MaxVectorSize caps it): L lanes. */
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
