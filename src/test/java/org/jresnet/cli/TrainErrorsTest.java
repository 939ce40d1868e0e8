package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to train/eval/predict: one line on stderr naming the fault, a non-zero exit, no trace. */
class TrainErrorsTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll static void data() throws Exception {
        data = TinyImageFolder.write(tmp, 4, 2, 8);
    }

    static CliRun run(String... args) { return CliRun.of(args); }

    private static void assertOneLine(CliRun r, int code, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(r.lastErrLine()).startsWith("jresnet: ").contains(fragments);
        assertThat(r.err()).doesNotContain("\tat org.jresnet");
    }

    String cache() { return tmp.resolve("cache").toString(); }

    @Test void unknownModelListsTheValidOnes() {
        assertOneLine(run("train", "--model", "resnet21", "--data", data.toString(), "--out", tmp.resolve("a").toString()),
                2, "resnet21", "resnet20", "plain56");
    }

    @Test void badTrainingValuesNameTheFlagTheUserTyped() {
        String out = tmp.resolve("flags").toString();
        assertOneLine(run("train", "--lr", "-1", "--out", out), 2, "--lr must be positive");
        assertOneLine(run("train", "--schedule", "multistep", "--milestones", "5,3", "--out", out), 2,
                "--milestones must be increasing");
        assertOneLine(run("train", "--epochs", "0", "--out", out), 2, "--epochs must be >= 1, got 0");
        assertOneLine(run("train", "--batch", "8", "--micro-batches", "3", "--out", out), 2,
                "--micro-batches must divide the batch (8)");
        assertOneLine(run("train", "--threads", "0", "--out", out), 2, "--threads must be between 1 and 1024");
        assertOneLine(run("train", "--threads", "100000", "--out", out), 2, "--threads must be between 1 and 1024");
        assertOneLine(run("info", "--threads", "100000"), 2, "--threads must be between 1 and 1024, got 100000");
    }

    /** In a JVM of its own: the default engine reads the settings once, on its first use. */
    @Test void aBadEngineSettingIsOneLineNotAStackTrace() throws Exception {
        for (String[] env : new String[][] {{"JRESNET_SIMD", "bogus", "JRESNET_SIMD) must be true or false"},
                {"JRESNET_THREADS", "two", "JRESNET_THREADS) must be an integer between 1 and 1024, got 'two'"}}) {
            ProcessBuilder pb = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "info").redirectErrorStream(false);
            pb.environment().put(env[0], env[1]);
            Process p = pb.start();
            p.getOutputStream().close();
            String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(err).isEqualTo(2);
            java.util.List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).startsWith("jresnet: ").contains(env[2]);
        }
    }

    @Test void missingDataset() {
        assertOneLine(run("train", "--data", tmp.resolve("nope.zip").toString(), "--out", tmp.resolve("b").toString(),
                "--cache-dir", cache()), 1, "nope.zip");
    }

    @Test void emptyDataset() throws Exception {
        Path empty = tmp.resolve("empty.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(empty))) {
            z.putNextEntry(new ZipEntry("train/"));
            z.closeEntry();
        }
        CliRun r = run("train", "--data", empty.toString(), "--out", tmp.resolve("c").toString(), "--cache-dir", cache());
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip()).startsWith("jresnet: ").contains("empty.zip");
    }

    @Test void aTreeWithoutSplitFoldersIsNotTestedOnItsTrainingImages() throws Exception {
        Path flat = TinyImageFolder.writeFlat(tmp.resolve("flat.zip"), 2, 8);
        Path out = tmp.resolve("flat-run");
        assertOneLine(run("train", "--data", flat.toString(), "--out", out.toString(), "--cache-dir", cache(), "--epochs", "1"),
                2, "flat.zip has no train/ and test/ (or val/) folders", "under train/ and test/");
        assertThat(out).doesNotExist();
        // evaluating on such a tree is fine: there is only one set to evaluate on
        Path w = tmp.resolve("flat-model");
        assertThat(Main.execute("train", "--data", data.toString(), "--out", w.toString(), "--cache-dir", cache(),
                "--epochs", "1", "--batch", "4", "--quiet")).isZero();
        CliRun eval = run("eval", "--weights", w.resolve("model.safetensors").toString(), "--data", flat.toString(),
                "--cache-dir", cache());
        assertThat(eval.code()).as(eval.err()).isZero();
    }

    /** One image of another size switches the CIFAR net's augmentation to RandomResizedCrop: said, not silent. */
    @Test void anOddSizedImageSaysTheAugmentationChanged() throws Exception {
        Path odd = TinyImageFolder.write(tmp.resolve("odd.zip"), 4, 2, 8, TinyImageFolder.CLASSES);
        try (java.nio.file.FileSystem z = java.nio.file.FileSystems.newFileSystem(odd)) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(9, 9, java.awt.image.BufferedImage.TYPE_INT_RGB);
            try (var o = java.nio.file.Files.newOutputStream(z.getPath("train/red/odd.png"))) {
                javax.imageio.ImageIO.write(img, "png", o);
            }
        }
        CliRun r = run("train", "--data", odd.toString(), "--out", tmp.resolve("odd-run").toString(), "--cache-dir", cache(),
                "--epochs", "1", "--batch", "4");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("note: the training images are not all 32x32 in memory").contains("RandomResizedCrop");
        CliRun same = run("train", "--data", data.toString(), "--out", tmp.resolve("even-run").toString(), "--cache-dir", cache(),
                "--epochs", "1", "--batch", "4");
        assertThat(same.err()).doesNotContain("RandomResizedCrop");
    }

    @Test void unwritableOut() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertOneLine(run("train", "--data", data.toString(), "--out", file.resolve("sub").toString(),
                "--cache-dir", cache()), 1, "cannot write");
        CliRun r = run("train", "--data", data.toString(), "--out", file.toString(), "--cache-dir", cache());
        assertOneLine(r, 1, "cannot write to output folder " + file + ": it is a file, not a folder");
        assertThat(r.err()).doesNotContain("FileAlreadyExistsException");
    }

    @Test void badOptionValues() {
        assertOneLine(run("train", "--epochs", "0", "--data", data.toString(), "--out", tmp.resolve("d").toString()),
                2, "--epochs");
        assertOneLine(run("train", "--schedule", "linear", "--data", data.toString(), "--out", tmp.resolve("e").toString(),
                "--cache-dir", cache()), 2, "linear");
        assertOneLine(run("train", "--batch", "many"), 2, "--batch");
    }

    @Test void divergingLossStopsWithAMessage() throws Exception {
        Path out = tmp.resolve("nan");
        CliRun r = run("train", "--data", data.toString(), "--out", out.toString(), "--cache-dir", cache(), "--epochs", "3",
                "--batch", "4", "--lr", "1e30", "--warmup", "0", "--quiet");
        assertOneLine(r, 1, "loss became", "--lr");
        assertThat(out.resolve("model.safetensors")).doesNotExist();
    }

    @Test void classMismatchBetweenModelAndData() throws Exception {
        Path w = tmp.resolve("w");
        assertThat(Main.execute("train", "--data", data.toString(), "--out", w.toString(), "--cache-dir", cache(),
                "--epochs", "1", "--batch", "4", "--quiet")).isZero();
        String weights = w.resolve("model.safetensors").toString();
        Path renamed = TinyImageFolder.write(tmp.resolve("renamed.zip"), 2, 2, 8, new String[] {"cat", "dog", "eel"});
        Path fewer = TinyImageFolder.write(tmp.resolve("fewer.zip"), 2, 2, 8, new String[] {"blue", "green"});
        assertThat(run("eval", "--weights", weights, "--data", data.toString(), "--cache-dir", cache()).code()).isZero();
        assertOneLine(run("eval", "--weights", weights, "--data", renamed.toString(), "--cache-dir", cache()), 2,
                "class folders", "cat");
        assertOneLine(run("eval", "--weights", weights, "--data", fewer.toString(), "--cache-dir", cache()), 2,
                "3 classes", "2");
        assertOneLine(run("train", "--init", weights, "--data", fewer.toString(), "--out", tmp.resolve("ft").toString(),
                "--cache-dir", cache(), "--epochs", "1", "--batch", "2", "--quiet"), 2, "--num-classes 2");
        assertThat(run("train", "--init", weights, "--num-classes", "2", "--freeze-backbone", "--data", fewer.toString(),
                "--out", tmp.resolve("ft2").toString(), "--cache-dir", cache(), "--epochs", "1", "--batch", "2",
                "--quiet").code()).isZero();
        // the frozen backbone sees images normalised as it was trained, not by the new data's statistics
        var initNorm = org.jresnet.io.ModelFiles.load(Path.of(weights)).metadata().normalization();
        var tuned = org.jresnet.io.ModelFiles.load(tmp.resolve("ft2").resolve("model.safetensors")).metadata();
        assertThat(tuned.normalization()).isEqualTo(initNorm);
        assertThat(run("train", "--data", fewer.toString(), "--out", tmp.resolve("scratch").toString(), "--cache-dir",
                cache(), "--epochs", "1", "--batch", "2", "--quiet").code()).isZero();
        assertThat(org.jresnet.io.ModelFiles.load(tmp.resolve("scratch").resolve("model.safetensors")).metadata()
                .normalization()).as("the new data's own statistics differ").isNotEqualTo(initNorm);
    }
}
