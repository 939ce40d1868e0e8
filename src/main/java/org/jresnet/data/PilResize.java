package org.jresnet.data;

/**
 * PIL's {@code Image.resize(size, Image.BILINEAR)} and {@code Image.crop} on 8-bit RGB images,
 * with PIL's arithmetic (Pillow's Resample.c): a triangle filter widened by the scale factor when
 * shrinking (antialiasing), double-precision weights normalised per output pixel, then rounded to
 * 22-bit fixed point; a horizontal pass over the needed rows into an 8-bit temporary, then a
 * vertical pass, each rounding half up and clipping to 0..255. This is what torchvision's
 * {@code Resize} computes on PIL images, so pixels match exactly.
 */
public final class PilResize {
    private PilResize() {}

    /** Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2. */
    private static final int PRECISION_BITS = 32 - 8 - 2;
    /** Support of PIL's bilinear (triangle) filter. */
    private static final double BILINEAR_SUPPORT = 1.0;

    /** {@code img.resize((outW, outH), Image.BILINEAR)}. */
    public static RgbImage resize(RgbImage img, int outW, int outH) {
        if (outW <= 0 || outH <= 0) throw new IllegalArgumentException("resize to " + outW + "x" + outH);
        int inW = img.width(), inH = img.height();
        if (inW == outW && inH == outH) return img;
        Coeffs horiz = coeffs(inW, outW);
        Coeffs vert = coeffs(inH, outH);
        byte[] src = img.pixels();
        int rows = inH;
        int firstRow = 0;
        if (inW != outW) {
            // Only the rows the vertical pass reads.
            firstRow = vert.bounds[0];
            int lastRow = vert.bounds[(outH - 1) * 2] + vert.bounds[(outH - 1) * 2 + 1];
            rows = lastRow - firstRow;
            src = horizontal(src, inW, firstRow, rows, outW, horiz);
        }
        if (inH == outH) return new RgbImage(outW, rows, src);
        return new RgbImage(outW, outH, vertical(src, outW, firstRow, outH, vert));
    }

    /** {@code img.crop((left, top, left + w, top + h))}, inside the image. */
    public static RgbImage crop(RgbImage img, int left, int top, int w, int h) {
        if (left < 0 || top < 0 || w <= 0 || h <= 0 || left + w > img.width() || top + h > img.height()) {
            throw new IllegalArgumentException("crop " + w + "x" + h + "+" + left + "+" + top + " outside "
                    + img.width() + "x" + img.height());
        }
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(img.pixels(), ((top + y) * img.width() + left) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** Per output pixel: first input index, tap count, and fixed-point weights (ksize apart). */
    private record Coeffs(int ksize, int[] bounds, int[] k) {}

    /** Pillow's precompute_coeffs + normalize_coeffs_8bpc for box [0, inSize). */
    private static Coeffs coeffs(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(1.0, scale);
        double support = BILINEAR_SUPPORT * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] k = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double t = Math.abs((x + xmin - center + 0.5) * ss);
                w[x] = t < 1.0 ? 1.0 - t : 0.0;
                ww += w[x];
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0.0 ? w[x] / ww : w[x];
                k[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                        : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, k);
    }

    private static int clip8(int v) {
        if (v >= (1 << PRECISION_BITS << 8)) return 255;
        if (v <= 0) return 0;
        return v >> PRECISION_BITS;
    }

    private static byte[] horizontal(byte[] src, int inW, int firstRow, int rows, int outW, Coeffs c) {
        byte[] out = new byte[rows * outW * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + firstRow) * inW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = c.bounds[xx * 2], xmax = c.bounds[xx * 2 + 1], kb = xx * c.ksize;
                int s0 = half, s1 = half, s2 = half;
                for (int x = 0; x < xmax; x++) {
                    int p = rowBase + (x + xmin) * 3, kw = c.k[kb + x];
                    s0 += (src[p] & 0xFF) * kw;
                    s1 += (src[p + 1] & 0xFF) * kw;
                    s2 += (src[p + 2] & 0xFF) * kw;
                }
                int o = (y * outW + xx) * 3;
                out[o] = (byte) clip8(s0);
                out[o + 1] = (byte) clip8(s1);
                out[o + 2] = (byte) clip8(s2);
            }
        }
        return out;
    }

    /** Vertical pass; {@code src} rows start at input row {@code firstRow}. */
    private static byte[] vertical(byte[] src, int w, int firstRow, int outH, Coeffs c) {
        byte[] out = new byte[outH * w * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int yy = 0; yy < outH; yy++) {
            int ymin = c.bounds[yy * 2] - firstRow, ymax = c.bounds[yy * 2 + 1], kb = yy * c.ksize;
            for (int xx = 0; xx < w; xx++) {
                int s0 = half, s1 = half, s2 = half;
                for (int y = 0; y < ymax; y++) {
                    int p = ((y + ymin) * w + xx) * 3, kw = c.k[kb + y];
                    s0 += (src[p] & 0xFF) * kw;
                    s1 += (src[p + 1] & 0xFF) * kw;
                    s2 += (src[p + 2] & 0xFF) * kw;
                }
                int o = (yy * w + xx) * 3;
                out[o] = (byte) clip8(s0);
                out[o + 1] = (byte) clip8(s1);
                out[o + 2] = (byte) clip8(s2);
            }
        }
        return out;
    }
}
