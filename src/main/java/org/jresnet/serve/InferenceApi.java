package org.jresnet.serve;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.api.TopClasses;

/**
 * The v1 routes: classify images ({@code predict}, objects as {@code predict --json} gives them)
 * or return their pooled features. One image as the body gives one object; a multipart body
 * (one image per part) gives an array in part order, each with its part's {@code file} name.
 */
final class InferenceApi {
    static final int DEFAULT_TOP = 5;

    private final ModelTable models;
    private final long maxBody;

    InferenceApi(ModelTable models, long maxBody) {
        this.models = models;
        this.maxBody = maxBody;
    }

    void predict(Context ctx) {
        ServedModel m = models.fromPath(ctx);
        int top = top(ctx);
        run(ctx, m, (r, file) -> {
            Map<String, Object> o = new LinkedHashMap<>();
            if (file != null) o.put("file", file);
            o.put("top", TopClasses.top(TopClasses.softmax(r.logits(), 0, r.logits().length), m.meta().classes(), top));
            return o;
        });
    }

    void features(Context ctx) {
        ServedModel m = models.fromPath(ctx);
        run(ctx, m, (r, file) -> {
            Map<String, Object> o = new LinkedHashMap<>();
            if (file != null) o.put("file", file);
            o.put("features", r.features());
            return o;
        });
    }

    void list(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ServedModel m : models.all()) out.add(m.describe(m == models.first()));
        Http.json(ctx, 200, out);
    }

    void one(Context ctx) {
        ServedModel m = models.fromPath(ctx);
        Http.json(ctx, 200, m.describe(m == models.first()));
    }

    private interface Render {
        Map<String, Object> apply(Batcher.Result r, String file);
    }

    private void run(Context ctx, ServedModel m, Render render) {
        if (RequestBodies.isMultipart(ctx)) {
            List<RequestBodies.Upload> parts = RequestBodies.parts(ctx, maxBody);
            m.checkImageCount(parts.size());
            List<float[]> images = new ArrayList<>(parts.size());
            for (RequestBodies.Upload u : parts) images.add(m.input.prepare(u.bytes(), u.name()));
            List<Batcher.Result> rs = m.infer(images);
            List<Map<String, Object>> out = new ArrayList<>(rs.size());
            for (int i = 0; i < rs.size(); i++) out.add(render.apply(rs.get(i), parts.get(i).name()));
            Http.json(ctx, 200, out);
        } else {
            float[] image = m.input.prepare(RequestBodies.whole(ctx, maxBody), "(request body)");
            Http.json(ctx, 200, render.apply(m.infer(List.of(image)).get(0), null));
        }
    }

    private static int top(Context ctx) {
        String t = ctx.queryParam("top");
        if (t == null) {
            if (QueryStrings.undecodable(ctx, "top")) throw ApiException.badRequest("top is not URL-encoded: " + ctx.queryString());
            return DEFAULT_TOP;
        }
        try {
            long k = Long.parseLong(t.trim());
            if (k >= 1) return (int) Math.min(k, Integer.MAX_VALUE);   // more than the classes: all of them
        } catch (NumberFormatException ignored) {
            // the error below
        }
        throw ApiException.badRequest("top must be a positive integer, got '" + t + "'");
    }
}
