package org.jresnet.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jresnet.train.RunLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runs folder as /runs sees it: which folders are runs, their state, their rows, and no way out of DIR. */
class RunFoldersTest {
    @TempDir Path tmp;

    static final String ROW1 = "{\"epoch\":1,\"iteration\":10,\"train_loss\":2.1,\"train_err\":0.8,\"test_loss\":2.0,\"test_err\":0.75,\"lr\":0.1,\"elapsed_s\":3.5}\n";

    @Test void partialLastLineIsWaitedForAndBadLinesCounted() throws Exception {
        Path f = tmp.resolve("metrics.jsonl");
        Files.writeString(f, ROW1 + "{\"epoch\":2,\"iter", StandardCharsets.UTF_8);
        MetricsTail.Rows r = MetricsTail.read(f);
        assertThat(r.rows()).hasSize(1);
        assertThat(r.partialLine()).isTrue();
        assertThat(r.badLines()).isZero();
        Files.writeString(f, "ation\":20}\nnot json\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        r = MetricsTail.read(f);
        assertThat(r.rows()).extracting(n -> n.get("epoch").asInt()).containsExactly(1, 2);
        assertThat(r.partialLine()).isFalse();
        assertThat(r.badLines()).isEqualTo(1);
        assertThat(MetricsTail.read(tmp.resolve("absent.jsonl")).rows()).isEmpty();
    }

    @Test void scanFindsRunsAndExperimentsWithoutFollowingLinks() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(Files.createDirectories(root.resolve("runs/a")).resolve("metrics.jsonl"), ROW1);
        Files.writeString(Files.createDirectories(root.resolve("b")).resolve("checkpoint.safetensors"), "x");
        Path exp = Files.createDirectories(root.resolve("lesion"));
        Files.writeString(exp.resolve("summary.md"), "# Lesion\n\n![plot](p.png)\n");
        Files.writeString(exp.resolve("summary.json"), "{}");
        Files.createDirectories(root.resolve(".hidden/c"));
        Files.writeString(root.resolve(".hidden/c/metrics.jsonl"), ROW1);
        Path outside = Files.createDirectories(tmp.resolve("outside/run"));
        Files.writeString(outside.resolve("metrics.jsonl"), ROW1);
        Files.createSymbolicLink(root.resolve("linked"), tmp.resolve("outside"));
        RunsRoot.Scan s = new RunsRoot(root).scan();
        assertThat(s.runs()).containsExactly("b", "runs/a");
        assertThat(s.experiments()).containsExactly("lesion");
    }

