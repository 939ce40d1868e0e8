package org.jresnet.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A small input and eager PyTorch's logits for it in both modes, written by export.py beside the
 * model files. A peer is timed only after its logits match these.
 */
record CheckData(long[] shape, float[] input, float[] trainLogits, float[] inferLogits) {
    /** Relative to max(1, max|expected|): libraries pick different convolution algorithms. */
    static final double TOLERANCE = 1e-3;

    static CheckData load(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        JsonNode s = n.get("shape");
        long[] shape = new long[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).asLong();
        return new CheckData(shape, floats(n.get("input")), floats(n.get("train")), floats(n.get("infer")));
    }

    float[] expected(boolean train) {
        return train ? trainLogits : inferLogits;
    }

    /** Largest absolute difference; throws if the lengths differ. */
    static double maxAbsDiff(float[] got, float[] want) {
        if (got.length != want.length) {
            throw new IllegalStateException("output has " + got.length + " values, expected " + want.length);
        }
        double worst = 0;
        for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs((double) got[i] - want[i]));
        return worst;
    }

    static double scale(float[] want) {
        double m = 1;
        for (float v : want) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }
}
