package org.jresnet.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jresnet.api.Network;
import org.jresnet.api.TopClasses;
import org.jresnet.io.Normalization;

/**
 * The KServe / Triton "v2" REST inference protocol for images as tensors, JSON only (no binary
 * extension). One input, either
 * <ul>
 *   <li>{@code FP32 [N, 3, H, W]}: normalised pixels in PyTorch's order, what a Triton client
 *       sends a PyTorch ResNet, or</li>
 *   <li>{@code UINT8 [N, H, W, 3]}: raw RGB pixels, normalised here with the model's mean/std;</li>
 * </ul>
 * H x W the model's input size. Outputs {@code logits} and {@code probabilities} (FP32
 * {@code [N, classes]}) by default, {@code features} ({@code [N, featureSize]}) on request.
 */
final class V2Api {
    static final String LOGITS = "logits", PROBABILITIES = "probabilities", FEATURES = "features";
    private static final List<String> OUTPUTS = List.of(LOGITS, PROBABILITIES, FEATURES);
    private static final String INPUT = "input";

    private final ModelTable models;
    private final long maxBody;
    private final String version;

    V2Api(ModelTable models, long maxBody, String version) {
        this.models = models;
        this.maxBody = maxBody;
        this.version = version;
    }

    void server(Context ctx) {
        Http.json(ctx, 200, Map.of("name", "jresnet", "version", version, "extensions", List.of()));
    }

    void metadata(Context ctx) {
        ServedModel m = models.fromPath(ctx);
        int k = m.meta().numClasses(), f = m.spec.model().featureSize();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", m.name());
        d.put("versions", List.of("1"));
        d.put("platform", "jresnet");
        d.put("inputs", List.of(tensor(INPUT, "FP32", -1, 3, m.height, m.width)));
        d.put("outputs", List.of(tensor(LOGITS, "FP32", -1, k), tensor(PROBABILITIES, "FP32", -1, k),
                tensor(FEATURES, "FP32", -1, f)));
        Http.json(ctx, 200, d);
    }

