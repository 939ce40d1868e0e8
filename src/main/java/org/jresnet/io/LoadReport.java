package org.jresnet.io;

import java.util.List;

/**
 * What a weights load matched. {@code mismatched} entries read
 * {@code "name: expected [a, b] found [c, d]"}; {@code renamed} lists {@code "file key -> model key"}
 * for keys mapped by {@link StateDictKeys}; {@code filled} lists the BN {@code num_batches_tracked}
 * buffers a file made before PyTorch 0.4.1 lacks, set to 0 as PyTorch's own loading does.
 */
public record LoadReport(int loaded, List<String> missing, List<String> unexpected, List<String> mismatched,
                         List<String> renamed, List<String> filled) {
    private static final int SHOWN = 8;

    public LoadReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        mismatched = List.copyOf(mismatched);
        renamed = List.copyOf(renamed);
        filled = List.copyOf(filled);
    }

    public LoadReport(int loaded, List<String> missing, List<String> unexpected, List<String> mismatched,
                      List<String> renamed) {
        this(loaded, missing, unexpected, mismatched, renamed, List.of());
    }

    public boolean complete() { return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty(); }

    /** One line: counts and the first few names of each kind of problem. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        append(b, "missing keys", missing);
        append(b, "unexpected keys", unexpected);
        append(b, "mis-shaped", mismatched);
        return b.length() == 0 ? "all " + loaded + " tensors loaded" : b.toString();
    }

    private static void append(StringBuilder b, String what, List<String> items) {
        if (items.isEmpty()) return;
        if (b.length() > 0) b.append("; ");
        b.append(items.size()).append(' ').append(what).append(" [");
        for (int i = 0; i < Math.min(SHOWN, items.size()); i++) b.append(i > 0 ? ", " : "").append(items.get(i));
        if (items.size() > SHOWN) b.append(", ... ").append(items.size() - SHOWN).append(" more");
        b.append(']');
    }
}
