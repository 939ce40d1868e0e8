package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One bad file among good ones (predict with the shipped ResNet-20): without --skip-bad a one-line
 * error naming it; with --skip-bad an "error" entry in its place and the rest predicted, exit 1.
 * Hidden files of a folder (".x.jpg", macOS's "._x.jpg") are not inputs at all.
 */
class PredictBadFilesTest {
    @TempDir static Path tmp;
    static Path dir;

    @BeforeAll static void images() throws Exception {
        dir = Files.createDirectories(tmp.resolve("images"));
        try (ZipFile z = new ZipFile(Home.bundled(Home.SAMPLE_DATA).toFile())) {
            for (String n : new String[] {"test/cat/0000.jpg", "test/ship/0004.jpg"}) {
                Files.write(dir.resolve(n.replace('/', '_')), z.getInputStream(z.getEntry(n)).readAllBytes());
            }
        }
        Files.write(dir.resolve("test_dog_empty.jpg"), new byte[0]);
    }

    @Test void withoutSkipBadTheBadFileIsNamed() {
        CliRun r = CliRun.of("predict", dir.toString(), "--json");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).startsWith("jresnet: ").contains("test_dog_empty.jpg").doesNotContain("\n");
    }

    @Test void skipBadReportsTheBadFileAndPredictsTheRest() throws Exception {
        CliRun r = CliRun.of("predict", dir.toString(), "--json", "--skip-bad", "--top", "2");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        JsonNode out = new ObjectMapper().readTree(r.out());
        assertThat(out.size()).isEqualTo(3);
        assertThat(out.get(0).get("file").asText()).endsWith("test_cat_0000.jpg");
        assertThat(out.get(0).get("top").size()).isEqualTo(2);
        assertThat(out.get(1).get("file").asText()).endsWith("test_dog_empty.jpg");
        assertThat(out.get(1).has("top")).isFalse();
        assertThat(out.get(1).get("error").asText()).contains("test_dog_empty.jpg");
        assertThat(out.get(2).get("top").size()).isEqualTo(2);

        CliRun text = CliRun.of("predict", dir.toString(), "--skip-bad");
        assertThat(text.code()).isEqualTo(1);
        assertThat(text.out().strip().split("\n")).hasSize(2);
        assertThat(text.err()).contains("test_dog_empty.jpg").contains("1 of 3 images");
    }

    @Test void hiddenFilesOfAFolderAreNotInputs() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("with-hidden"));
        Files.copy(dir.resolve("test_cat_0000.jpg"), d.resolve("cat.jpg"));
        Files.write(d.resolve(".partial.jpg"), new byte[] {1, 2, 3});
        Files.write(d.resolve("._cat.jpg"), new byte[] {0, 5, 22, 7});  // AppleDouble resource fork
        Files.createDirectories(d.resolve(".thumbs"));
        Files.write(d.resolve(".thumbs/t.jpg"), new byte[0]);
        CliRun r = CliRun.of("predict", d.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode out = new ObjectMapper().readTree(r.out());
        assertThat(out.size()).isEqualTo(1);
        assertThat(out.get(0).get("file").asText()).endsWith("cat.jpg");
    }

    @Test void pixelLimitCanBeChangedAndNamesItsOption() {
        CliRun r = CliRun.of("predict", dir.resolve("test_cat_0000.jpg").toString(), "--max-pixels", "1000");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("test_cat_0000.jpg").contains("1024 pixels").contains("--max-pixels");
        assertThat(CliRun.of("predict", dir.resolve("test_cat_0000.jpg").toString(), "--max-pixels", "1024").code()).isZero();
        assertThat(CliRun.of("predict", dir.resolve("test_cat_0000.jpg").toString(), "--max-pixels", "0").code()).isEqualTo(2);
    }
}
