package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.L;

import org.jresnet.engine.Engine;

/**
 * Convolution on the Vector API, same contracts as {@link ConvScalar} (its scalar twin): NHWC
 * activations, OIHW weights, forward and backwardData overwrite, backwardWeights adds. A
 * dispatcher: each pass goes to the first algorithm of its table that applies (L = float lanes
 * per vector; "Winograd" also needs the engine's switch on).
 *
 * <pre>
 * forward         3x3, stride 1, pad 1, cin % L == 0, cout % L == 0, cout >= 2L  Winograd3x3 (F(4x4) at
 *                           inference on planes of whole 4x4 tiles, else F(2x2))
 *                 stride 1, 3 wide, cout in {L, 2L} and ow % 8 == 0,
 *                           or cout % 4L == 0 and ow % 4 == 0                     RowDirectConv
 *                 anything else (1x1, strided, the 7x7 stem)                     ShiftedGemmConv (strided
 *                           3x3: each tile's rows gathered for the dense kernels)
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

    /** The algorithms of the dispatch table, one class each. */
    public enum Algorithm { WINOGRAD, ROW_DIRECT, SHIFTED_GEMM, COL2IM, CHANNEL_ROWS, TAP_ROWS }

    /** The forward's row of the table for {@code s} (under the current engine's switches). */
    public static Algorithm forwardAlgorithm(ConvShape s) {
        if (Winograd3x3.preferred(s)) return Algorithm.WINOGRAD;
        if (RowDirectConv.appliesForward(s)) return Algorithm.ROW_DIRECT;
        return Algorithm.SHIFTED_GEMM;
    }

    /** The input gradient's row of the table for {@code s}. */
    public static Algorithm backwardDataAlgorithm(ConvShape s) {
        ConvShape flipped = RowDirectConv.flipped(s);   // stride 1, 3x3: dx is a forward of dy
        if (s.cin() < L) return Algorithm.COL2IM;
        if (flipped != null && Winograd3x3.preferred(flipped)) return Algorithm.WINOGRAD;
        if (flipped != null && RowDirectConv.covers(s.w(), s.cin())) return Algorithm.ROW_DIRECT;
        return Algorithm.SHIFTED_GEMM;
    }

    /** The weight gradient's row of the table for {@code s}. */
    public static Algorithm weightGradientAlgorithm(ConvShape s) {
        if (Winograd3x3.preferredForWeights(s)) return Algorithm.WINOGRAD;
        if (ChannelRowsWeightGradient.applies(s)) return Algorithm.CHANNEL_ROWS;
        return Algorithm.TAP_ROWS;
    }

    /**
     * As {@link #forward(ConvShape, float[], int, float[], int, float[], int, KernelWorkspace)},
     * taking the packed weights from {@code cache} when it holds them (else packing into it);
     * null packs into the workspace every call.
     */
    public static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo,
                               KernelWorkspace ws, PackedWeightCache cache) {
        forward(s, x, xo, w, wo, y, yo, ws, cache, null);
    }

    /**
     * As above, then {@code epilogue} on y (null: none), which every algorithm applies to each
     * block of output as it stores it.
     */
    public static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo,
                               KernelWorkspace ws, PackedWeightCache cache, Epilogue epilogue) {
        switch (forwardAlgorithm(s)) {
            case WINOGRAD -> Winograd3x3.forward(s, x, xo, w, wo, y, yo, ws, cache, epilogue);
            case ROW_DIRECT -> RowDirectConv.forward(s, x, xo, w, wo, y, yo, ws, cache, epilogue);
            default -> ShiftedGemmConv.forward(s, x, xo, w, wo, y, yo, ws, cache, epilogue);
        }
    }

    /**
     * Whether {@link #forward} with an epilogue may be given y and the epilogue's residual as the
     * same array (an inference block's last convolution writing over its shortcut, which nothing
     * reads after it): where the algorithm keeps its sums in scratch and the epilogue reads each
     * residual element just before writing the output element over it, nothing stored into y
     * earlier. All but the GEMM passes that sum k blocks in y itself.
     */
    public static boolean outputMayOverwriteResidual(ConvShape s) {
        if (!Simd.enabled()) return false;
        return switch (forwardAlgorithm(s)) {
            case WINOGRAD, ROW_DIRECT -> true;
            default -> ShiftedGemm.writesOutputOnce(s.n() * s.oh() * s.ow(), s.kh() * s.kw() * s.cin(), s.cout(),
                    Engine.current().threads());
        };
    }

    /** dx = conv^T(dy, w); dx overwritten. */
    public static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo,
                                    KernelWorkspace ws) {
        switch (backwardDataAlgorithm(s)) {
            case COL2IM -> Col2ImConv.backwardData(s, dy, dyo, w, wo, dx, dxo, ws);
            case WINOGRAD -> Winograd3x3.backwardData(s, dy, dyo, w, wo, dx, dxo, ws);
            case ROW_DIRECT -> RowDirectConv.backwardData(s, dy, dyo, w, wo, dx, dxo, ws);
            default -> ShiftedGemmConv.backwardData(s, dy, dyo, w, wo, dx, dxo, ws);
        }
    }

    /** dw[co,ci,ky,kx] += sum_{n,oy,ox} x[n, oy*s+ky-p, ox*s+kx-p, ci] * dy[n,oy,ox,co]. */
    public static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo,
                                       KernelWorkspace ws) {
        switch (weightGradientAlgorithm(s)) {
            case WINOGRAD -> Winograd3x3WeightGradient.backwardWeights(s, x, xo, dy, dyo, dw, dwo, ws);
            case CHANNEL_ROWS -> ChannelRowsWeightGradient.backwardWeights(s, x, xo, dy, dyo, dw, dwo, ws);
            default -> TapRowsWeightGradient.backwardWeights(s, x, xo, dy, dyo, dw, dwo, ws);
        }
    }
}
