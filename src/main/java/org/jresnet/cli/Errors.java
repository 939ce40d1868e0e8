package org.jresnet.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Turns an exception into the one line the user sees, and an exit code. */
public final class Errors {
    private Errors() {}

    /** Exit 2: the user asked for something that cannot be (bad option value, unknown model). */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) { super(message); }
    }

    public static int exitCode(Throwable t) {
        return t instanceof UsageException || t instanceof IllegalArgumentException ? 2 : 1;
    }

    public static String describe(Throwable t) {
        return "jresnet: " + undecodableHint(reason(t));
    }

    /**
     * {@code message} plus why, when it names a file by a name the JVM could not decode: bytes
     * that are not valid in its file-name encoding (sun.jnu.encoding) arrive as U+FFFD, and that
     * name leads nowhere, so "no such file" alone would deny a file the user can see.
     */
    static String undecodableHint(String message) {
        if (message.indexOf('\uFFFD') < 0) return message;
        return message + " (the name has bytes that are not valid " + System.getProperty("sun.jnu.encoding", "")
                + ", the JVM's file-name encoding, shown as \uFFFD: Java cannot open it by that name; rename it)";
    }

    /** What went wrong, in one line, without the "jresnet: " prefix. */
    public static String reason(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            return "out of memory (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MB heap); try a smaller --batch or set JRESNET_HEAP (e.g. JRESNET_HEAP=16g)";
        }
        if (t.getCause() instanceof OutOfMemoryError) {
            return t.getMessage() + "; set JRESNET_HEAP (e.g. JRESNET_HEAP=16g) or lower --max-pixels";
        }
        if (t instanceof NoSuchFileException e) return "no such file: " + e.getFile();
        if (t instanceof AccessDeniedException e) return "permission denied: " + e.getFile();
        if (t instanceof FileNotFoundException e) return e.getMessage();
        if (t instanceof IOException e) {
            return e.getMessage() == null ? "I/O error (" + e.getClass().getSimpleName() + ")" : e.getMessage();
        }
        if (t instanceof org.jresnet.train.TrainConfig.Invalid i) {
            return TrainingOptions.FLAGS.getOrDefault(i.field(), i.field()) + " " + i.problem();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        return m;
    }
}
