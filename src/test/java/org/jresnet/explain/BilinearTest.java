package org.jresnet.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * {@link Bilinear} on cases worked by hand from PyTorch's align_corners=False rule: output pixel d
 * samples source s = (d + 0.5) * in / out - 0.5, clamped below at 0, between floor(s) and the next
 * pixel (the last repeats).
 */
class BilinearTest {
    @Test void twoByTwoToFourByFour() {
        // per axis, in 2 -> out 4: s = -0.25 (-> 0), 0.25, 0.75, 1.25 (past the last pixel: it alone),
        // so [a, b] -> [a, 0.75a + 0.25b, 0.25a + 0.75b, b]
        float[] out = Bilinear.resize(new float[] {0, 1, 2, 3}, 2, 2, 4, 4);
        assertThat(out).containsExactly(
                0.00f, 0.25f, 0.75f, 1.00f,
                0.50f, 0.75f, 1.25f, 1.50f,
                1.50f, 1.75f, 2.25f, 2.50f,
                2.00f, 2.25f, 2.75f, 3.00f);
    }

    @Test void nonIntegerRatioAndNonSquare() {
        // one row of 3 -> 5 wide: s = -0.2 (-> 0), 0.4, 1.0, 1.6, 2.2 (-> the last); [0, 10, 20] -> [0, 4, 10, 16, 20].
        // and 1 -> 2 rows: both rows sample the single source row.
        float[] out = Bilinear.resize(new float[] {0, 10, 20}, 1, 3, 2, 5);
        assertThat(out).usingElementComparator((a, b) -> Math.abs(a - b) < 1e-5f ? 0 : 1)
                .containsExactly(0, 4, 10, 16, 20, 0, 4, 10, 16, 20);
    }

    @Test void downsamplingAveragesNeighbours() {
        // 4 -> 2: s = 0.5 and 2.5: halfway between pixels 0,1 and 2,3 (no antialiasing, as PyTorch's default)
        float[] out = Bilinear.resize(new float[] {0, 2, 4, 8}, 1, 4, 1, 2);
        assertThat(out).containsExactly(1f, 6f);
    }

    @Test void sameSizeIsTheIdentity() {
        float[] m = {3, 1, 4, 1, 5, 9};
        assertThat(Bilinear.resize(m, 2, 3, 2, 3)).containsExactly(m);
    }

    @Test void rejectsAMapOfTheWrongSize() {
        assertThatThrownBy(() -> Bilinear.resize(new float[5], 2, 3, 4, 4)).hasMessageContaining("5 values for a 2x3 map");
    }
}
