package org.jresnet.fuzz;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Image bytes from strangers: JPEGs of the bundled sample and PIL-written JPEG (baseline,
 * progressive, grey, 4:4:4), PNG (RGB, RGBA, palette, 16-bit grey), BMP (RGB, palette) and GIF
 * (plain, transparent) files, mutated, sometimes spliced with another seed. ImageIO's decoders
 * (libjpeg is native) cannot be interrupted: the worker JVM is killed on a hang. Property: a
 * {@code BadImageException} with a one-line message, or an image of at least 1x1, within the
 * pixel limit, with 3 bytes a pixel.
 */
@Tag("fuzz")
class ImageFuzzTest {
    private static FuzzWorkers worker;
    private static List<byte[]> seeds;

    @BeforeContainer
    static void start() {
        worker = new FuzzWorkers("image");
        seeds = FuzzSeeds.images();
    }

    @AfterContainer
    static void stop() {
        worker.close();
    }

    @Property
    void mutatedImagesDecodeOrAreRefusedInOneLine(@ForAll @IntRange(min = 0, max = 19) int seedIndex, @ForAll long seed,
                                                  @ForAll @IntRange(min = 1, max = 8) int mutations,
                                                  @ForAll @IntRange(min = -1, max = 19) int splice) {
        byte[] b = seeds.get(seedIndex);
        if (splice >= 0) {
            // the head of one file on the tail of another: headers that promise what the data is not
            byte[] other = seeds.get(splice);
            int cut = (int) Math.floorMod(seed, Math.min(b.length, other.length));
            byte[] s = new byte[cut + other.length - cut];
            System.arraycopy(b, 0, s, 0, cut);
            System.arraycopy(other, cut, s, cut, other.length - cut);
            b = s;
        }
        worker.runFile("case.img", new Mutator(seed, false, false).mutate(b, mutations));
    }
}
