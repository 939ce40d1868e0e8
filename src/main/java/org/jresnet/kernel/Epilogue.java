package org.jresnet.kernel;

/**
 * What a convolution does to its output as it stores it: an eval-mode batch norm
 * {@code y = scale * (y - mean) + shift}, then {@code + res} (a residual block's shortcut, laid
 * out as y) when {@code res} is not null, then a ReLU when {@code relu}. Inference thus reads and
 * writes each activation once instead of two or three times (convolution, then BN, then add and
 * ReLU), and the layer's pass needs one thread hand-off instead of two.
 *
 * <p>The arithmetic is {@link BatchNormKernels#normalize}'s, element for element, so a fused
 * forward equals the convolution followed by that pass bit for bit. An algorithm that cannot fuse
 * applies {@link #applyAll} after it: the same result, one more pass.
 *
 * @param scale     per output channel, gamma / sqrt(running_var + eps)
 * @param mean      per output channel, running_mean
 * @param shift     per output channel, beta
 * @param res       the residual added before the ReLU, or null
 * @param resOffset where y's element 0 sits in {@code res}
 * @param relu      clamp at 0 last
 */
public record Epilogue(float[] scale, float[] mean, float[] shift, float[] res, int resOffset, boolean relu) {

    /**
     * Channels [c0, c1) of one output pixel whose channel 0 is {@code y[row]}, the convolution's
     * sums read from {@code x[xRow ..]} (its scratch block, or y itself); {@code rel} is that
     * pixel's distance from y's element 0 (its place in {@code res}). c0 is a multiple of the
     * vector length; c1 is one too or the row's end, as for {@link BatchNormKernels#normalize};
     * {@code simd}: {@link Simd#enabled()}, read once per pass.
     */
    void applyRowFrom(float[] x, int xRow, float[] y, int row, int rel, int c0, int c1, boolean simd) {
        BatchNormKernels.normalizeColumns(x, xRow, y, row, res, res == null ? 0 : resOffset + rel, c0, c1,
                scale, mean, shift, relu, simd);
    }

    /**
     * {@code rows} whole pixels of {@code c} channels, contiguous from {@code y[row]}, their sums
     * laid out the same way from {@code x[xRow]}; {@code rel} as for {@link #applyRowFrom}. One
     * call a block rather than one a pixel: at 16 channels a pixel is one vector, less than a
     * call's own cost.
     */
    void applyRowsFrom(float[] x, int xRow, float[] y, int row, int rel, int rows, int c, boolean simd) {
        int resRow = res == null ? 0 : resOffset + rel;
        if (simd) BatchNormKernels.normalizeSimd(x, xRow, res, resRow, y, row, 0, rows, c, scale, mean, shift, relu);
        else BatchNormKernels.normalizeScalar(x, xRow, res, resRow, y, row, 0, rows, 0, c, scale, mean, shift, relu);
    }

    /** The whole output {@code y[yo ..]}, rows x c, as a pass of its own (on the engine's threads). */
    public void applyAll(float[] y, int yo, int rows, int c) {
        BatchNormKernels.normalize(y, yo, res, resOffset, y, yo, rows, c, scale, mean, shift, relu);
    }
}
