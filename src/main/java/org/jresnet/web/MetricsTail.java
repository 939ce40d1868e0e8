package org.jresnet.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a {@code metrics.jsonl} that a run is appending to. Only lines ended by a newline
 * count: a last line without one is still being written and is read on a later poll, not reported
 * as an error. A complete line that is not a JSON object is counted, not fatal.
 */
final class MetricsTail {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Rows(List<JsonNode> rows, int badLines, boolean partialLine) {}

    private MetricsTail() {}

    static Rows read(Path file) throws IOException {
        String text;
        try {
            // Bytes, not readString: a cut multi-byte character in a partial line must not fail the read.
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException none) {
            return new Rows(List.of(), 0, false);
        }
        int end = text.lastIndexOf('\n');
        boolean partial = end < text.length() - 1 && !text.substring(end + 1).isBlank();
        List<JsonNode> rows = new ArrayList<>();
        int bad = 0;
        if (end >= 0) {
            for (String line : text.substring(0, end).split("\n")) {
                if (line.isBlank()) continue;
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n != null && n.isObject() && n.has("epoch")) rows.add(n);
                    else bad++;
                } catch (JsonProcessingException e) {
                    bad++;
                }
            }
        }
        return new Rows(rows, bad, partial);
    }
}