    @Test void pathsAreConfinedToTheFolder() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(Files.createDirectories(root.resolve("r")).resolve("plot.png"), "png");
        Files.writeString(tmp.resolve("secret.png"), "secret");
        Files.createSymbolicLink(root.resolve("r/out.png"), tmp.resolve("secret.png"));
        Files.createSymbolicLink(root.resolve("r/in.png"), root.resolve("r/plot.png"));
        RunsRoot r = new RunsRoot(root);
        assertThat(r.resolve("r/plot.png")).isEqualTo(root.toRealPath().resolve("r/plot.png"));
        assertThat(r.resolve("r/in.png")).isEqualTo(root.toRealPath().resolve("r/plot.png"));
        assertThat(r.resolve("./r")).isEqualTo(root.toRealPath().resolve("r"));
        assertStatus(() -> r.resolve("../secret.png"), 400);
        assertStatus(() -> r.resolve("r/../../secret.png"), 400);
        assertStatus(() -> r.resolve(tmp.resolve("secret.png").toString()), 400);
        assertStatus(() -> r.resolve("r/out.png"), 403);
        assertStatus(() -> r.resolve("r/none.png"), 404);
        assertStatus(() -> r.resolve(""), 400);
    }

    @Test void stateIsRunningWhileLockedFinishedWithAModelStoppedOtherwise() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("metrics.jsonl"), ROW1);
        assertThat(RunsApi.status(run, null)).isEqualTo(RunStatus.STOPPED);
        try (RunLock lock = RunLock.acquire(run)) {
            assertThat(RunsApi.status(run, null)).isEqualTo(RunStatus.RUNNING);
            assertThatThrownBy(() -> RunLock.acquire(run)).hasMessageContaining("is in use by another training");
        }
        assertThat(RunLock.isHeld(run)).isFalse();   // the file stays; its lock is gone
        assertThat(RunsApi.status(run, null)).isEqualTo(RunStatus.STOPPED);
        CheckpointInfo done = CheckpointInfo.parse(Map.of("model", "resnet20", "train_config", "{\"epochs\":3}",
                "run_state", "{\"epoch\":4,\"iteration\":30}"));
        assertThat(RunsApi.status(run, done)).isEqualTo(RunStatus.FINISHED);
        Files.writeString(run.resolve("model.safetensors"), "x");
        assertThat(RunsApi.status(run, null)).isEqualTo(RunStatus.FINISHED);
    }

    @Test void anUnreadableCheckpointIsSaidNotJustBlank() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("badckpt"));
        CheckpointInfo.Reader reader = new CheckpointInfo.Reader();
        assertThat(reader.read(run)).isNull();
        assertThat(reader.error(run)).as("no checkpoint yet is not an error").isNull();
        Files.write(run.resolve(RunsRoot.CHECKPOINT), new byte[] {1, 2, 3});
        assertThat(reader.read(run)).isNull();
        assertThat(reader.error(run)).contains("truncated");
        Files.delete(run.resolve(RunsRoot.CHECKPOINT));
        assertThat(reader.read(run)).isNull();
        assertThat(reader.error(run)).isNull();
    }

    @Test void summaryMarkdownIsEscapedAndLocalFilesRewritten() {
        String html = SummaryHtml.render("# T\n\n<script>alert(1)</script>\n\n![p](plot.png)\n\n[data](results.csv)"
                + " [x](javascript:alert(1)) [up](../secret.csv)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "exp/lesion");
        assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;");
        assertThat(html).contains("data-file=\"exp/lesion/plot.png\"").doesNotContain("src=\"plot.png\"");
        assertThat(html).contains("href=\"/runs/api/file?path=exp%2Flesion%2Fresults.csv\"");
        assertThat(html).doesNotContain("javascript:").doesNotContain("href=\"../secret.csv\"").contains("<table>");
        // nothing fetched from another host, no data: document to follow; web links stay links
        String outside = SummaryHtml.render("![far](http://evil.example/x.png) [d](data:text/html,hi) [w](https://example.org/p)"
                + " [top](#t)", "exp");
        assertThat(outside).doesNotContain("evil.example").doesNotContain("data:text").contains("alt=\"far\"")
                .contains("href=\"https://example.org/p\"").contains("href=\"#t\"");
    }

    @Test void namesWithAColonOpenAndRunsSixDeepAreListed() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("odd"));
        Files.writeString(Files.createDirectories(root.resolve("run-12:30")).resolve("metrics.jsonl"), ROW1);
        Files.writeString(Files.createDirectories(root.resolve("d1/d2/d3/d4/d5/d6")).resolve("metrics.jsonl"), ROW1);
        Files.writeString(Files.createDirectories(root.resolve("d1/d2/d3/d4/d5/d6b/d7")).resolve("metrics.jsonl"), ROW1);
        RunsRoot r = new RunsRoot(root);
        assertThat(r.scan().runs()).containsExactly("d1/d2/d3/d4/d5/d6", "run-12:30");
        assertThat(r.resolve("run-12:30")).isEqualTo(root.toRealPath().resolve("run-12:30"));
    }

    /**
     * A folder whose name is not valid in the file-name encoding (byte 0xFF) cannot be opened by the
     * name the JVM reads back, so it is listed as skipped with a reason, not as a run that 404s.
     * The shell makes the name: Java cannot write such a byte into a file name.
     */
    @Test void aFolderNameThatDoesNotDecodeIsSkippedAndSaid() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("enc"));
        Files.writeString(Files.createDirectories(root.resolve("ok")).resolve("metrics.jsonl"), ROW1);
        Process p = new ProcessBuilder("/bin/sh", "-c", "d=\"$(printf 'bad\\377')\" && mkdir \"$d\" && printf x > \"$d/metrics.jsonl\"")
                .directory(root.toFile()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        RunsRoot.Scan scan = new RunsRoot(root).scan();
        assertThat(scan.runs()).containsExactly("ok");
        assertThat(scan.unnamed()).hasSize(1);
        assertThat(scan.unnamed().get(0)).startsWith("bad");
    }

    private static void assertStatus(org.assertj.core.api.ThrowableAssert.ThrowingCallable c, int status) {
        assertThatThrownBy(c).isInstanceOfSatisfying(WebException.class, e -> assertThat(e.status).isEqualTo(status));
    }
}
