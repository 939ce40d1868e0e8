package org.jresnet.data;

/** A dataset that cannot be used as given (missing, empty, malformed): the message is one line for the user. */
public class DataException extends RuntimeException {
    public DataException(String message) { super(message); }
    public DataException(String message, Throwable cause) { super(message, cause); }
}
