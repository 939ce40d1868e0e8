package org.jresnet.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jresnet.io.AtomicFiles;

/**
 * The per-epoch history of a run, written as {@code metrics.jsonl} and {@code metrics.csv}. Both
 * files are rewritten whole and atomically after each epoch, so a crash never leaves a torn row,
 * and a resumed run starts from the rows already on disk. Besides the rows, {@code metrics.jsonl}
 * holds events in iteration order: lines with an {@code "event"} key and the {@code "iteration"}
 * from which they hold (a {@link ResumeChange}, say); {@code metrics.csv} holds only the rows.
 */
public final class MetricsLog {
    static final String[] COLUMNS = {"epoch", "iteration", "train_loss", "train_err", "test_loss", "test_err",
        "val_err", "lr", "elapsed_s"};
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The keys a row always has (when measured); the rest are parts of the step. */
    private static final Set<String> KNOWN = known();

    private final Path dir;
    private final List<EpochMetrics> rows = new ArrayList<>();
    private final List<JsonNode> events = new ArrayList<>();

    public MetricsLog(Path dir) { this.dir = dir; }

    public List<EpochMetrics> rows() { return List.copyOf(rows); }

    /** Reads {@code metrics.jsonl} of an earlier run, keeping rows up to {@code lastEpoch} and every event. */
    public static MetricsLog resume(Path dir, int lastEpoch) throws IOException {
        return resume(dir, lastEpoch, Long.MAX_VALUE);
    }

    /**
     * Reads {@code metrics.jsonl} of an earlier run, keeping rows up to {@code lastEpoch} and events
     * up to {@code lastIteration}: the history of the checkpoint a run resumes from.
     */
    public static MetricsLog resume(Path dir, int lastEpoch, long lastIteration) throws IOException {
        MetricsLog log = new MetricsLog(dir);
        Path f = dir.resolve("metrics.jsonl");
        if (!Files.exists(f)) return log;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line);
            if (n.has("event")) {
                if (n.path("iteration").asLong() <= lastIteration) log.events.add(n);
                continue;
            }
            EpochMetrics m = new EpochMetrics(n.get("epoch").asInt(), n.get("iteration").asLong(),
                    num(n, "train_loss"), num(n, "train_err"), num(n, "test_loss"), num(n, "test_err"),
                    num(n, "val_err"), num(n, "lr"), num(n, "elapsed_s"), times(n));
            if (m.epoch() <= lastEpoch) log.rows.add(m);
        }
        return log;
    }

    /**
     * The row's time breakdown; {@link EpochTimes#UNKNOWN} for rows written before it was recorded.
     * Any other number is a part of the step ({@link EpochTimes#stepParts}), kept for the rewrite.
     */
    private static EpochTimes times(JsonNode n) {
        double[] s = new double[EpochTimes.KEYS.length];
        for (int i = 0; i < s.length; i++) s[i] = num(n, EpochTimes.KEYS[i]);
        Map<String, Double> parts = new LinkedHashMap<>();
        for (var it = n.fields(); it.hasNext(); ) {
            var f = it.next();
            if (f.getValue().isNumber() && !KNOWN.contains(f.getKey())) parts.put(f.getKey(), f.getValue().asDouble());
        }
        return EpochTimes.of(s).withStepParts(parts);
    }

    private static Set<String> known() {
        Set<String> k = new HashSet<>(List.of(COLUMNS));
        k.addAll(List.of(EpochTimes.KEYS));
        return Set.copyOf(k);
    }

    private static double num(JsonNode n, String k) {
        var v = n.get(k);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    public void append(EpochMetrics m) throws IOException {
        rows.add(m);
        write();
    }

    /**
     * Records an event that holds from {@code fields.get("iteration")} on ({@code fields} must have
     * an "event" and an "iteration" key) and rewrites the files at once.
     */
    public void event(Map<String, Object> fields) throws IOException {
        if (!(fields.get("event") instanceof String) || !(fields.get("iteration") instanceof Number)) {
            throw new IllegalArgumentException("an event needs an \"event\" name and an \"iteration\"");
        }
        events.add(JSON.valueToTree(fields));
        write();
    }

    /** The events, in the order of their iterations. */
    public List<JsonNode> events() { return List.copyOf(events); }

    private void write() throws IOException {
        StringBuilder jsonl = new StringBuilder();
        StringBuilder csv = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        int nextEvent = 0;
        for (EpochMetrics m : rows) {
            // an event at a row's own iteration happened after that epoch ended
            for (; nextEvent < events.size() && events.get(nextEvent).path("iteration").asLong() < m.iteration(); nextEvent++) {
                jsonl.append(JSON.writeValueAsString(events.get(nextEvent))).append('\n');
            }
            ObjectNode o = JSON.createObjectNode();
            o.put("epoch", m.epoch());
            o.put("iteration", m.iteration());
            put(o, "train_loss", m.trainLoss());
            put(o, "train_err", m.trainErr());
            put(o, "test_loss", m.testLoss());
            put(o, "test_err", m.testErr());
            put(o, "val_err", m.valErr());
            put(o, "lr", m.lr());
            put(o, "elapsed_s", m.elapsedS());
            double[] t = m.times().values();
            for (int i = 0; i < t.length; i++) put(o, EpochTimes.KEYS[i], t[i]);
            m.times().stepParts().forEach((k, v) -> put(o, k, v));
            jsonl.append(JSON.writeValueAsString(o)).append('\n');
            csv.append(m.epoch()).append(',').append(m.iteration());
            for (double v : new double[] {m.trainLoss(), m.trainErr(), m.testLoss(), m.testErr(), m.valErr(),
                m.lr(), m.elapsedS()}) {
                csv.append(',');
                if (!Double.isNaN(v)) csv.append(String.format(Locale.ROOT, "%.6g", v));
            }
            csv.append('\n');
        }
        for (; nextEvent < events.size(); nextEvent++) jsonl.append(JSON.writeValueAsString(events.get(nextEvent))).append('\n');
        AtomicFiles.writeString(dir.resolve("metrics.jsonl"), jsonl.toString());
        AtomicFiles.writeString(dir.resolve("metrics.csv"), csv.toString());
    }

    private static void put(ObjectNode o, String k, double v) {
        if (!Double.isNaN(v)) o.put(k, v);
    }
}
