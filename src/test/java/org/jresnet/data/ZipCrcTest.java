package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored (uncompressed) zip entry with damaged bytes still decodes as a JPEG, to other pixels:
 * only the entry's CRC-32 tells. {@code unzip -t} checks it; so must we, on every read.
 */
class ZipCrcTest {
    @TempDir Path tmp;

    @Test void aDamagedStoredEntryIsRefusedByItsCrc() throws Exception {
        byte[] jpeg;
        try (ZipFile z = new ZipFile(ImageDecoderPilParityTest.SAMPLE.toFile())) {
            jpeg = z.getInputStream(z.getEntry("train/airplane/0000.jpg")).readAllBytes();
        }
        Path zip = tmp.resolve("ds.zip");
        TestImages.writeZip(zip, Map.of("train/a/1.jpg", jpeg, "train/b/2.png", TestImages.png(TestImages.pattern(32, 32, 1)),
                "train/b/3.png", TestImages.png(TestImages.pattern(32, 32, 2))));
        byte[] bytes = Files.readAllBytes(zip);
        int at = indexOf(bytes, jpeg);
        assertThat(at).isPositive();
        bytes[at + jpeg.length * 3 / 4] ^= 0x5A;  // inside the entropy-coded data: still a decodable JPEG
        Files.write(zip, bytes);

        LoadOptions opt = TestImages.quiet(tmp.resolve("cache"));
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, opt))
                .isInstanceOf(BadImageException.class).hasMessageContaining("train/a/1.jpg")
                .hasMessageContaining("damaged zip entry: CRC-32");
        try (Dataset ds = Datasets.open(zip, Split.TRAIN, opt.withSkipBad(true))) {
            assertThat(ds.size()).isEqualTo(2);
        }
        try (Dataset ds = Datasets.open(zip, Split.TRAIN, opt.withMode(LoadOptions.Mode.STREAM))) {
            assertThatThrownBy(() -> ds.image(0)).isInstanceOf(BadImageException.class).hasMessageContaining("CRC-32");
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
