package org.jresnet.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** A tiny ImageFolder of 8x8 noise PNGs: train/ and test/, classes a and b, from a seed. */
final class NoiseImageFolder {
    private NoiseImageFolder() {}

    static Path write(Path dir, long seed, int trainPerClass, int testPerClass) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("a", "b")) {
                Path d = Files.createDirectories(dir.resolve(split).resolve(cls));
                for (int i = 0; i < (split.equals("train") ? trainPerClass : testPerClass); i++) {
                    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) img.setRGB(x, y, r.nextInt(1 << 24));
                    ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
                }
            }
        }
        return dir;
    }
}
