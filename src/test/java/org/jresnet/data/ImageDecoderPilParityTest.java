package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our decoded pixels against PIL's {@code Image.open(f).convert("RGB")} (what torchvision users
 * get), computed by Debian's python3 at test time: every JPEG of the bundled sample, plus
 * generated files in the other layouts (4:4:4, progressive, grey, PNG with alpha/palette/16 bits,
 * BMP in 24 and 32 bits, GIF, CMYK JPEG). Every channel value must equal PIL's (largest difference 0, as README states); the
 * JDK's JPEG decoder runs PIL's libjpeg arithmetic, so any difference is a decoding change.
 */
class ImageDecoderPilParityTest {
    static final Path SAMPLE = Path.of("data", "cifar10-sample.zip");
    private static final int MAX_DIFF = 0;

    @TempDir Path tmp;

    private static final String PIL_SCRIPT = """
            import sys, zipfile, io, os
            import numpy as np
            from PIL import Image
            mode, src, out = sys.argv[1:4]
            if mode == "zip":
                z = zipfile.ZipFile(src)
                with open(out, "wb") as f:
                    for n in sorted(z.namelist()):
                        if n.endswith(".jpg"):
                            f.write(np.asarray(Image.open(io.BytesIO(z.read(n))).convert("RGB")).tobytes())
            else:
                rng = np.random.RandomState(0)
                def pattern(h, w):
                    yy, xx = np.mgrid[0:h, 0:w]
                    base = np.stack([(xx * 7) % 256, (yy * 9) % 256, ((xx + yy) * 5) % 256], -1)
                    return np.clip(base + rng.randint(-40, 40, base.shape), 0, 255).astype(np.uint8)
                small = pattern(29, 37)
                rgb = Image.fromarray(small)
                alpha = (np.arange(29 * 37).reshape(29, 37) % 256).astype(np.uint8)
                imgs = {
                    "rgb420.jpg": (rgb, dict(quality=75)),
                    "big420.jpg": (Image.fromarray(pattern(157, 203)), dict(quality=92)),
                    "rgb444.jpg": (rgb, dict(quality=90, subsampling=0)),
                    "rgb422.jpg": (rgb, dict(quality=90, subsampling=1)),
                    "progressive.jpg": (rgb, dict(quality=80, progressive=True)),
                    "grey.jpg": (rgb.convert("L"), dict(quality=85)),
                    "rgb.png": (rgb, {}),
                    "rgba.png": (Image.fromarray(np.dstack([small, alpha])), {}),
                    "la.png": (rgb.convert("LA"), {}),
                    "grey.png": (rgb.convert("L"), {}),
                    "palette.png": (rgb.convert("P", palette=Image.ADAPTIVE, colors=50), {}),
                    "rgb.bmp": (rgb, {}),
                    "rgba.bmp": (Image.fromarray(np.dstack([small, alpha])), {}),
                    "cmyk.jpg": (rgb.convert("CMYK"), dict(quality=90)),
                    "rgb.gif": (rgb, {}),
                    "transparent.gif": (rgb.convert("P", palette=Image.ADAPTIVE, colors=50), dict(transparency=3)),
                }
                with open(out, "wb") as f:
                    for n in sorted(imgs):
                        im, kw = imgs[n]
                        p = os.path.join(src, n)
                        im.save(p, **kw)
                        f.write(np.asarray(Image.open(p).convert("RGB")).tobytes())
                        print(n)
            """;

    @Test void bundledSampleDecodesAsPil() throws Exception {
        Path raw = tmp.resolve("pil.raw");
        PythonRunner.run(tmp, PIL_SCRIPT, "zip", SAMPLE.toAbsolutePath().toString(), raw.toString());
        byte[] pil = Files.readAllBytes(raw);
        int off = 0, maxDiff = 0, images = 0;
        long differing = 0;
        try (ZipFile z = new ZipFile(SAMPLE.toFile())) {
            List<String> names = new ArrayList<>();
            for (ZipEntry e : Collections.list(z.entries())) if (e.getName().endsWith(".jpg")) names.add(e.getName());
            Collections.sort(names);
            for (String n : names) {
                byte[] bytes;
                try (InputStream in = z.getInputStream(z.getEntry(n))) {
                    bytes = in.readAllBytes();
                }
                RgbImage img = ImageDecoder.decode(bytes, n);
                for (int k = 0; k < img.pixels().length; k++) {
                    int d = Math.abs((img.pixels()[k] & 0xFF) - (pil[off + k] & 0xFF));
                    if (d > 0) differing++;
                    maxDiff = Math.max(maxDiff, d);
                }
                off += img.pixels().length;
                images++;
            }
        }
        System.out.printf("PIL parity on %d bundled JPEGs: max |diff| %d, %d of %d values differ%n",
                images, maxDiff, differing, off);
        assertThat(images).isEqualTo(6000);
        assertThat(off).as("PIL produced the same number of values").isEqualTo(pil.length);
        assertThat(maxDiff).isLessThanOrEqualTo(MAX_DIFF);
    }

    @Test void otherLayoutsDecodeAsPil() throws Exception {
        Path raw = tmp.resolve("pil.raw");
        String out = PythonRunner.run(tmp, PIL_SCRIPT, "gen", tmp.toString(), raw.toString());
        byte[] pil = Files.readAllBytes(raw);
        int off = 0;
        List<String> names = out.lines().filter(s -> !s.isBlank()).toList();
        assertThat(names).hasSize(16);
        StringBuilder report = new StringBuilder();
        for (String n : names) {
            RgbImage img = ImageDecoder.decode(Files.readAllBytes(tmp.resolve(n)), n);
            int maxDiff = 0;
            for (int k = 0; k < img.pixels().length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs((img.pixels()[k] & 0xFF) - (pil[off + k] & 0xFF)));
            }
            off += img.pixels().length;
            report.append(n).append('=').append(maxDiff).append(' ');
            assertThat(maxDiff).as("max |diff| of " + n).isLessThanOrEqualTo(MAX_DIFF);
        }
        System.out.println("PIL parity per layout (max |diff|): " + report);
        assertThat(off).isEqualTo(pil.length);
    }
}
