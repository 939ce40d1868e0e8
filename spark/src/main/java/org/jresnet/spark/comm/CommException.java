package org.jresnet.spark.comm;

/**
 * A collective failed: a peer closed its connection or died, sent something unexpected, stayed
 * silent past the timeout, or the task was cancelled. The message names this rank and the peer.
 */
public class CommException extends RuntimeException {
    public CommException(String message) { super(message); }
    public CommException(String message, Throwable cause) { super(message, cause); }

    /** The task was cancelled (Spark killed the stage) while waiting on a peer. */
    public static final class Cancelled extends CommException {
        public Cancelled(String message) { super(message); }
    }
}
