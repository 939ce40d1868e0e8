package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JPEG cut anywhere (inside the headers, inside the entropy-coded data, just before EOI) is
 * refused exactly when Debian's PIL refuses it: {@code Image.open(f).convert("RGB")} raising is
 * the verdict, for every prefix length of three bundled JPEGs. libjpeg pads a cut scan with grey
 * and only warns, so a decoder that ignored the warning accepted most of these.
 */
class JpegTruncationPilTest {
    private static final List<String> ENTRIES = List.of("train/airplane/0000.jpg", "test/cat/0000.jpg", "train/ship/0069.jpg");

    private static final String PIL_VERDICTS = """
            import sys, io, zipfile
            from PIL import Image
            z = zipfile.ZipFile(sys.argv[1])
            for name in sys.argv[2:]:
                data = z.read(name)
                verdict = []
                for n in range(len(data) + 1):
                    try:
                        Image.open(io.BytesIO(data[:n])).convert("RGB")
                        verdict.append("1")
                    except Exception:
                        verdict.append("0")
                print(name, "".join(verdict))
            """;

    @TempDir Path tmp;

    @Test void everyTruncationPointAgreesWithPil() throws Exception {
        List<String> args = new ArrayList<>(List.of(ImageDecoderPilParityTest.SAMPLE.toAbsolutePath().toString()));
        args.addAll(ENTRIES);
        String[] lines = PythonRunner.run(tmp, PIL_VERDICTS, args.toArray(String[]::new)).strip().split("\n");
        assertThat(lines).hasSize(ENTRIES.size());
        List<String> disagreements = new ArrayList<>();
        int checked = 0;
        try (ZipFile z = new ZipFile(ImageDecoderPilParityTest.SAMPLE.toFile())) {
            for (int f = 0; f < ENTRIES.size(); f++) {
                String name = ENTRIES.get(f);
                byte[] bytes = z.getInputStream(z.getEntry(name)).readAllBytes();
                String[] parts = lines[f].split(" ");
                assertThat(parts[0]).isEqualTo(name);
                String pil = parts[1];
                assertThat(pil).hasSize(bytes.length + 1);
                assertThat(pil.charAt(bytes.length)).as("PIL decodes the whole file").isEqualTo('1');
                for (int n = 0; n <= bytes.length; n++) {
                    boolean pilAccepts = pil.charAt(n) == '1';
                    String ours;
                    try {
                        ImageDecoder.decode(Arrays.copyOf(bytes, n), name);
                        ours = null;
                    } catch (BadImageException e) {
                        ours = e.getMessage();
                    }
                    if (pilAccepts != (ours == null)) {
                        disagreements.add(name + " cut at " + n + " of " + bytes.length + ": PIL "
                                + (pilAccepts ? "accepts" : "refuses") + ", we " + (ours == null ? "accept" : "refuse: " + ours));
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(2000);
        assertThat(disagreements).as(disagreements.size() + " of " + checked + " disagree").isEmpty();
    }
}
