package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
    @TempDir Path tmp;

    private static String stdout(String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.err()).isZero();
        return r.out();
    }

    @Test void predictsInInputOrderAndAgreesWithEval() throws Exception {
        Path data = TinyImageFolder.write(tmp, 8, 3, 8);
        Path run = tmp.resolve("run");
        String cache = tmp.resolve("cache").toString();
        assertThat(Main.execute("train", "--data", data.toString(), "--out", run.toString(), "--cache-dir", cache,
                "--epochs", "2", "--batch", "4", "--quiet")).isZero();
        // The test images, written out as files, in a deliberately unsorted order.
        Path dir = Files.createDirectories(tmp.resolve("images"));
        List<Path> files = new ArrayList<>();
        try (InputStream in = Files.newInputStream(data); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().startsWith("test/") && !e.isDirectory()) {
                    Path f = dir.resolve(e.getName().replace('/', '_'));
                    Files.write(f, z.readAllBytes());
                    files.add(f);
                }
            }
        }
        List<String> args = new ArrayList<>(List.of("predict", "--weights", run.resolve("model.safetensors").toString(),
                "--json", "--top", "3"));
        for (int i = files.size() - 1; i >= 0; i--) args.add(files.get(i).toString());
        JsonNode out = new ObjectMapper().readTree(stdout(args.toArray(String[]::new)));
        assertThat(out.size()).isEqualTo(files.size());
        for (int i = 0; i < out.size(); i++) {
            JsonNode r = out.get(i);
            assertThat(r.get("file").asText()).isEqualTo(files.get(files.size() - 1 - i).toString());
            double sum = 0, prev = 1;
            for (JsonNode t : r.get("top")) {
                assertThat(t.get("prob").asDouble()).isLessThanOrEqualTo(prev);
                prev = t.get("prob").asDouble();
                sum += prev;
                assertThat(TinyImageFolder.CLASSES[t.get("index").asInt()]).isEqualTo(t.get("class").asText());
            }
            assertThat(sum).isCloseTo(1.0, within(1e-6));  // all three classes listed
        }
        // eval --json lists predictions in sorted path order: the same classes as predict gives per file.
        JsonNode eval = new ObjectMapper().readTree(stdout("eval", "--weights", run.resolve("model.safetensors").toString(),
                "--data", data.toString(), "--cache-dir", cache, "--json"));
        List<Path> sorted = new ArrayList<>(files);
        sorted.sort(null);
        for (int i = 0; i < sorted.size(); i++) {
            int j = files.size() - 1 - files.indexOf(sorted.get(i));
            assertThat(out.get(j).get("top").get(0).get("index").asInt()).isEqualTo(eval.get("predictions").get(i).asInt());
            // and names the file each prediction is for
            assertThat(sorted.get(i).getFileName().toString()).isEqualTo(eval.get("files").get(i).asText().replace('/', '_'));
        }
        assertThat(eval.get("files").size()).isEqualTo(eval.get("predictions").size());
        assertThat(eval.get("skipped").asInt()).isZero();
        for (JsonNode a : eval.get("per_class")) assertThat(a.isNumber() || a.isNull()).isTrue();
    }

    @Test void aFolderSaysWhatItLeftOut() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
        javax.imageio.ImageIO.write(img, "png", dir.resolve("a.png").toFile());
        javax.imageio.ImageIO.write(img, "jpeg", dir.resolve("b.jfif").toFile());
        Files.writeString(dir.resolve("notes.txt"), "x");
        Files.writeString(dir.resolve("scan.tif"), "x");
        CliRun r = CliRun.of("predict", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("a.png").contains("b.jfif");
        assertThat(r.err()).contains("mixed: 2 files without an image extension");
        Path none = Files.createDirectories(tmp.resolve("none"));
        Files.writeString(none.resolve("scan.tif"), "x");
        CliRun empty = CliRun.of("predict", none.toString());
        assertThat(empty.code()).isNotZero();
        assertThat(empty.lastErrLine()).contains("images in " + none).contains("(1 other files");
    }

    @Test void aFileWithoutMetadataSaysWhichNormalisationItGets() throws Exception {
        org.jresnet.models.ResNet net = org.jresnet.models.Models.create(org.jresnet.models.ModelConfig.of("resnet20"));
        Path plain = tmp.resolve("plain.safetensors");
        org.jresnet.io.SafeTensors.write(plain, org.jresnet.io.ModelFiles.stateDict(net), java.util.Map.of());
        Path img = tmp.resolve("x.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB), "png",
                img.toFile());
        CliRun r = CliRun.of("predict", "--weights", plain.toString(), img.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("note: no input normalisation in the file: CIFAR-10's statistics, mean 0.4914,");
        CliRun given = CliRun.of("predict", "--weights", plain.toString(), "--mean", "0.5,0.5,0.5", "--std", "0.2,0.2,0.2",
                img.toString());
        assertThat(given.code()).as(given.err()).isZero();
        assertThat(given.err()).doesNotContain("no input normalisation");
    }

    @Test void missingImageIsOneLine() {
        assertThat(Main.execute("predict", "--weights", tmp.resolve("w.safetensors").toString(),
                tmp.resolve("none.jpg").toString())).isEqualTo(1);
    }
}
