package org.jresnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jresnet.kernel.Winograd3x3Test.maxRelErr;
import static org.jresnet.kernel.Winograd3x3Test.random;

import java.util.Random;
import org.jresnet.engine.TestEngines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(4x4, 3x3), the inference forward (weights fixed: a {@link PackedWeightCache}), agrees
 * with the scalar direct convolution on every tile shape, epilogue included; training's forward
 * (no cache) stays on F(2x2, 3x3).
 */
@Tag("smoke")
class WinogradF4Test {
    /** Its larger transform constants (up to 8 and 1/24) round a few times more than F(2x2)'s. */
    private static final double TOL = 1e-4;

    @AfterEach
    void restore() {
        TestEngines.reset();
    }

    /** The cached (F(4x4)) forward, its second call from the cache, and the fused epilogue vs scalar. */
    static void check(int n, int h, int w, int cin, int cout, long seed) {
        ConvShape s = new ConvShape(n, h, w, cin, cout, 3, 3, 1, 1);
        Random r = new Random(seed);
        float[] x = random(r, s.inputSize()), wt = random(r, s.weightSize());
        float[] want = new float[s.outputSize()], got = new float[s.outputSize()], again = new float[s.outputSize()];
        ConvScalar.forward(s, x, 0, wt, 0, want, 0);
        PackedWeightCache cache = new PackedWeightCache();
        KernelWorkspace ws = KernelWorkspace.forThisThread();
        Winograd3x3.forward(s, x, 0, wt, 0, got, 0, ws, cache);
        assertThat(cache.holds(PackedWeightCache.WINOGRAD_F4)).as("F(4x4) weights cached " + s).isTrue();
        assertThat(maxRelErr(got, want, 0, got.length)).as("forward " + s).isLessThan(TOL);
        Winograd3x3.forward(s, x, 0, wt, 0, again, 0, ws, cache);
        assertThat(again).as("from the cache " + s).isEqualTo(got);

        float[] sc = random(r, cout), mu = random(r, cout), sh = random(r, cout), res = random(r, s.outputSize());
        float[] fused = new float[s.outputSize()];
        Winograd3x3.forward(s, x, 0, wt, 0, fused, 0, ws, cache, new Epilogue(sc, mu, sh, res, 0, true));
        float[] wantFused = got.clone();
        BatchNormKernels.normalize(wantFused, 0, res, 0, wantFused, 0, n * h * w, cout, sc, mu, sh, true);
        assertThat(fused).as("fused epilogue " + s).isEqualTo(wantFused);
    }

    @Test
    void everyTileShape() {
        int l = MicroKernel.L;
        check(1, 4, 4, l, 2 * l, 1);       // one whole tile
        check(2, 8, 8, 2 * l, 4 * l, 2);   // 2x2 tiles
        check(3, 8, 12, l, 3 * l, 4);      // a panel of 2L beside 4L
        check(2, 16, 16, 2 * l, 2 * l, 6);
        check(3, 20, 16, l, 2 * l, 7);     // more tiles than a block: blocks and their split
    }

