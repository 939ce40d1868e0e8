package org.jresnet.web;

/** A request the pages' routes refuse: the HTTP status and the one-line {@code error} of the JSON body. */
final class WebException extends RuntimeException {
    final int status;

    WebException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
