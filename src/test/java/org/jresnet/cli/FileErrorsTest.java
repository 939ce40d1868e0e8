package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipFile;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fault of a file is exit 1 with one line naming the file. */
class FileErrorsTest {
    @TempDir static Path tmp;
    static Path image;

    @BeforeAll static void image() throws Exception {
        image = tmp.resolve("cat.jpg");
        try (ZipFile z = new ZipFile(Home.bundled(Home.SAMPLE_DATA).toFile())) {
            Files.write(image, z.getInputStream(z.getEntry("test/cat/0000.jpg")).readAllBytes());
        }
    }

    private static void assertOneLine(CliRun r, int code, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(r.err().strip()).startsWith("jresnet: ").doesNotContain("\n").contains(fragments);
    }

    @Test void weightsThatAreAFolder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("somedir"));
        assertOneLine(CliRun.of("predict", "--weights", dir + "/", image.toString()), 1, dir.toString(), "folder");
    }

    @Test void anEmptyCheckpointIsSaidToBeEmpty() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.pth"));
        assertOneLine(CliRun.of("predict", "--weights", empty.toString(), image.toString()), 1, empty + ": is empty (0 bytes)");
        assertOneLine(CliRun.of("convert", empty.toString(), tmp.resolve("e.safetensors").toString()), 1, "is empty (0 bytes)");
    }

    @Test void absurdInputSizeMetadataIsAFileFault() throws Exception {
        SafeTensorsFile shipped = SafeTensors.read(Home.bundled(Home.SHIPPED_MODEL));
        Map<String, String> meta = new LinkedHashMap<>(shipped.metadata());
        meta.put("input_size", "[3,40000,40000]");
        Path bad = tmp.resolve("bad-input.safetensors");
        SafeTensors.write(bad, shipped.tensors(), meta);
        assertOneLine(CliRun.of("predict", "--weights", bad.toString(), image.toString()), 1, bad.toString(), "input size");
    }
}
