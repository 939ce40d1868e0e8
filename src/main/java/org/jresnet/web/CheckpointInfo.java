package org.jresnet.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jresnet.io.SafeTensors;
import org.jresnet.train.RunFiles;

/**
 * What a run's checkpoint says about it — its configuration, the model, where it is — read from
 * the safetensors header only, and again only when the file changed (a page polls every few seconds).
 *
 * @param model     architecture name of the model metadata
 * @param config    the run's configuration as {@code train} stored it (flat JSON object)
 * @param epoch     epoch in progress (epochs + 1 once complete)
 * @param iteration global iteration count
 * @param epochs    epochs the run was asked for
 */
record CheckpointInfo(String model, JsonNode config, int epoch, long iteration, int epochs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    boolean complete() { return epochs > 0 && epoch > epochs; }

    /** A checkpoint read at one (modification time, size). */
    private record Cached(FileTime modified, long size, CheckpointInfo info) {}

    /** Reads and caches by file; thread-safe. */
    static final class Reader {
        private final Map<Path, Cached> cache = new ConcurrentHashMap<>();
        private final Map<Path, String> errors = new ConcurrentHashMap<>();

        /** Why {@code runDir}'s checkpoint could not be read at the last {@link #read}, or null. */
        String error(Path runDir) { return errors.get(runDir.resolve(RunsRoot.CHECKPOINT)); }

        /** Null when the run has no checkpoint yet (its first epoch is under way) or it is not a training checkpoint. */
        CheckpointInfo read(Path runDir) {
            Path f = runDir.resolve(RunsRoot.CHECKPOINT);
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                Cached c = cache.get(f);
                if (c != null && c.modified.equals(a.lastModifiedTime()) && c.size == a.size()) return c.info;
                CheckpointInfo info = parse(SafeTensors.readMetadata(f));
                cache.put(f, new Cached(a.lastModifiedTime(), a.size(), info));
                errors.remove(f);
                return info;
            } catch (NoSuchFileException none) {
                errors.remove(f);
                return null;
            } catch (IOException | RuntimeException unreadable) {
                // Truncated or not ours: said (checkpoint_error), and read again at the next poll.
                errors.put(f, unreadable.getMessage() == null ? unreadable.getClass().getSimpleName() : unreadable.getMessage());
                return null;
            }
        }
    }

    static CheckpointInfo parse(Map<String, String> meta) throws IOException {
        String cfg = meta.get(RunFiles.CONFIG_KEY), state = meta.get(RunFiles.STATE_KEY);
        if (cfg == null || state == null) return null;
        JsonNode c = JSON.readTree(cfg), s = JSON.readTree(state);
        return new CheckpointInfo(meta.getOrDefault("model", c.path("model").asText("?")), c, s.path("epoch").asInt(),
                s.path("iteration").asLong(), c.path("epochs").asInt());
    }
}
