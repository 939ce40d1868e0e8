package org.jresnet.io;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not a valid safetensors file; the message names the file and the one fault. */
public final class SafeTensorsException extends IOException {

    /** What is wrong, so callers and tests can tell the cases apart without parsing text. */
    public enum Fault {
        NOT_SAFETENSORS, TRUNCATED, ABSURD_HEADER_LENGTH, TOO_MANY_TENSORS, HEADER_PAST_END, HEADER_NOT_JSON, BAD_ENTRY,
        BAD_METADATA, UNKNOWN_DTYPE, UNSUPPORTED_DTYPE, SHAPE_SIZE_MISMATCH, OFFSETS_OUT_OF_RANGE,
        OFFSETS_OVERLAP, OFFSETS_GAP, TRAILING_BYTES
    }

    private final Fault fault;
    private final Path file;

    public SafeTensorsException(Path file, Fault fault, String detail) {
        super(OneLine.of(file + ": " + detail));
        this.file = file;
        this.fault = fault;
    }

    public Fault fault() { return fault; }

    public Path file() { return file; }
}
