package org.jresnet.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/**
 * A small learnable ImageFolder zip for CLI tests: each class is a colour with noise, so a few
 * iterations already separate them.
 */
final class TinyImageFolder {
    static final String[] CLASSES = {"blue", "green", "red"};

    private TinyImageFolder() {}

    static Path write(Path dir, int trainPerClass, int testPerClass, int size) throws IOException {
        return write(dir.resolve("tiny.zip"), trainPerClass, testPerClass, size, CLASSES);
    }

    static Path write(Path zip, int trainPerClass, int testPerClass, int size, String[] classes) throws IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (String split : new String[] {"train", "test"}) {
                int per = split.equals("train") ? trainPerClass : testPerClass;
                for (int c = 0; c < classes.length; c++) {
                    for (int i = 0; i < per; i++) {
                        z.putNextEntry(new ZipEntry(split + "/" + classes[c] + "/" + String.format("%04d.png", i)));
                        z.write(png(rnd, c % 3, size));
                        z.closeEntry();
                    }
                }
            }
        }
        return zip;
    }

    /** Class folders at the zip's top, no split folders: every split of it is the same images. */
    static Path writeFlat(Path zip, int perClass, int size) throws IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int c = 0; c < CLASSES.length; c++) {
                for (int i = 0; i < perClass; i++) {
                    z.putNextEntry(new ZipEntry(CLASSES[c] + "/" + String.format("%04d.png", i)));
                    z.write(png(rnd, c, size));
                    z.closeEntry();
                }
            }
        }
        return zip;
    }

    private static byte[] png(SplittableRandom rnd, int cls, int size) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int[] rgb = new int[3];
                for (int k = 0; k < 3; k++) rgb[k] = rnd.nextInt(0, 120);
                rgb[2 - cls] += 120;  // class 0 blue, 1 green, 2 red
                img.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
