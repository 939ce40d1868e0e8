package org.jresnet.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's error line: one line, ours when a failed stage carries it as text. */
class SparkMainTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path WEIGHTS = REPO.resolve("models/resnet20-cifar10.safetensors");
    @TempDir Path tmp;

    /** The exit code and stderr of {@code jresnet spark ARGS} in this JVM. */
    private record Run(int code, String err) {
        static Run of(String... args) {
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream before = System.err;
            System.setErr(new java.io.PrintStream(err, true));
            try {
                return new Run(SparkMain.execute(args), err.toString());
            } finally {
                System.setErr(before);
            }
        }

        /** The last line, without Spark's console progress bar (carriage returns). */
        String lastLine() {
            List<String> lines = err.replace('\r', '\n').lines().filter(l -> !l.isBlank() && !l.startsWith("[Stage")).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    /** {@code n} JPEGs of the sample zip into {@code dir}. */
    private static Path images(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        try (ZipFile z = new ZipFile(REPO.resolve("data/cifar10-sample.zip").toFile())) {
            List<? extends ZipEntry> jpgs = z.stream().filter(e -> e.getName().endsWith(".jpg")).limit(n).toList();
            for (ZipEntry e : jpgs) {
                try (var in = z.getInputStream(e)) {
                    Files.copy(in, dir.resolve(e.getName().replace('/', '_')));
                }
            }
        }
        return dir;
    }

    private static String[] predict(Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("predict", "--master", "local[1]", "--threads", "1", "--weights", WEIGHTS.toString(),
                "--data", data.toString(), "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** The folder's entries other than {@code keep}: what a job left beside its output. */
    private static List<String> leftBeside(Path out) throws IOException {
        try (var s = Files.list(out.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(out.getFileName() + ".")).toList();
        }
    }

    /** Spark would log a missing input with a stack trace, after starting. */
    @Test void aMissingLocalDataIsRefusedBeforeSparkStarts() {
        Run r = Run.of(predict(tmp.resolve("no-such-folder"), tmp.resolve("p.parquet")));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("jresnet spark: --data: no such file or folder: " + tmp.resolve("no-such-folder"))
                .doesNotContain("\n");
    }

    /**
     * Spark's --overwrite deletes the old output when its write starts: a job killed then (Ctrl-C,
     * SIGTERM) lost it and left a partial --out. The job now writes beside --out and replaces it
     * only once complete; a killed driver removes what it had written.
     */
    @Test void aJobKilledWhileWritingKeepsTheOutputItWasToOverwrite() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("old.parquet"));
        Path marker = Files.writeString(out.resolve("part-old.parquet"), "the previous run's output");
        List<String> cmd = driver(predict(REPO.resolve("data/cifar10-sample.zip"), out, "--overwrite"));
        cmd.set(cmd.indexOf("local[1]"), "local[2]");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + 300_000_000_000L;
            // the write has started: Spark's own overwrite deleted the old output, ours made its folder beside it
            while (p.isAlive() && Files.exists(marker) && leftBeside(out).isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(p.isAlive()).as("the job was still running when its write started").isTrue();
            p.destroy();   // SIGTERM, as Ctrl-C
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(marker).hasContent("the previous run's output");
        try (var s = Files.list(out)) {
            assertThat(s.map(f -> f.getFileName().toString()).toList()).containsExactly("part-old.parquet");
        }
        assertThat(leftBeside(out)).isEmpty();
    }

    /** {@code java SparkMain ARGS} as bin/jresnet runs it, on this test's class path. */
    private static List<String> driver(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(System.getProperty("jresnet.spark.opens").trim().split("\\s+")));
        cmd.addAll(List.of("-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider", "-Dslf4j.internal.verbosity=WARN",
                "-cp", System.getProperty("java.class.path"), SparkMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test void overwriteReplacesTheOutputOnceTheJobIsComplete() throws IOException {
        Path data = images(tmp.resolve("good"), 3);
        Path out = Files.createDirectories(tmp.resolve("prev.parquet"));
        Files.writeString(out.resolve("part-old.parquet"), "the previous run's output");
        Run r = Run.of(predict(data, out, "--overwrite"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.lastLine()).isEqualTo("jresnet spark: 3 images -> " + out);
        assertThat(out.resolve("part-old.parquet")).doesNotExist();
        assertThat(out.resolve("_SUCCESS")).exists();
        assertThat(leftBeside(out)).isEmpty();
    }

    /** It wrote an empty Parquet and exited 0; bin/jresnet predict refuses such an input. */
    @Test void anInputWithoutImagesIsAnErrorAndWritesNothing() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("no-images"));
        Files.writeString(data.resolve("notes.txt"), "no image here");
        Path out = tmp.resolve("none.parquet");
        Run r = Run.of(predict(data, out));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.lastLine()).isEqualTo("jresnet spark: no JPEG/PNG/BMP/GIF images in " + data + "; nothing written to " + out);
        assertThat(out).doesNotExist();
        assertThat(leftBeside(out)).isEmpty();
    }

    /** Hadoop cannot make a path of a name with ':': the whole job failed on it, with Spark's FAILED_READ_FILE. */
    @Test void anImageNameHadoopCannotReadIsNamedBeforeTheJob() throws IOException {
        Path data = images(tmp.resolve("colon"), 1);
        Files.copy(Files.list(data).findFirst().orElseThrow(), data.resolve("12:30 shot.jpg"));
        Run r = Run.of(predict(data, tmp.resolve("c.parquet")));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("jresnet spark: " + data.resolve("12:30 shot.jpg")
                + ": Hadoop cannot read a path with ':' in it (the job would fail on it); rename it");
    }

    /** A name that is not UTF-8 (byte 0xE9) reached Spark as U+FFFD and was left out without a word. */
    @Test void anImageNameThatIsNotUtf8IsNamedBeforeTheJob() throws Exception {
        Path data = images(tmp.resolve("latin1"), 1);
        Process p = new ProcessBuilder("sh", "-c", "cp \"$1\"/* \"$1/$(printf 'caf\\351').jpg\"", "sh", data.toString()).start();
        assertThat(p.waitFor()).isZero();
        Run r = Run.of(predict(data, tmp.resolve("u.parquet")));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("jresnet spark: " + data.resolve("caf\uFFFD.jpg") + ": a file name that is not valid")
                .endsWith("rename it").doesNotContain("\n");
    }

    /** Spark's listing skips names starting with "_" as hidden; predict reads them: said, not silent. */
    @Test void imagesSparkLeavesOutAsHiddenAreCounted() throws IOException {
        Path data = images(tmp.resolve("underscore"), 2);
        try (var s = Files.list(data)) {
            Path second = s.sorted().toList().get(1);
            Files.move(second, Files.createDirectories(data.resolve("_misc")).resolve("x.jpg"));
        }
        Path out = tmp.resolve("h.parquet");
        Run r = Run.of(predict(data, out));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("jresnet spark: note: 1 image(s) under a name starting with '_' left out"
                + " (Spark reads such names as hidden files)\n");
        assertThat(r.lastLine()).isEqualTo("jresnet spark: 1 images -> " + out);
    }

    /** java.util.zip reads a file that is no zip as a zip of no entries: it gave 0 images and exit 0. */
    @Test void aZipThatIsNotAZipIsAnError() throws IOException {
        Path zip = Files.writeString(tmp.resolve("photos.zip"), "this is not a zip archive");
        Path out = tmp.resolve("z.parquet");
        Run r = Run.of(predict(zip, out));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.lastLine()).isEqualTo("jresnet spark: cannot read the zip file:" + zip + ": not a zip file");
        assertThat(out).doesNotExist();
    }

    /**
     * A failed task's stack trace was logged (the local executor's "Exception in task", the
     * scheduler's "Lost task") before the one-line error: run as bin/jresnet runs it, in a JVM of its
     * own, whose stderr is the error line alone.
     */
    @Test void aFailedTaskPrintsTheOneErrorLineAndNoStackTrace() throws Exception {
        Path data = images(tmp.resolve("bad-alone"), 1);
        Files.writeString(data.resolve("broken.jpg"), "not a JPEG");
        Process p = new ProcessBuilder(driver(predict(data, tmp.resolve("f.parquet"), "--on-bad", "error"))).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isEqualTo(1);
        List<String> lines = err.replace('\r', '\n').lines()
                .filter(l -> !l.isBlank() && !l.startsWith("[Stage") && !l.startsWith("WARNING: Using incubator modules")).toList();
        assertThat(lines).as(err).hasSize(1);
        assertThat(lines.get(0)).startsWith("jresnet spark: cannot read image ").contains("broken.jpg");
    }

    /** Spark itself would find an existing output only once the whole job had run. */
    @Test void anExistingOutputIsRefusedBeforeTheJob() throws Exception {
        Path weights = Files.writeString(tmp.resolve("w.safetensors"), "x");
        Path out = Files.createDirectories(tmp.resolve("p.parquet"));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.err;
        int code;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            code = SparkMain.execute("predict", "--weights", weights.toString(), "--data", tmp.toString(), "--out", out.toString());
        } finally {
            System.setErr(before);
        }
        assertThat(code).isNotZero();
        assertThat(err.toString().strip()).startsWith("jresnet spark: --out " + out + " exists; pass --overwrite to replace it")
                .doesNotContain("\n");
    }

    @Test void aFailedStageSaysTheExecutorsErrorInOneLine() {
        String stage = "Job aborted due to stage failure: Task 0 in stage 1.0 failed 1 times, most recent failure: Lost task 0.0"
                + " (TID 1) (127.0.0.1 executor 0): org.jresnet.data.DataException: cannot read image file:/d/bad.jpg"
                + " (not an image)\n\tat org.jresnet.spark.ml.ImageFiles.read(ImageFiles.java:10)\n\nDriver stacktrace:\n"
                + "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:1)";
        assertThat(SparkMain.oneLine(new RuntimeException(stage))).isEqualTo("cannot read image file:/d/bad.jpg (not an image)");
    }

    @Test void otherwiseTheFirstLineOfTheMessage() {
        assertThat(SparkMain.oneLine(new IllegalStateException("Could not parse Master URL: 'foo'\n\tat x"))).isEqualTo(
                "Could not parse Master URL: 'foo'");
        assertThat(SparkMain.oneLine(new IllegalStateException(new org.jresnet.data.DataException("no images in d"))))
                .isEqualTo("no images in d");
        assertThat(SparkMain.oneLine(new NullPointerException())).isEqualTo("NullPointerException");
    }
}
