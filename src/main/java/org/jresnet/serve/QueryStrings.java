package org.jresnet.serve;

import io.javalin.http.Context;

/** What Javalin's query parameters do not say: a parameter that is there but does not URL-decode. */
public final class QueryStrings {
    private QueryStrings() {}

    /**
     * Whether {@code name} is in the raw query string while {@code ctx.queryParam(name)} is null:
     * a value such as {@code %ZZ} that does not URL-decode reads as absent, and would otherwise be
     * answered as a missing parameter (or its default).
     */
    public static boolean undecodable(Context ctx, String name) {
        String q = ctx.queryString();
        return ctx.queryParam(name) == null && q != null && ("&" + q).contains("&" + name + "=");
    }
}
