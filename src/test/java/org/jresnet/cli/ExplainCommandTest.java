package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explain} with the shipped ResNet-20 on images of the bundled CIFAR-10 sample. */
class ExplainCommandTest {
    @TempDir Path tmp;
    private Path cat, plane, out;

    @BeforeEach void sampleImages() throws Exception {
        try (ZipFile zip = new ZipFile("data/cifar10-sample.zip")) {
            cat = tmp.resolve("cat.jpg");
            plane = tmp.resolve("plane.jpg");
            Files.write(cat, zip.getInputStream(zip.getEntry("test/cat/0000.jpg")).readAllBytes());
            Files.write(plane, zip.getInputStream(zip.getEntry("test/airplane/0002.jpg")).readAllBytes());
        }
        out = tmp.resolve("maps");
    }

    private static void assertOneLineError(CliRun r, int code, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(r.err()).doesNotContain("\tat org.").doesNotContain("Exception");
        assertThat(r.err().strip().split("\n")).hasSize(1);
        assertThat(r.lastErrLine()).startsWith("jresnet: ").contains(message);
    }

    @Test void writesAPngOverlayPerImageAndOneLineEach() throws Exception {
        CliRun r = CliRun.of("explain", cat.toString(), plane.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\n");
        assertThat(lines).hasSize(2);
        Path catPng = out.resolve("cat-cam.png"), planePng = out.resolve("plane-cam.png");
        assertThat(lines[0]).matches(java.util.regex.Pattern.quote(cat.toString()) + ": cat \\d+\\.\\d% -> "
                + java.util.regex.Pattern.quote(catPng.toString()));
        assertThat(lines[1]).startsWith(plane + ": airplane ").endsWith(" -> " + planePng);
        for (Path p : new Path[] {catPng, planePng}) {
            assertThat(Files.readAllBytes(p)).startsWith(0x89, 'P', 'N', 'G');
            BufferedImage img = ImageIO.read(p.toFile());
            assertThat(img.getWidth()).isEqualTo(32);   // the shipped model's view: 32x32
            assertThat(img.getHeight()).isEqualTo(32);
        }
        // the class explained by default is predict's top-1, with its probability
        JsonNode predicted = new ObjectMapper().readTree(CliRun.of("predict", "--json", cat.toString()).out()).get(0).get("top").get(0);
        assertThat(lines[0]).contains(": " + predicted.get("class").asText() + " "
                + String.format(java.util.Locale.ROOT, "%.1f%%", 100 * predicted.get("prob").asDouble()));
    }

    @Test void classByNameOrIndexScaleAndJson() throws Exception {
        CliRun r = CliRun.of("explain", cat.toString(), "--out", out.toString(), "--class", "dog", "--scale", "4", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out()).get(0);
        assertThat(j.get("file").asText()).isEqualTo(cat.toString());
        assertThat(j.get("class").asText()).isEqualTo("dog");
        assertThat(j.get("index").asInt()).isEqualTo(5);
        assertThat(j.get("prob").asDouble()).isBetween(0.0, 1.0);
        Path png = Path.of(j.get("out").asText());
        assertThat(png).isEqualTo(out.resolve("cat-cam.png"));
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(128);
        assertThat(img.getHeight()).isEqualTo(128);
        byte[] byName = Files.readAllBytes(png);
        // index 5 is dog: the same map (--force over the file just written)
        r = CliRun.of("explain", cat.toString(), "--out", out.toString(), "--class", "5", "--scale", "4", "--force");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(": dog ");
        assertThat(Files.readAllBytes(png)).isEqualTo(byName);
        // and another class gives another map
        assertThat(CliRun.of("explain", cat.toString(), "--out", out.toString(), "--class", "cat", "--scale", "4",
                "--force").code()).isZero();
        assertThat(Files.readAllBytes(png)).isNotEqualTo(byName);
    }

    @Test void badClassesAreOneLine() {
        assertOneLineError(CliRun.of("explain", cat.toString(), "--out", out.toString(), "--class", "unicorn"), 2,
                "--class unicorn: no such class; the model's classes are airplane, automobile");
        assertOneLineError(CliRun.of("explain", cat.toString(), "--out", out.toString(), "--class", "10"), 2,
                "--class 10: index out of range; the model has 10 classes, 0..9");
        assertThat(out).doesNotExist();
    }

    @Test void missingOrUnreadableImagesAreOneLineAndNothingIsWritten() throws Exception {
        assertOneLineError(CliRun.of("explain", tmp.resolve("nope.jpg").toString(), "--out", out.toString()), 1,
                "no such file: " + tmp.resolve("nope.jpg"));
        Path bad = tmp.resolve("bad.jpg");
        Files.writeString(bad, "not an image");
        // every image is read first: the good one before the bad one gets no PNG either
        assertOneLineError(CliRun.of("explain", cat.toString(), bad.toString(), "--out", out.toString()), 1,
                "corrupt or unreadable image " + bad);
        assertThat(out.resolve("cat-cam.png")).doesNotExist();
    }

    @Test void existingOutputsAreKeptWithoutForceAndNamesMayNotCollide() throws Exception {
        Files.createDirectories(out);
        Files.writeString(out.resolve("cat-cam.png"), "mine");
        assertOneLineError(CliRun.of("explain", cat.toString(), "--out", out.toString()), 2,
                out.resolve("cat-cam.png") + " exists; pass --force to overwrite it");
        assertThat(Files.readString(out.resolve("cat-cam.png"))).isEqualTo("mine");
        Path other = Files.createDirectories(tmp.resolve("other")).resolve("cat.png");
        Files.copy(plane, other);
        assertOneLineError(CliRun.of("explain", cat.toString(), other.toString(), "--out", tmp.resolve("o2").toString()), 2,
                "would both be explained in");
        assertOneLineError(CliRun.of("explain", cat.toString(), "--out", cat.toString()), 2, "is a file; give a folder");
    }

    @Test void weightsThatAreNotAModelAreOneLine() {
        assertOneLineError(CliRun.of("explain", "--weights", cat.toString(), cat.toString(), "--out", out.toString()), 1,
                "not a safetensors file");
        assertOneLineError(CliRun.of("explain", cat.toString(), "--out", out.toString(), "--scale", "0"), 2,
                "--scale must be 1..64");
    }
}