    @Test
    void partialEdgeTiles() {
        // which planes ConvSimd gives F(4x4) at inference; the kernel itself handles partial tiles on any plane
        int l = MicroKernel.L;
        TestEngines.use(cfg -> cfg);
        assertThat(Winograd3x3.f4(new ConvShape(1, 8, 8, l, l, 3, 3, 1, 1), true)).isTrue();
        assertThat(Winograd3x3.f4(new ConvShape(1, 8, 8, l, l, 3, 3, 1, 1), false)).isFalse();
        // whole 4x4 tiles only: not 7x7 (U 36/16 of F(2x2)'s, read from memory at batch 1), 3x3, 11x11,
        // 14x14 or 13x13 (16x16 against 14x14), 6x6, 10x10, 5x5, 2x2, 1x1
        for (int hw : new int[] {4, 8, 28, 56}) {
            assertThat(Winograd3x3.f4(new ConvShape(1, hw, hw, l, l, 3, 3, 1, 1), true)).as("%dx%d", hw, hw).isTrue();
        }
        assertThat(Winograd3x3.f4(new ConvShape(1, 8, 12, l, l, 3, 3, 1, 1), true)).isTrue();
        assertThat(Winograd3x3.f4(new ConvShape(1, 8, 7, l, l, 3, 3, 1, 1), true)).isFalse();
        for (int hw : new int[] {7, 3, 11, 14, 13, 6, 10, 2, 1, 5}) {
            assertThat(Winograd3x3.f4(new ConvShape(1, hw, hw, l, l, 3, 3, 1, 1), true)).as("%dx%d", hw, hw).isFalse();
        }
        // the plane decides, never the batch: an image's result must not depend on its batch
        for (int h = 1; h <= 30; h++) {
            for (int w = 1; w <= 30; w += 3) {
                boolean one = Winograd3x3.f4(new ConvShape(1, h, w, l, l, 3, 3, 1, 1), true);
                for (int n : new int[] {2, 6, 16, 256}) {
                    assertThat(Winograd3x3.f4(new ConvShape(n, h, w, l, l, 3, 3, 1, 1), true)).as("%dx%d batch %d", h, w, n).isEqualTo(one);
                }
            }
        }
        for (int[] hw : new int[][] {{7, 7}, {5, 9}, {1, 1}, {14, 13}}) {
            ConvShape s = new ConvShape(2, hw[0], hw[1], 2 * l, 2 * l, 3, 3, 1, 1);
            Random r = new Random(hw[0] * 31 + hw[1]);
            float[] x = random(r, s.inputSize()), wt = random(r, s.weightSize());
            float[] want = new float[s.outputSize()], got = new float[s.outputSize()];
            ConvScalar.forward(s, x, 0, wt, 0, want, 0);
            Winograd3x3.forward(s, x, 0, wt, 0, got, 0, KernelWorkspace.forThisThread(), null, null, WinogradF4.INSTANCE);
            assertThat(maxRelErr(got, want, 0, got.length)).as(s.toString()).isLessThan(TOL);
        }
    }

    @Test
    void threadCountDoesNotChangeABit() {
        int l = MicroKernel.L;
        for (ConvShape s : new ConvShape[] {new ConvShape(3, 20, 16, l, 2 * l, 3, 3, 1, 1),
                new ConvShape(1, 8, 8, 2 * l, 8 * l, 3, 3, 1, 1)}) {   // few tiles: split by panels
            Random r = new Random(12);
            float[] x = random(r, s.inputSize()), wt = random(r, s.weightSize());
            float[] two = new float[s.outputSize()], one = new float[s.outputSize()];
            TestEngines.use(cfg -> cfg.withThreads(2));
            Winograd3x3.forward(s, x, 0, wt, 0, two, 0, KernelWorkspace.forThisThread(), new PackedWeightCache());
            TestEngines.use(cfg -> cfg.withThreads(1));
            Winograd3x3.forward(s, x, 0, wt, 0, one, 0, KernelWorkspace.forThisThread(), new PackedWeightCache());
            assertThat(two).as(s.toString()).isEqualTo(one);
        }
    }

    @Test
    void trainingAndTheSwitchKeepF2() {
        int l = MicroKernel.L;
        ConvShape s = new ConvShape(2, 8, 12, 2 * l, 4 * l, 3, 3, 1, 1);
        Random r = new Random(11);
        float[] x = random(r, s.inputSize()), wt = random(r, s.weightSize());
        float[] uncached = new float[s.outputSize()], f4 = new float[s.outputSize()], off = new float[s.outputSize()];
        KernelWorkspace ws = KernelWorkspace.forThisThread();
        Winograd3x3.forward(s, x, 0, wt, 0, uncached, 0, ws, null);
        Winograd3x3.forward(s, x, 0, wt, 0, f4, 0, ws, new PackedWeightCache());
        TestEngines.use(cfg -> cfg.withWinogradF4(false));
        PackedWeightCache cache = new PackedWeightCache();
        Winograd3x3.forward(s, x, 0, wt, 0, off, 0, ws, cache);
        assertThat(cache.holds(PackedWeightCache.WINOGRAD)).isTrue();
        assertThat(off).as("switched off: F(2x2), as without a cache").isEqualTo(uncached);
        assertThat(f4).as("F(4x4) rounds differently").isNotEqualTo(uncached);
        assertThat(maxRelErr(f4, uncached, 0, f4.length)).isLessThan(TOL);
    }
}
