package org.jresnet.serve;

import java.util.Map;

/** A request the server refuses: the HTTP status, the one-line {@code error} of the JSON body, extra headers. */
final class ApiException extends RuntimeException {
    final int status;
    final Map<String, String> headers;

    ApiException(int status, String message) { this(status, message, Map.of()); }

    ApiException(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = headers;
    }

    static ApiException badRequest(String m) { return new ApiException(400, m); }
    static ApiException tooLarge(String m) { return new ApiException(413, m); }
    static ApiException notFound(String m) { return new ApiException(404, m); }
}
