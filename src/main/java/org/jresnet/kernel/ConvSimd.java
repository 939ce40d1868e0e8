package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.L;

/**
 * Convolution on the Vector API, same contracts as {@link ConvScalar} (its scalar twin): NHWC
 * activations, OIHW weights, forward and backwardData overwrite, backwardWeights adds. A
 * dispatcher: each pass goes to the first algorithm of its table that applies (L = float lanes
 * per vector; "Winograd" also needs the engine's switch on).
 *
 * <pre>
 * forward         3x3, stride 1, pad 1, cin % L == 0, cout % L == 0, cout >= 2L  Winograd3x3
 *                 stride 1, 3 wide, cout in {L, 2L} and ow % 8 == 0,
 *                           or cout % 4L == 0 and ow % 4 == 0                     RowDirectConv
 *                 anything else (1x1, strided, the 7x7 stem)                     ShiftedGemmConv
 * backwardData    cin < L (the RGB stem)                                         Col2ImConv
 *                 3x3, stride 1, pad 1, the flipped forward's Winograd rule
 *                           (cout % L == 0, cin % L == 0, cin >= 2L)              Winograd3x3
 *                 3x3, stride 1, pad <= 2, and RowDirectConv covers (w, cin)     RowDirectConv (flipped kernel)
 *                 anything else                                                  ShiftedGemmConv (stride phases)
 * backwardWeights 3x3, stride 1, pad 1, cin and cout multiples of L, both >= 2L  Winograd3x3WeightGradient
 *                 cin % L == 0, cout % 8 == 0                                    ChannelRowsWeightGradient
 *                 anything else (the stem)                                       TapRowsWeightGradient
 * </pre>
 *
 * Weights are packed per call in training (they are small next to the activations); in eval
 * mode the layer passes a {@link PackedWeightCache} and they are packed once and reused until
 * the weights change.
 */
public final class ConvSimd {
    private ConvSimd() {}

    public static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo) {
        forward(s, x, xo, w, wo, y, yo, KernelWorkspace.forThisThread());
    }

    public static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo) {
        backwardData(s, dy, dyo, w, wo, dx, dxo, KernelWorkspace.forThisThread());
    }

    public static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo) {
        backwardWeights(s, x, xo, dy, dyo, dw, dwo, KernelWorkspace.forThisThread());
    }

    /** y[n,oy,ox,co] = sum_{ky,kx,ci} x[n, oy*s+ky-p, ox*s+kx-p, ci] * w[co,ci,ky,kx]; y overwritten. */
    public static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo,
                               KernelWorkspace ws) {
        forward(s, x, xo, w, wo, y, yo, ws, null);
    }

    /**
     * As {@link #forward(ConvShape, float[], int, float[], int, float[], int, KernelWorkspace)},
     * taking the packed weights from {@code cache} when it holds them (else packing into it);
     * null packs into the workspace every call.
     */
    public static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo,
                               KernelWorkspace ws, PackedWeightCache cache) {
        if (Winograd3x3.preferred(s)) Winograd3x3.forward(s, x, xo, w, wo, y, yo, ws, cache);
        else if (RowDirectConv.appliesForward(s)) RowDirectConv.forward(s, x, xo, w, wo, y, yo, ws, cache);
        else ShiftedGemmConv.forward(s, x, xo, w, wo, y, yo, ws, cache);
    }

    /** dx = conv^T(dy, w); dx overwritten. */
    public static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo,
                                    KernelWorkspace ws) {
        ConvShape flipped = RowDirectConv.flipped(s);   // stride 1, 3x3: dx is a forward of dy
        if (s.cin() < L) Col2ImConv.backwardData(s, dy, dyo, w, wo, dx, dxo, ws);
        else if (flipped != null && Winograd3x3.preferred(flipped)) Winograd3x3.backwardData(s, dy, dyo, w, wo, dx, dxo, ws);
        else if (flipped != null && RowDirectConv.covers(s.w(), s.cin())) RowDirectConv.backwardData(s, dy, dyo, w, wo, dx, dxo, ws);
        else ShiftedGemmConv.backwardData(s, dy, dyo, w, wo, dx, dxo, ws);
    }

    /** dw[co,ci,ky,kx] += sum_{n,oy,ox} x[n, oy*s+ky-p, ox*s+kx-p, ci] * dy[n,oy,ox,co]. */
    public static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo,
                                       KernelWorkspace ws) {
        if (Winograd3x3.preferredForWeights(s)) Winograd3x3WeightGradient.backwardWeights(s, x, xo, dy, dyo, dw, dwo, ws);
        else if (ChannelRowsWeightGradient.applies(s)) ChannelRowsWeightGradient.backwardWeights(s, x, xo, dy, dyo, dw, dwo, ws);
        else TapRowsWeightGradient.backwardWeights(s, x, xo, dy, dyo, dw, dwo, ws);
    }
}
