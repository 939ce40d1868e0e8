package org.jresnet.explain;

/**
 * Bilinear resizing with PyTorch's {@code F.interpolate(x, size, mode="bilinear",
 * align_corners=False)} arithmetic (OpenCV's {@code cv2.resize} INTER_LINEAR, which
 * pytorch-grad-cam uses, places samples the same way): output pixel {@code d} of an axis sampled
 * at source coordinate {@code s = (d + 0.5) * in / out - 0.5}, clamped below at 0; its neighbours
 * {@code floor(s)} and {@code floor(s) + 1} (the last pixel repeats at the far edge), weighted
 * {@code 1 - frac(s)} and {@code frac(s)}; the two axes' weights multiply. Computed in double and
 * rounded once to float.
 */
public final class Bilinear {
    private Bilinear() {}

    /** {@code src}, {@code h x w} row-major, resized to {@code outH x outW} (row-major). */
    public static float[] resize(float[] src, int h, int w, int outH, int outW) {
        if (h <= 0 || w <= 0 || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + h + "x" + w + " -> " + outH + "x" + outW);
        }
        if (src.length != h * w) throw new IllegalArgumentException(src.length + " values for a " + h + "x" + w + " map");
        Axis ys = Axis.of(h, outH), xs = Axis.of(w, outW);
        float[] out = new float[outH * outW];
        for (int oy = 0; oy < outH; oy++) {
            int r0 = ys.lo[oy] * w, r1 = ys.hi[oy] * w;
            double wy1 = ys.frac[oy], wy0 = 1 - wy1;
            for (int ox = 0; ox < outW; ox++) {
                int c0 = xs.lo[ox], c1 = xs.hi[ox];
                double wx1 = xs.frac[ox], wx0 = 1 - wx1;
                out[oy * outW + ox] = (float) (wy0 * (wx0 * src[r0 + c0] + wx1 * src[r0 + c1])
                        + wy1 * (wx0 * src[r1 + c0] + wx1 * src[r1 + c1]));
            }
        }
        return out;
    }

    /** Per output index of one axis: the two source indices and the weight of the second. */
    private record Axis(int[] lo, int[] hi, double[] frac) {
        static Axis of(int in, int out) {
            int[] lo = new int[out], hi = new int[out];
            double[] frac = new double[out];
            double scale = (double) in / out;
            for (int d = 0; d < out; d++) {
                double s = Math.max(0, (d + 0.5) * scale - 0.5);
                int i0 = Math.min((int) s, in - 1);
                lo[d] = i0;
                hi[d] = Math.min(i0 + 1, in - 1);
                frac[d] = s - i0;
            }
            return new Axis(lo, hi, frac);
        }
    }
}
