package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.io.Normalization;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("smoke")
class PadCropFlipTest {
    /** A 3x3 image, pixel value v(x, y, c) = 10*y + x + 100*c, in a one-image in-memory dataset. */
    private static InMemoryDataset tiny() {
        byte[] p = new byte[27];
        for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++) for (int c = 0; c < 3; c++) p[(y * 3 + x) * 3 + c] = (byte) (10 * y + x + 100 * c);
        return new InMemoryDataset(p, new int[] {0}, new String[] {"t"}, List.of("a"), 3, 3, 0, false, "tiny");
    }

    /** Output channel 0 as the raw value (normalisation with mean 0, std 1/255 gives v back). */
    private static int[][] crop(int pad, int ox, int oy, boolean flip) {
        Normalization identity = new Normalization(new double[] {0, 0, 0}, new double[] {1 / 255.0, 1 / 255.0, 1 / 255.0});
        float[] out = new float[27];
        PadCropFlip.cropFlip(tiny().pixels(), 0, 3, 3, pad, ox, oy, flip, identity.table(), out, 0);
        int[][] v = new int[3][3];
        for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++) v[y][x] = Math.round(out[(y * 3 + x) * 3]);
        return v;
    }

    @Test void cropOffsetsAndFlipByHand() {
        // Offset (pad, pad) is the image itself.
        assertThat(crop(1, 1, 1, false)).isEqualTo(new int[][] {{0, 1, 2}, {10, 11, 12}, {20, 21, 22}});
        // Offset (0, 0): one zero row on top and one zero column on the left.
        assertThat(crop(1, 0, 0, false)).isEqualTo(new int[][] {{0, 0, 0}, {0, 0, 1}, {0, 10, 11}});
        // Offset x=2, y=1 (shift left), then flipped: columns 1, 2, pad reversed.
        assertThat(crop(1, 2, 1, true)).isEqualTo(new int[][] {{0, 2, 1}, {0, 12, 11}, {0, 22, 21}});
        // Pad 2, offset y=4: rows 2 and padding below.
        assertThat(crop(2, 2, 4, false)).isEqualTo(new int[][] {{20, 21, 22}, {0, 0, 0}, {0, 0, 0}});
    }

    @Test void paddingIsZeroAfterNormalisationAndChannelsKeepTheirTables() {
        Normalization n = new Normalization(new double[] {0.5, 0.4, 0.3}, new double[] {0.2, 0.25, 0.5});
        float[] out = new float[27];
        PadCropFlip.cropFlip(tiny().pixels(), 0, 3, 3, 1, 0, 1, false, n.table(), out, 0);
        assertThat(out[0]).isEqualTo(0f); // (x=0) is padding
        int v = 10 * 2 + 0 + 100 * 2; // pixel (0, 2) channel 2, at output (x=1, y=2)
        assertThat(out[(2 * 3 + 1) * 3 + 2]).isEqualTo(((float) v / 255f - 0.3f) / 0.5f);
    }

    @Test void sameSeedEpochAndIndexGiveTheSameDrawsAndAllOffsetsOccur() {
        PadCropFlip t = PadCropFlip.train(Normalization.UNIT, 3, 3);
        InMemoryDataset ds = tiny();
        float[] a = new float[27], b = new float[27];
        t.apply(ds, 0, Rng.forKey(7, EpochPlan.AUGMENT, 3, 0), a, 0);
        t.apply(ds, 0, Rng.forKey(7, EpochPlan.AUGMENT, 3, 0), b, 0);
        assertThat(a).isEqualTo(b);
        boolean[][] seen = new boolean[9][9];
        int flips = 0, n = 4000;
        for (int i = 0; i < n; i++) {
            Rng r = Rng.forKey(7, EpochPlan.AUGMENT, i, 0);
            seen[r.nextInt(9)][r.nextInt(9)] = true;
            if (r.nextBoolean()) flips++;
        }
        for (boolean[] row : seen) for (boolean s : row) assertThat(s).isTrue();
        assertThat(flips).isBetween(n / 2 - 200, n / 2 + 200);
    }

    @Test void smallerCropsAreWindowsOfThePaddedImage() {
        Normalization identity = new Normalization(new double[] {0, 0, 0}, new double[] {1 / 255.0, 1 / 255.0, 1 / 255.0});
        byte[] p = tiny().pixels();
        // A 2x2 window of the image padded by 1, at x=2, y=1: columns 1..2 of rows 0..1; flipped: reversed.
        float[] out = new float[12];
        PadCropFlip.cropFlip(p, 0, 3, 3, 1, 2, 1, false, identity.table(), out, 0, 2, 2);
        assertThat(new int[] {Math.round(out[0]), Math.round(out[3]), Math.round(out[6]), Math.round(out[9])})
                .containsExactly(1, 2, 11, 12);
        PadCropFlip.cropFlip(p, 0, 3, 3, 1, 2, 1, true, identity.table(), out, 0, 2, 2);
        assertThat(new int[] {Math.round(out[0]), Math.round(out[3]), Math.round(out[6]), Math.round(out[9])})
                .containsExactly(2, 1, 12, 11);
        // The bottom-right window at offset 3 (= 3 + 2*1 - 2): one zero column and one zero row.
        PadCropFlip.cropFlip(p, 0, 3, 3, 1, 3, 3, false, identity.table(), out, 0, 2, 2);
        assertThat(new int[] {Math.round(out[0]), Math.round(out[3]), Math.round(out[6]), Math.round(out[9])})
                .containsExactly(22, 0, 0, 0);
    }

    @Test void smallerCropsDrawOffsetsOverTheWholePaddedImage() {
        // 3x3 image padded by 4 is 11x11; 2x2 crops start anywhere in [0, 9]: both ends occur.
        PadCropFlip t = new PadCropFlip(Normalization.UNIT, 3, 3, 4, true, 2, 2);
        assertThat(t.height()).isEqualTo(2);
        assertThat(t.width()).isEqualTo(2);
        InMemoryDataset ds = tiny();
        boolean sawAllZero = false, sawCorner = false;
        for (int i = 0; i < 2000; i++) {
            float[] out = new float[12];
            t.apply(ds, 0, Rng.forKey(3, EpochPlan.AUGMENT, i, 0), out, 0);
            boolean zero = true;
            for (float v : out) zero &= v == 0f;
            sawAllZero |= zero;
            sawCorner |= !zero;
        }
        assertThat(sawAllZero).isTrue();
        assertThat(sawCorner).isTrue();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new PadCropFlip(Normalization.UNIT, 3, 3, 1, true, 6, 6)))
                .hasMessageContaining("does not fit");
    }

    @Test void evalTransformIsNormalisationOnly() {
        Normalization n = new Normalization(new double[] {0.1, 0.2, 0.3}, new double[] {0.3, 0.2, 0.1});
        float[] out = new float[27];
        PadCropFlip.eval(n, 3, 3).apply(tiny(), 0, new Rng(1), out, 0);
        byte[] p = tiny().pixels();
        for (int k = 0; k < 27; k++) assertThat(out[k]).isEqualTo(n.apply(k % 3, p[k] & 0xFF));
    }
}
