package org.jresnet.fuzz;

import org.jresnet.data.DecodeLimits;

/** The bounds every fuzz case is held to, stated once. */
final class FuzzLimits {
    private FuzzLimits() {}

    /**
     * Bytes one case may allocate on the loading thread. Inputs are at most {@link #MAX_INPUT_BYTES};
     * a correct loader's allocation is a small multiple of that plus the decoded image, which
     * {@link #DECODE} caps at 2^20 pixels (3 MiB of RGB, a few times that inside ImageIO).
     */
    static final long ALLOCATION_BOUND = 64L << 20;
    /** The heap of the worker JVM: an allocation that escapes the per-case count still ends here. */
    static final String WORKER_HEAP = "-Xmx256m";
    /** The decode limits the fuzzed loaders run with. */
    static final DecodeLimits DECODE = new DecodeLimits(1L << 20, 1L << 20);
    /** Largest fuzzed input. */
    static final int MAX_INPUT_BYTES = 256 << 10;
    /** A case's folder: the input beside the only folder a loader may write to. */
    static final String OUTPUT_FOLDER = "out";
    /** Wall-clock limit of one case (generous: CI machines are shared); override with -Djresnet.fuzz.caseSeconds. */
    static final long CASE_SECONDS = Long.getLong("jresnet.fuzz.caseSeconds", 20);
}
