package org.jresnet.export;

import java.util.OptionalInt;

/**
 * How to export: the batch dimension of {@code input} and {@code logits}, either a fixed size or
 * symbolic ({@value #DYNAMIC_BATCH}, any size at run time; the default). The image size is the
 * model's metadata input size.
 */
public record OnnxOptions(OptionalInt batch) {
    /** The name of the symbolic batch dimension. */
    public static final String DYNAMIC_BATCH = "batch";

    public OnnxOptions {
        if (batch.isPresent() && batch.getAsInt() < 1) {
            throw new IllegalArgumentException("batch must be >= 1 or dynamic, got " + batch.getAsInt());
        }
    }

    public static OnnxOptions dynamicBatch() { return new OnnxOptions(OptionalInt.empty()); }

    public static OnnxOptions fixedBatch(int n) { return new OnnxOptions(OptionalInt.of(n)); }

    /** "dynamic" or a positive number, as the CLI's {@code --batch} takes it. */
    public static OnnxOptions parseBatch(String s) {
        String t = s.trim();
        if (t.equalsIgnoreCase("dynamic")) return dynamicBatch();
        try {
            return fixedBatch(Integer.parseInt(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--batch takes a positive number or 'dynamic', got '" + s + "'");
        }
    }
}
