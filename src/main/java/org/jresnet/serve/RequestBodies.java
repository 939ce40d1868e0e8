package org.jresnet.serve;

import io.javalin.http.Context;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Request bodies read with the size limit enforced while reading (a chunked body has no
 * Content-Length to check up front), whole or as multipart parts kept in memory.
 */
final class RequestBodies {
    /** One uploaded image: its part's file name (or field name) and bytes. */
    record Upload(String name, byte[] bytes) {}

    private RequestBodies() {}

    static byte[] whole(Context ctx, long max) {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (b.length > max) throw tooLarge(max);
            return b;
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    static boolean isMultipart(Context ctx) {
        String ct = ctx.contentType();
        return ct != null && ct.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data");
    }

    /** Every part of a multipart/form-data body, in order; none may be empty. */
    static List<Upload> parts(Context ctx, long max) {
        int inMemory = (int) Math.min(Integer.MAX_VALUE, max);
        // All parts stay in memory (threshold = limit): no temporary files to clean up.
        ctx.req().setAttribute(org.eclipse.jetty.server.Request.__MULTIPART_CONFIG_ELEMENT,
                new MultipartConfigElement(System.getProperty("java.io.tmpdir"), max, max, inMemory));
        List<Upload> out = new ArrayList<>();
        try {
            for (Part p : ctx.req().getParts()) {
                String name = p.getSubmittedFileName() != null ? p.getSubmittedFileName() : p.getName();
                try (InputStream in = p.getInputStream()) {
                    out.add(new Upload(name, in.readAllBytes()));
                }
            }
        } catch (IllegalStateException e) {
            // Jetty's multipart parser signals both size limits this way.
            throw tooLarge(max);
        } catch (IOException | ServletException e) {
            throw ApiException.badRequest("bad multipart body: " + e.getMessage());
        }
        if (out.isEmpty()) throw ApiException.badRequest("multipart body has no parts (send one image per part)");
        return out;
    }

    static ApiException tooLarge(long max) {
        return ApiException.tooLarge("request body is over the limit of " + max + " bytes (serve --max-body-mb)");
    }
}
