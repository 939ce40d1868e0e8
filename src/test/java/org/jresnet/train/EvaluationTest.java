package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.jresnet.data.InMemoryDataset;
import org.jresnet.io.Normalization;
import org.jresnet.data.PadCropFlip;
import org.jresnet.nn.Layer;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Metrics on a case small enough to check by hand. */
class EvaluationTest {
    /** Logits read straight off the first three input values of each image: image i "votes" its pixels. */
    static final class PixelLogits extends Layer {
        private Tensor y;

        @Override public Tensor forward(Tensor x) {
            int n = x.dim(0), per = x.size() / n;
            y = Tensor.reuse(y, n, 3);
            for (int i = 0; i < n; i++) for (int c = 0; c < 3; c++) y.set(i * 3 + c, x.get(i * per + c));
            return y;
        }

        @Override public Tensor backward(Tensor dy) { throw new UnsupportedOperationException(); }

        @Override public int[] outputShape(int[] in) { return new int[] {in[0], 3}; }
    }

    @Test void topOneTopFivePerClassConfusionAndLossByHand() {
        // Four 1x1 images; logits = pixel/255 per channel (mean 0, std 1/255 makes that exact after normalisation).
        byte[] px = {
            (byte) 200, 10, 10,    // label 0, predicted 0
            10, (byte) 200, 10,    // label 0, predicted 1
            10, 10, (byte) 200,    // label 2, predicted 2
            (byte) 100, (byte) 200, 10,  // label 2, predicted 1; label 2 ranks third
        };
        InMemoryDataset ds = new InMemoryDataset(px, new int[] {0, 0, 2, 2}, new String[] {"a", "b", "c", "d"},
                List.of("x", "y", "z"), 1, 1, 0, false, "hand");
        Normalization norm = new Normalization(new double[] {0, 0, 0}, new double[] {1, 1, 1});
        Evaluation e = Evaluation.run(new PixelLogits(), ds, new int[] {0, 1, 2, 3}, PadCropFlip.eval(norm, 1, 1), 3);
        assertThat(e.n()).isEqualTo(4);
        assertThat(e.top1()).isEqualTo(0.5);
        assertThat(e.top5()).isEqualTo(1.0);  // only 3 classes: everything is in the top 5
        assertThat(e.predictions()).containsExactly(0, 1, 2, 1);
        assertThat(e.confusion()).isEqualTo(new long[][] {{1, 1, 0}, {0, 0, 0}, {0, 1, 1}});
        assertThat(e.perClass()[0]).isEqualTo(0.5);
        assertThat(e.perClass()[1]).isNaN();
        assertThat(e.perClass()[2]).isEqualTo(0.5);
        double[][] logits = {{200, 10, 10}, {10, 200, 10}, {10, 10, 200}, {100, 200, 10}};
        int[] labels = {0, 0, 2, 2};
        double loss = 0;
        for (int i = 0; i < 4; i++) {
            double m = Math.max(logits[i][0], Math.max(logits[i][1], logits[i][2]));
            double z = 0;
            for (double v : logits[i]) z += Math.exp((v - m) / 255);
            loss += Math.log(z) - (logits[i][labels[i]] - m) / 255;
        }
        assertThat(e.loss()).isCloseTo(loss / 4, within(1e-5));
    }

    @Test void flipScoresTheMeanLogitsOfEachImageAndItsMirror() {
        // 1x2 images: PixelLogits reads the left pixel, so the mirror's logits are the right pixel's.
        byte[] px = {
            (byte) 200, 10, 10,   10, (byte) 250, 10,    // label 1: left says 0, right says 1 louder
            10, 10, (byte) 200,   10, 10, (byte) 100,    // label 2: both say 2
            (byte) 90, 10, 10,    10, 10, (byte) 100,    // label 0: left says 0, right says 2 louder
        };
        int[] labels = {1, 2, 0};
        InMemoryDataset ds = new InMemoryDataset(px, labels, new String[] {"a", "b", "c"}, List.of("x", "y", "z"),
                1, 2, 0, false, "hand");
        Normalization norm = new Normalization(new double[] {0, 0, 0}, new double[] {1, 1, 1});
        int[] all = {0, 1, 2};
        Evaluation plain = Evaluation.run(new PixelLogits(), ds, all, PadCropFlip.eval(norm, 1, 2), 2);
        Evaluation tta = Evaluation.run(new PixelLogits(), ds, all, PadCropFlip.eval(norm, 1, 2), 2, true);
        assertThat(plain.predictions()).containsExactly(0, 2, 0);
        assertThat(tta.predictions()).containsExactly(1, 2, 2);
        assertThat(tta.top1()).isCloseTo(2.0 / 3, within(1e-12));
        double loss = 0;
        for (int i = 0; i < 3; i++) {
            double[] z = new double[3];
            for (int c = 0; c < 3; c++) z[c] = ((px[i * 6 + c] & 0xFF) + (px[i * 6 + 3 + c] & 0xFF)) / 2.0 / 255;
            double lse = Math.log(Math.exp(z[0]) + Math.exp(z[1]) + Math.exp(z[2]));
            loss += lse - z[labels[i]];
        }
        assertThat(tta.loss()).as("the loss of the mean logits").isCloseTo(loss / 3, within(1e-6));
    }

