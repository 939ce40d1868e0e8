package org.jresnet.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jresnet.experiments.ExperimentOutput;
import org.jresnet.serve.QueryStrings;
import org.jresnet.train.RunLock;

/**
 * The JSON behind {@code /runs}: the run and experiment folders under DIR, one run's metrics,
 * configuration and state, an experiment's summary, and the folder's files (plots, CSV).
 * Everything is read from disk on each request, so a page polling it follows a run live.
 */
final class RunsApi {
    static final String LIST_ROUTE = "/runs/api/list", RUN_ROUTE = "/runs/api/run",
            EXPERIMENT_ROUTE = "/runs/api/experiment", FILE_ROUTE = "/runs/api/file";
    /** What the file route serves, by extension: plots and the data beside them, never pages or scripts. */
    private static final Map<String, String> FILE_TYPES = Map.of("png", "image/png", "csv", "text/plain; charset=utf-8",
            "json", "application/json", "jsonl", "text/plain; charset=utf-8", "md", "text/plain; charset=utf-8",
            "txt", "text/plain; charset=utf-8");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunsRoot root;
    private final CheckpointInfo.Reader checkpoints = new CheckpointInfo.Reader();

    /** {@code root} null: serve runs without {@code --runs}, and these routes say so. */
    RunsApi(RunsRoot root) { this.root = root; }

    private RunsRoot root() {
        if (root == null) throw new WebException(404, "serve was started without --runs DIR: no runs to show");
        return root;
    }

    void list(Context ctx) throws IOException {
        RunsRoot r = root();
        RunsRoot.Scan scan = r.scan();
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String rel : scan.runs()) runs.add(describe(r, rel, false));
        List<Map<String, Object>> exps = new ArrayList<>();
        for (String rel : scan.experiments()) {
            exps.add(Map.of("path", rel, "name", rel.equals(".") ? r.path().getFileName().toString() : name(rel)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("root", r.path().toString());
        out.put("runs", runs);
        out.put("experiments", exps);
        List<Map<String, Object>> skipped = new ArrayList<>();
        for (String rel : scan.unnamed()) {
            skipped.add(Map.of("path", rel, "reason", "its name is not valid " + System.getProperty("sun.jnu.encoding", "")
                    + " (the JVM's file-name encoding): rename the folder to see it here"));
        }
        out.put("skipped", skipped);
        json(ctx, out);
    }

    void run(Context ctx) throws IOException {
        RunsRoot r = root();
        Path dir = r.resolve(path(ctx));
        if (!Files.isDirectory(dir) || !RunsRoot.isRun(dir)) {
            throw new WebException(404, "not a run folder (no metrics.jsonl, checkpoint or .lock): " + ctx.queryParam("path"));
        }
        json(ctx, describe(r, r.relative(dir), true));
    }

    void experiment(Context ctx) throws IOException {
        RunsRoot r = root();
        Path dir = r.resolve(path(ctx));
        if (!Files.isDirectory(dir) || !RunsRoot.isExperiment(dir)) {
            throw new WebException(404, "not an experiment folder (no summary.md and summary.json): " + ctx.queryParam("path"));
        }
        String rel = r.relative(dir);
        String md = new String(Files.readAllBytes(dir.resolve(ExperimentOutput.SUMMARY_MD)), StandardCharsets.UTF_8);
        List<String> plots = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".png") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> (rel.equals(".") ? "" : rel + "/") + p.getFileName()).sorted().forEach(plots::add);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", rel);
        out.put("name", rel.equals(".") ? r.path().getFileName().toString() : name(rel));
        out.put("html", SummaryHtml.render(md, rel));
        out.put("plots", plots);
        json(ctx, out);
    }

    void file(Context ctx) throws IOException {
        RunsRoot r = root();
        String rel = path(ctx);
        Path f = r.resolve(rel);
        String name = f.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        String type = FILE_TYPES.get(ext);
        if (!Files.isRegularFile(f) || type == null) {
            throw new WebException(404, "not a file the runs page shows (" + String.join(", ", FILE_TYPES.keySet().stream()
                    .sorted().toList()) + "): " + rel);
        }
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(type).result(Files.readAllBytes(f));
    }

    /** One run: state, model, progress and last row; with {@code full}, every row and the configuration too. */
    private Map<String, Object> describe(RunsRoot r, String rel, boolean full) throws IOException {
        Path dir = rel.equals(".") ? r.path() : r.path().resolve(rel);
        MetricsTail.Rows m = MetricsTail.read(dir.resolve(RunsRoot.METRICS));
        CheckpointInfo ck = checkpoints.read(dir);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("path", rel);
        o.put("name", rel.equals(".") ? r.path().getFileName().toString() : name(rel));
        o.put("status", status(dir, ck).label());
        o.put("model", ck == null ? null : ck.model());
        o.put("epochs_done", m.rows().isEmpty() ? 0 : m.rows().get(m.rows().size() - 1).path("epoch").asInt());
        o.put("epochs", ck == null ? null : ck.epochs());
        o.put("iteration", ck == null ? null : ck.iteration());
        o.put("last", m.rows().isEmpty() ? null : m.rows().get(m.rows().size() - 1));
        o.put("updated", lastWrite(dir));
        if (full) {
            o.put("rows", m.rows());
            o.put("bad_lines", m.badLines());
            o.put("partial_line", m.partialLine());
            o.put("config", ck == null ? null : ck.config());
            o.put("checkpoint_error", checkpoints.error(dir));
        }
        return o;
    }

    static RunStatus status(Path dir, CheckpointInfo ck) {
        if (RunLock.isHeld(dir)) return RunStatus.RUNNING;
        if (Files.isRegularFile(dir.resolve(RunsRoot.MODEL)) || (ck != null && ck.complete())) return RunStatus.FINISHED;
        return RunStatus.STOPPED;
    }

    /** When the run last wrote anything (metrics, checkpoint, lock), as ISO-8601; null when never. */
    private static String lastWrite(Path dir) {
        FileTime latest = null;
        for (String f : new String[] {RunsRoot.METRICS, RunsRoot.CHECKPOINT, RunLock.FILE}) {
            try {
                FileTime t = Files.getLastModifiedTime(dir.resolve(f), LinkOption.NOFOLLOW_LINKS);
                if (latest == null || t.compareTo(latest) > 0) latest = t;
            } catch (NoSuchFileException absent) {
                // not written (yet)
            } catch (IOException unreadable) {
                // the others still tell
            }
        }
        return latest == null ? null : latest.toInstant().toString();
    }

    /** ?path=, or a 400 that says so when it is there but does not URL-decode (it would read as missing). */
    private static String path(Context ctx) {
        if (QueryStrings.undecodable(ctx, "path")) throw new WebException(400, "?path= is not URL-encoded: " + ctx.queryString());
        return ctx.queryParam("path");
    }

    private static String name(String rel) { return rel.substring(rel.lastIndexOf('/') + 1); }

    private static void json(Context ctx, Object body) throws IOException {
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType("application/json").result(JSON.writeValueAsBytes(body));
    }
}
