package org.jresnet.data;

import org.jresnet.io.OneLine;

/** A dataset that cannot be used as given (missing, empty, malformed): the message is one line for the user. */
public class DataException extends RuntimeException {
    public DataException(String message) { super(OneLine.of(message)); }
    public DataException(String message, Throwable cause) { super(OneLine.of(message), cause); }
}