    @Test void mirrorReversesTheColumnsOfEveryRowOfEveryImage() {
        // 2 images of 2x3 pixels, 2 channels: value = 1000*n + 100*y + 10*x + c
        float[] v = new float[2 * 2 * 3 * 2];
        for (int n = 0, i = 0; n < 2; n++) for (int y = 0; y < 2; y++) for (int x = 0; x < 3; x++) for (int c = 0; c < 2; c++) {
            v[i++] = 1000 * n + 100 * y + 10 * x + c;
        }
        Tensor in = Tensor.of(v, 2, 2, 3, 2), out = Tensor.zeros(2, 2, 3, 2);
        TestViews.view(in, out, true, 0);   // the mirror view
        for (int n = 0, i = 0; n < 2; n++) for (int y = 0; y < 2; y++) for (int x = 0; x < 3; x++) for (int c = 0; c < 2; c++) {
            assertThat(out.get(i++)).isEqualTo(1000 * n + 100 * y + 10 * (2 - x) + c);
        }
    }

    @Test void viewsShiftByOnePixelWithZerosAndShiftTheMirror() {
        // 2 images of 3x4 pixels, 2 channels: value = 1000*n + 100*y + 10*x + c + 1 (never 0)
        int n = 2, h = 3, w = 4, c = 2;
        float[] v = new float[n * h * w * c];
        for (int b = 0, i = 0; b < n; b++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int k = 0; k < c; k++) {
            v[i++] = 1000 * b + 100 * y + 10 * x + k + 1;
        }
        Tensor in = Tensor.of(v, n, h, w, c), out = Tensor.zeros(n, h, w, c);
        for (boolean mirror : new boolean[] {false, true}) {
            for (int s : new int[] {0, 1, -1}) {
                java.util.Arrays.fill(out.data(), Float.NaN);   // every value must be written
                TestViews.view(in, out, mirror, s);
                for (int b = 0, i = 0; b < n; b++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int k = 0; k < c; k++) {
                    int sy = y + s, sx = x + s;          // the pixel of the (mirrored) image the view shows
                    float want = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0f
                            : 1000 * b + 100 * sy + 10 * (mirror ? w - 1 - sx : sx) + k + 1;
                    assertThat(out.get(i++)).as("mirror %s shift %d at n%d y%d x%d c%d", mirror, s, b, y, x, k).isEqualTo(want);
                }
            }
        }
    }

    @Test void sixViewsScoreTheMeanLogitsOfEveryView() {
        // 3x3 images; PixelLogits reads the top-left pixel, so the six views show (in TestViews' order):
        // p(0,0); mirror: p(0,2); shifted down-right: p(1,1), and the mirror's p(1,1) too; shifted
        // up-left: the zero fill, twice. The mean logits are (p00 + p02 + 2 p11) / 6.
        int h = 3, w = 3;
        int[][][] corners = {   // {p00, p02, p11} per image, RGB
            {{200, 10, 10}, {10, 10, 10}, {10, 250, 10}},   // label 1: flipping alone says 0, the centre says 1
            {{10, 10, 200}, {10, 10, 200}, {10, 10, 10}},   // label 2: every view agrees
        };
        int[] labels = {1, 2};
        byte[] px = new byte[2 * h * w * 3];
        for (int i = 0; i < 2; i++) {
            int[][] pos = {{0, 0}, {0, 2}, {1, 1}};
            for (int q = 0; q < 3; q++) {
                for (int ch = 0; ch < 3; ch++) px[((i * h + pos[q][0]) * w + pos[q][1]) * 3 + ch] = (byte) corners[i][q][ch];
            }
        }
        InMemoryDataset ds = new InMemoryDataset(px, labels, new String[] {"a", "b"}, List.of("x", "y", "z"),
                h, w, 0, false, "hand");
        Normalization norm = new Normalization(new double[] {0, 0, 0}, new double[] {1, 1, 1});
        int[] all = {0, 1};
        var t = PadCropFlip.eval(norm, h, w);
        Evaluation flip = Evaluation.run(new PixelLogits(), ds, all, t, 2, TestViews.FLIP);
        Evaluation six = Evaluation.run(new PixelLogits(), ds, all, t, 2, new TestViews(true, true));
        assertThat(new TestViews(true, true).count()).isEqualTo(6);
        assertThat(new TestViews(false, true).count()).isEqualTo(3);
        assertThat(flip.predictions()).containsExactly(0, 2);
        assertThat(six.predictions()).containsExactly(1, 2);
        double loss = 0;
        for (int i = 0; i < 2; i++) {
            double[] z = new double[3];
            for (int ch = 0; ch < 3; ch++) {
                z[ch] = (corners[i][0][ch] + corners[i][1][ch] + 2.0 * corners[i][2][ch]) / 6 / 255;
            }
            loss += Math.log(Math.exp(z[0]) + Math.exp(z[1]) + Math.exp(z[2])) - z[labels[i]];
        }
        assertThat(six.loss()).as("the loss of the mean of the six views' logits").isCloseTo(loss / 2, within(1e-6));
    }
}
