package org.jresnet.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own errors as the API's: {@code {"error": "..."}} in JSON, not an HTML page. They are the
 * requests no route sees: a header block over the limit (431), a malformed request line or
 * Content-Length, a URI that does not decode (400).
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final HttpField JSON_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, Http.JSON_TYPE);

    JsonErrorHandler() {
        setShowStacks(false);
        setShowServlet(false);
    }

    /** Before a request exists: Jetty's parser refused the bytes. */
    @Override public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(JSON_TYPE);
        return ByteBuffer.wrap(body(status, reason));
    }

    /** A request Jetty answered itself (sendError), outside the routes. */
    @Override public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        base.setHandled(true);
        String reason = (String) request.getAttribute("jakarta.servlet.error.message");
        byte[] body = body(response.getStatus(), reason);
        response.setContentType(Http.JSON_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static byte[] body(int status, String reason) {
        String message = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        try {
            return Http.JSON.writeValueAsBytes(Map.of("error", message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);   // a one-entry map of strings always serialises
        }
    }
}
