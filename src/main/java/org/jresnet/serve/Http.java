package org.jresnet.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.Map;

/** JSON responses, errors included: every error is {@code {"error": "..."}}. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String JSON_TYPE = "application/json";

    private Http() {}

    static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType(JSON_TYPE).result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable: " + e.getOriginalMessage(), e);
        }
    }

    static void error(Context ctx, int status, String message) {
        json(ctx, status, Map.of("error", message));
    }
}