    void infer(Context ctx) {
        ServedModel m = models.fromPath(ctx);
        JsonNode req;
        try {
            req = Http.JSON.readTree(RequestBodies.whole(ctx, maxBody));
        } catch (IOException e) {
            throw ApiException.badRequest("body is not JSON: " + e.getMessage().split("\n")[0]);
        }
        if (req == null || !req.isObject()) throw ApiException.badRequest("body must be a JSON object with \"inputs\"");
        JsonNode inputs = req.path("inputs");
        if (!inputs.isArray() || inputs.size() != 1) throw ApiException.badRequest("\"inputs\" must hold exactly one tensor");
        List<float[]> images = images(m, inputs.get(0));
        Set<String> wanted = outputs(req.path("outputs"));
        List<Batcher.Result> rs = m.infer(images);

        int n = rs.size(), k = m.meta().numClasses(), f = m.spec.model().featureSize();
        List<Map<String, Object>> outs = new ArrayList<>();
        for (String name : wanted) {
            int width = name.equals(FEATURES) ? f : k;
            float[] data = new float[n * width];
            for (int i = 0; i < n; i++) {
                Batcher.Result r = rs.get(i);
                float[] row = switch (name) {
                    case LOGITS -> r.logits();
                    case FEATURES -> r.features();
                    default -> toFloat(TopClasses.softmax(r.logits(), 0, k));
                };
                System.arraycopy(row, 0, data, i * width, width);
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", name);
            o.put("datatype", "FP32");
            o.put("shape", List.of(n, width));
            o.put("data", data);
            outs.add(o);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model_name", m.name());
        body.put("model_version", "1");
        if (req.hasNonNull("id")) body.put("id", req.get("id").asText());
        body.put("outputs", outs);
        Http.json(ctx, 200, body);
    }

    private static Map<String, Object> tensor(String name, String type, int... shape) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("datatype", type);
        t.put("shape", shape);
        return t;
    }

    private static Set<String> outputs(JsonNode requested) {
        Set<String> out = new LinkedHashSet<>();
        if (requested.isMissingNode() || requested.isNull()) {
            out.add(LOGITS);
            out.add(PROBABILITIES);
            return out;
        }
        if (!requested.isArray()) throw ApiException.badRequest("\"outputs\" must be an array of {\"name\": ...}");
        for (JsonNode o : requested) {
            String name = o.path("name").asText("");
            if (!OUTPUTS.contains(name)) throw ApiException.badRequest("unknown output '" + name + "'; valid: " + OUTPUTS);
            out.add(name);
        }
        if (out.isEmpty()) throw ApiException.badRequest("\"outputs\" is empty");
        return out;
    }

    /** The input tensor as one normalised NHWC array per image. */
    private static List<float[]> images(ServedModel m, JsonNode in) {
        String type = in.path("datatype").asText("");
        JsonNode shapeNode = in.path("shape");
        if (!shapeNode.isArray() || shapeNode.size() != 4) throw ApiException.badRequest("input shape must have 4 dimensions");
        int[] shape = new int[4];
        for (int i = 0; i < 4; i++) {
            if (!shapeNode.get(i).canConvertToInt() || shapeNode.get(i).asInt() < 1) {
                throw ApiException.badRequest("input shape must be 4 positive integers, got " + shapeNode);
            }
            shape[i] = shapeNode.get(i).asInt();
        }
        int h = m.height, w = m.width, n = shape[0];
        boolean fp32 = type.equals("FP32"), u8 = type.equals("UINT8");
        if (!fp32 && !u8) throw ApiException.badRequest("input datatype must be FP32 [N,3,H,W] or UINT8 [N,H,W,3], got '" + type + "'");
        int[] expected = fp32 ? new int[] {n, 3, h, w} : new int[] {n, h, w, 3};
        if (!java.util.Arrays.equals(shape, expected)) {
            throw ApiException.badRequest("input shape " + java.util.Arrays.toString(shape) + " does not fit model '" + m.name()
                    + "': expected " + java.util.Arrays.toString(expected) + (fp32 ? " (N, 3, H, W)" : " (N, H, W, 3)"));
        }
        m.checkImageCount(n);
        int per = 3 * h * w;
        long total = (long) n * per;
        float[] flat = flatten(in.path("data"), total);
        Normalization norm = u8 ? ImageInput.normalization(m.meta()) : null;
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] im = new float[per];
            if (fp32) {
                float[] one = java.util.Arrays.copyOfRange(flat, i * per, (i + 1) * per);
                im = Network.nchwToNhwc(one, 1, 3, h, w);
            } else {
                for (int j = 0; j < per; j++) {
                    float v = flat[i * per + j];
                    if (v < 0 || v > 255 || v != Math.rint(v)) throw ApiException.badRequest("UINT8 data must be integers 0..255, got " + v);
                    im[j] = norm.apply(j % 3, (int) v);
                }
            }
            out.add(im);
        }
        return out;
    }

    /** {@code data} flat or nested (row-major), exactly {@code count} finite numbers. */
    private static float[] flatten(JsonNode data, long count) {
        if (!data.isArray()) throw ApiException.badRequest("input \"data\" must be an array of numbers");
        // Counted before anything is allocated: a body of a hundred bytes may declare any shape.
        // The count is bounded by the body's size, so once it matches, the array is that small too.
        long held = leaves(data);
        if (held != count) throw ApiException.badRequest("input \"data\" holds " + held + " numbers, shape says " + count);
        float[] out = new float[(int) count];
        walk(data, out, new int[] {0});
        return out;
    }

    /** How many non-array values {@code node} holds, at any depth. */
    private static long leaves(JsonNode node) {
        long n = 0;
        for (JsonNode v : node) n += v.isArray() ? leaves(v) : 1;
        return n;
    }

    private static void walk(JsonNode node, float[] out, int[] pos) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                walk(v, out, pos);
                continue;
            }
            if (!v.isNumber()) throw ApiException.badRequest("input \"data\" must hold numbers, got " + v.getNodeType());
            float f = v.floatValue();
            if (!Float.isFinite(f)) throw ApiException.badRequest("input \"data\" must be finite");
            out[pos[0]++] = f;
        }
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
