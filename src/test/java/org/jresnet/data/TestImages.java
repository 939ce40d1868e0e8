package org.jresnet.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Tiny datasets written by tests: images with known pixels, ImageFolder trees, zips. */
final class TestImages {
    private TestImages() {}

    /** An RGB image whose pixel (x, y) is (seed + x*10, seed + y*10, seed + x + y) mod 256. */
    static RgbImage pattern(int w, int h, int seed) {
        byte[] p = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                p[o] = (byte) (seed + x * 10);
                p[o + 1] = (byte) (seed + y * 10);
                p[o + 2] = (byte) (seed + x + y);
            }
        }
        return new RgbImage(w, h, p);
    }

    static byte[] encode(RgbImage img, String format) {
        BufferedImage b = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                b.setRGB(x, y, (img.get(x, y, 0) << 16) | (img.get(x, y, 1) << 8) | img.get(x, y, 2));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(b, format, out)) throw new IllegalStateException("no writer for " + format);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static byte[] png(RgbImage img) { return encode(img, "png"); }

    /** Not an image at all: a JPEG start marker followed by junk. */
    static byte[] corruptJpeg() {
        return new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 3, 4};
    }

    static void writeTree(Path root, Map<String, byte[]> files) throws IOException {
        for (var e : files.entrySet()) {
            Path p = root.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
    }

    /** A stored zip of {@code files} (names with '/'), plus explicit entries for {@code emptyDirs}. */
    static void writeZip(Path zip, Map<String, byte[]> files, String... emptyDirs) throws IOException {
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os)) {
            for (var e : new TreeMap<>(files).entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setMethod(ZipEntry.STORED);
                ze.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                ze.setCrc(crc.getValue());
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
            for (String d : emptyDirs) {
                ZipEntry ze = new ZipEntry(d.endsWith("/") ? d : d + "/");
                ze.setMethod(ZipEntry.STORED);
                ze.setSize(0);
                ze.setCrc(0);
                z.putNextEntry(ze);
                z.closeEntry();
            }
        }
    }

    static LoadOptions quiet(Path cacheDir) {
        return LoadOptions.defaults().withQuiet(true).withCacheDir(cacheDir).withThreads(2);
    }
}
