package org.jresnet.io.torch;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one exception the PyTorch checkpoint reader throws for any input it does not accept: a
 * malformed, truncated, hostile or unsupported file. The message is one line and names the file;
 * {@link #fault()} tells the cases apart without parsing text.
 */
public final class TorchCheckpointException extends IOException {

    public enum Fault {
        /** Neither a zip nor a pickle: not a torch.save file at all. */
        NOT_A_CHECKPOINT,
        /** A container this reader refuses by design: the pre-1.0 tar format, TorchScript, compressed entries. */
        UNSUPPORTED_FORMAT,
        /** A broken zip archive or a legacy file whose storages do not follow its pickles as declared. */
        BAD_CONTAINER,
        /** The pickle stream is malformed: unknown opcode, stack underflow, wrong operand types, truncation. */
        BAD_PICKLE,
        /** A cap was hit: pickle size, string length, nesting depth, memo or object count, tensor size. */
        LIMIT,
        /** A storage or tensor lies (partly) outside the file or outside its storage. */
        OUT_OF_BOUNDS,
        /** No state dict where one was looked for, or an entry of it is not a tensor. */
        NO_STATE_DICT,
        /** The state dict reaches a pickled object of a global outside the allow-list (never called). */
        UNSAFE_GLOBAL
    }

    private final Fault fault;

    public TorchCheckpointException(Path file, Fault fault, String detail) {
        super(file + ": " + oneLine(detail));
        this.fault = fault;
    }

    public Fault fault() { return fault; }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
