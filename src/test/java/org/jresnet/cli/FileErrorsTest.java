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

    /** convert --raw copies what it cannot tell as it is; options that describe a model are refused then, not dropped. */
    @Test void rawConvertCopiesAndRefusesModelOptions() throws Exception {
        Path odd = tmp.resolve("odd.safetensors");
        SafeTensors.write(odd, Map.of("encoder.w", org.jresnet.io.TensorData.f32(new float[] {1, 2}, 2)), Map.of());
        CliRun ok = CliRun.of("convert", "--raw", odd.toString(), tmp.resolve("copy.safetensors").toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("1 tensors as they are");
        assertOneLine(CliRun.of("convert", "--raw", "--variant", "v1", odd.toString(), tmp.resolve("c2.safetensors").toString()),
                2, "--shortcut, --variant, --mean and --std describe a model");
        assertThat(tmp.resolve("c2.safetensors")).doesNotExist();
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
