package org.jresnet.train;

import org.jresnet.tensor.Tensor;

/**
 * Test-time augmentation: the views of each test image whose logits are averaged. The image and,
 * with {@code flip}, its horizontal mirror; with {@code translate}, each of those also shifted by
 * one pixel down-right and one pixel up-left (the uncovered row and column zero, as the training
 * crop's padding is zero after normalisation): 1, 2, 3 or 6 views. These are the views the training
 * augmentation makes likely (random flips, random crops of the 4-pixel-padded image), so every one
 * is in-distribution; the one-pixel translations are those of Jordan's airbench (2024).
 *
 * <p>Views in order: shift (0,0), (+1,+1), (-1,-1); for each, the image then its mirror. Logits
 * are summed in that order and divided by the count, so two views give exactly {@code (a + b) / 2}.
 */
public record TestViews(boolean flip, boolean translate) {
    public static final TestViews NONE = new TestViews(false, false);
    public static final TestViews FLIP = new TestViews(true, false);

    /** One-pixel shifts (dy = dx) of the translated views, after the unshifted one. */
    private static final int[] SHIFTS = {0, 1, -1};

    public int count() { return (flip ? 2 : 1) * (translate ? 3 : 1); }

    /** Shift of view {@code v} (rows and columns alike). */
    int shift(int v) { return SHIFTS[v / (flip ? 2 : 1)]; }

    /** Whether view {@code v} is mirrored. */
    boolean mirrored(int v) { return flip && v % 2 == 1; }

    /**
     * View {@code (mirror, s)} of NHWC images: {@code out[n, y, x] = m[n, y + s, x + s]}, zero
     * outside, where {@code m} is {@code in} or its mirror {@code m[n, y, x] = in[n, y, W-1-x]}.
     */
    static void view(Tensor in, Tensor out, boolean mirror, int s) {
        int n = in.dim(0), h = in.dim(1), w = in.dim(2), c = in.dim(3);
        float[] src = in.data(), dst = out.data();
        int so = in.offset(), d = out.offset();
        for (int img = 0; img < n; img++) {
            for (int y = 0; y < h; y++) {
                int sy = y + s;
                if (sy < 0 || sy >= h) {
                    java.util.Arrays.fill(dst, d, d + w * c, 0f);
                    d += w * c;
                    continue;
                }
                int row = so + (img * h + sy) * w * c;
                for (int x = 0; x < w; x++, d += c) {
                    int mx = x + s;
                    if (mx < 0 || mx >= w) {
                        java.util.Arrays.fill(dst, d, d + c, 0f);
                    } else {
                        System.arraycopy(src, row + (mirror ? w - 1 - mx : mx) * c, dst, d, c);
                    }
                }
            }
        }
    }

    /** "none", "flip", "translate" or "flip+translate". */
    @Override public String toString() {
        return flip && translate ? "flip+translate" : flip ? "flip" : translate ? "translate" : "none";
    }
}
