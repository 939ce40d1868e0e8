package org.jresnet.spark.ml;

import java.util.Locale;

/** What a stage does with an image it cannot read (MLlib's {@code handleInvalid} values). */
enum InvalidImages {
    /** Null results and the reason in the error column: no row, and no partition, is lost. */
    KEEP,
    /** Fail the job with the file named. */
    ERROR,
    /** Drop the row. */
    SKIP;

    static final String[] NAMES = {"keep", "error", "skip"};

    static InvalidImages parse(String s) { return valueOf(s.toUpperCase(Locale.ROOT)); }
}
