package org.jresnet.serve;

import io.javalin.http.Context;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The served models by name; the first one given is the default ({@code /v1/predict}). */
final class ModelTable {
    /** Path parameter that names a model in every route. */
    static final String PARAM = "name";

    private final Map<String, ServedModel> byName = new LinkedHashMap<>();

    void add(ServedModel m) {
        if (byName.putIfAbsent(m.name(), m) != null) throw new IllegalArgumentException("two models named '" + m.name() + "'");
    }

    Collection<ServedModel> all() { return byName.values(); }

    Map<String, ServedModel> asMap() { return byName; }

    ServedModel first() { return byName.values().iterator().next(); }

    /** The model the route names, or the default on routes without a name; 404 when unknown. */
    ServedModel fromPath(Context ctx) {
        if (!ctx.pathParamMap().containsKey(PARAM)) return first();
        String name = ctx.pathParam(PARAM);
        ServedModel m = byName.get(name);
        if (m == null) throw ApiException.notFound("no model '" + name + "'; served: " + String.join(", ", byName.keySet()));
        return m;
    }
}
