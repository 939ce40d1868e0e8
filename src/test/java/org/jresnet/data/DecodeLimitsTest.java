package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoding bombs are refused before they cost memory: the pixel count from the image header, the
 * bytes actually inflated from a zip entry (not the size the zip declares). Each error says which
 * limit and how to raise it.
 */
class DecodeLimitsTest {
    @TempDir Path tmp;

    /** A valid 1-bit grey PNG of {@code w x h} black pixels: a few kilobytes however large. */
    static byte[] blackPng(int w, int h) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).order(ByteOrder.BIG_ENDIAN);
        ihdr.putInt(w).putInt(h).put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION))) {
            byte[] row = new byte[1 + (w + 7) / 8];  // filter byte 0, then zero bits
            for (int y = 0; y < h; y++) z.write(row);
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    @Test void pixelLimitIsCheckedFromTheHeader() throws Exception {
        // 100 million pixels, over PIL's 89,478,485: refused before the 300 MB of RGB are allocated.
        byte[] huge = blackPng(10_000, 10_000);
        assertThat(huge.length).isLessThan(100_000);
        assertThatThrownBy(() -> ImageDecoder.decode(huge, "huge.png"))
                .isInstanceOf(BadImageException.class)
                .hasMessageContaining("huge.png").hasMessageContaining("10000x10000")
                .hasMessageContaining("89478485").hasMessageContaining("--max-pixels");

        byte[] small = TestImages.png(TestImages.pattern(4, 4, 0));
        assertThatThrownBy(() -> ImageDecoder.decode(small, "s.png", new DecodeLimits(15, DecodeLimits.DEFAULT_MAX_IMAGE_BYTES)))
                .isInstanceOf(BadImageException.class).hasMessageContaining("16 pixels");
        assertThat(ImageDecoder.decode(small, "s.png", new DecodeLimits(16, DecodeLimits.DEFAULT_MAX_IMAGE_BYTES)).width())
                .isEqualTo(4);
    }

    @Test void inflatedBytesOfAZipEntryAreLimited() throws Exception {
        byte[] good = TestImages.png(TestImages.pattern(4, 4, 0));
        Path zip = tmp.resolve("bomb.zip");
        long bomb = DecodeLimits.DEFAULT_MAX_IMAGE_BYTES + (1 << 20);
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os)) {
            z.setLevel(Deflater.BEST_COMPRESSION);
            for (String n : new String[] {"train/a/1.png", "train/b/2.png"}) {
                z.putNextEntry(new ZipEntry(n));
                z.write(good);
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry("train/b/bomb.png"));
            byte[] zeros = new byte[1 << 20];
            for (long done = 0; done < bomb; done += zeros.length) z.write(zeros);
            z.closeEntry();
        }
        assertThat(Files.size(zip)).isLessThan(1 << 20);
        LoadOptions opt = TestImages.quiet(tmp.resolve("cache"));
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, opt))
                .isInstanceOf(BadImageException.class)
                .hasMessageContaining("train/b/bomb.png").hasMessageContaining("67108864 bytes")
                .hasMessageContaining("--max-image-bytes");
        try (Dataset ds = Datasets.open(zip, Split.TRAIN, opt.withSkipBad(true))) {
            assertThat(ds.size()).isEqualTo(2);
            assertThat(ds.skipped()).isEqualTo(1);
        }
    }

    @Test void theDeclaredSizeOfAnEntryIsNotTrusted() throws Exception {
        Path zip = tmp.resolve("lying.zip");
        byte[] payload = new byte[2 << 20];
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry("train/a/x.png"));
            z.write(payload);
            z.closeEntry();
            z.putNextEntry(new ZipEntry("train/b/y.png"));
            z.write(TestImages.png(TestImages.pattern(4, 4, 0)));
            z.closeEntry();
        }
        // The central directory says x.png inflates to 100 bytes.
        byte[] bytes = Files.readAllBytes(zip);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= bytes.length; i++) {
            if (b.getInt(i) == 0x02014b50 && new String(bytes, i + 46, 13, StandardCharsets.US_ASCII).equals("train/a/x.png")) {
                b.putInt(i + 24, 100);
            }
        }
        Files.write(zip, bytes);
        DecodeLimits oneMiB = new DecodeLimits(DecodeLimits.DEFAULT_MAX_PIXELS, 1 << 20);
        LoadOptions opt = TestImages.quiet(tmp.resolve("cache")).withLimits(oneMiB);
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, opt))
                .isInstanceOf(BadImageException.class).hasMessageContaining("train/a/x.png")
                .hasMessageContaining("more than the limit of 1048576 bytes");
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, TestImages.quiet(tmp.resolve("cache"))))
                .isInstanceOf(BadImageException.class).hasMessageContaining("train/a/x.png")
                .hasMessageContaining("the zip says 100");
    }

    @Test void limitsMustBePositive() {
        assertThatThrownBy(() -> new DecodeLimits(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--max-pixels");
        assertThat(DecodeLimits.defaults()).isEqualTo(new DecodeLimits(89_478_485L, 64L << 20));
    }
}
