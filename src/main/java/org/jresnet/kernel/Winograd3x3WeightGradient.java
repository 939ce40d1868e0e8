package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.F;
import static org.jresnet.kernel.MicroKernel.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.jresnet.engine.Engine;

/**
 * Weight gradient of a stride-1, pad-1 3x3 convolution by Winograd F(2x2, 3x3): the adjoint of
 * {@link Winograd3x3}'s forward {@code y = A^T [(G g G^T) ⊙ (B^T d B)] A}, so per 2x2 output tile
 *
 * <pre>
 *   V[xi][tile][ci] = (B^T d B)[xi]     the forward's input transform of the 4x4 input window
 *   Q[xi][tile][co] = (A' dy A'^T)[xi]  the 2x2 dy block lifted to 4x4
 *   P[xi][co][ci]   = sum over tiles of Q[xi][tile][co] * V[xi][tile][ci]     16 GEMMs
 *   dW[co][ci]     += G'^T P[co][ci] G'   (4x4 -> 3x3)
 *   A' = [[1,0], [1,1], [1,-1], [0,1]],  G' = [[1,0,0], [1/2,1/2,1/2], [1/2,-1/2,1/2], [0,0,-1]]
 * </pre>
 *
 * A' and G' are the forward's A and G with the last row negated: the two sign flips cancel in
 * the product, and the dy transform then needs no negations. 16 multiplies per tile and channel
 * pair instead of 36 for the direct sum over 4 pixels x 9 taps.
 *
 * <p>Each thread takes an even share of the tiles, in blocks: it transforms a block's x and dy
 * into its own scratch (vectorised along channels), adds the block's 16 GEMMs into its own P
 * with the weight-gradient micro-kernels (output channels broadcast from Q, input-channel vectors
 * from V) and moves on. The per-thread P are summed in chunk order and transformed into dw, so
 * the same thread count gives bit-identical results.
 */
final class Winograd3x3WeightGradient {
    /** Positions of the 4x4 transformed tile: one GEMM each. */
    private static final int XI = 16;
    /**
     * Floats (one cache line) between the 16 planes of V and of Q: a transform writes one vector
     * into each plane, and planes a power of two apart (256 tiles x L channels, 16 KB at L = 16)
     * all map to one L1 set (docs/benchmark.md, "Kernel tuning").
     */
    private static final int PLANE_PAD = 16;
    /**
     * Tiles per block, and for output x input channel counts whose P (16 x cin x cout floats per
     * thread) outgrows L2. Every block sweeps the thread's whole P once (a load and a store per
     * accumulator per kernel call), so blocks are long; V and Q of a block at these sizes are
     * 0.5-4 MB and stream through L2 one xi plane at a time. The two sizes were measured
     * (docs/benchmark.md, "Kernel tuning").
     */
    private static final int BLOCK_TILES = 256, BLOCK_TILES_BIG_P = 512;
    private static final int BIG_P_FLOATS = 256 * 1024;

    private Winograd3x3WeightGradient() {}

    /** Tiles per block: at most {@link #BLOCK_TILES} (or BLOCK_TILES_BIG_P), spread evenly over a thread's share. */
    static int tilesPerBlock(int cin, int cout, int tiles, int threads) {
        int most = XI * cin * cout > BIG_P_FLOATS ? BLOCK_TILES_BIG_P : BLOCK_TILES;
        int perThread = (tiles + threads - 1) / threads;
        int blocks = (perThread + most - 1) / most;
        return (perThread + blocks - 1) / blocks;
    }

    /** dw[co,ci,ky,kx] += sum over pixels of dy[n,oy,ox,co] * x[n, oy+ky-1, ox+kx-1, ci]. */
    static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo,
                                KernelWorkspace ws) {
        int n = s.n(), h = s.h(), wd = s.w(), cin = s.cin(), cout = s.cout();
        int th = (h + 1) / 2, tw = (wd + 1) / 2, tiles = n * th * tw;
        int threads = Engine.current().threads();
        ws.ensureChunks(threads);
        int tb = tilesPerBlock(cin, cout, tiles, threads);
        int vStride = tb * cin + PLANE_PAD, qStride = tb * cout + PLANE_PAD;
        int pSize = XI * cin * cout, vBase = pSize, qBase = vBase + XI * vStride, winBase = qBase + XI * qStride;
        int scratch = winBase + XI * cin + 4 * cout;
        Arrays.fill(ws.partialUsed, false);
        Engine.current().parallel().forRange(tiles, (c, q0, q1) -> {
            float[] sc = ws.partial(c, scratch);
            Arrays.fill(sc, 0, pSize, 0f);
            ws.partialUsed[c] = true;
            KernelWorkspace.Tile tile = ws.tile(c);
            tile.ensureRows(tb);
            int[] pix = tile.ar;
            for (int r = 0; r < tb; r++) pix[r] = vBase + r * cin;
            for (int t0 = q0; t0 < q1; t0 += tb) {
                int nv = Math.min(tb, q1 - t0);
                int img = t0 / (th * tw), ty = (t0 - img * th * tw) / tw, tx = t0 - (img * th + ty) * tw;
                for (int r = 0; r < nv; r++) {
                    WinogradF2.INSTANCE.inputTile(x, xo, h, wd, cin, img, 2 * ty - 1, 2 * tx - 1, sc, vBase + r * cin,
                            vStride, winBase, -1);   // F(2x2) takes no scratch
                    gradTile(dy, dyo, h, wd, cout, img, 2 * ty, 2 * tx, sc, qBase + r * cout, qStride,
                            winBase + XI * cin);
                    if (++tx == tw) {
                        tx = 0;
                        if (++ty == th) {
                            ty = 0;
                            img++;
                        }
                    }
                }
                for (int xi = 0; xi < XI; xi++) gemm(sc, pix, nv, xi * vStride, qBase + xi * qStride, cout,
                        xi * cin * cout, cin, cout);
            }
        });
        reduceInto(ws, ws.usedPartials(), cin, cout, dw, dwo);
    }

    /**
     * P[co][ci] += sum over the block's nv tiles of Q[tile][co] * V[tile][ci] for one xi:
     * V rows at {@code sc[pix[t] + vo ..]}, Q rows at {@code sc[qo + t*cout ..]}, P at {@code sc[po ..]}.
     */
    private static void gemm(float[] sc, int[] pix, int nv, int vo, int qo, int ldq, int po, int cin, int cout) {
        int vecs = cin / L, g = 0;
        // input-channel groups outermost: their V columns stay in L1 while Q's rows stream past
        for (; g + 4 <= vecs; g += 4) {
            int c0 = vo + g * L;
            for (int co = 0; co < cout; co += 4) {
                MicroKernel.wt4x4L(sc, pix, 0, nv, c0, sc, qo, ldq, co,
                        sc, po + co * cin + g * L, cin);
            }
        }
        for (; g < vecs; g += 2) {
            int c0 = vo + g * L;
            for (int co = 0; co < cout; co += MicroKernel.MR1) {
                if (g + 1 < vecs) {
                    MicroKernel.wt8x2(sc, pix, 0, nv, c0, c0 + L, sc, qo, ldq, co, sc, po + co * cin + g * L, cin);
                } else {
                    MicroKernel.wt8x1(sc, pix, 0, nv, c0, sc, qo, ldq, co, sc, po + co * cin + g * L, cin);
                }
            }
        }
    }

    /**
     * Q of the tile whose 2x2 dy block starts at output (oy, ox) into q[qo + xi*xiStride ..]. A block
     * reaching past the bottom or right edge is first copied, zero-filled, to {@code q[win ..]} ([2][2][cout]).
     */
    private static void gradTile(float[] dy, int dyo, int h, int wd, int cout, int img, int oy, int ox,
                                 float[] q, int qo, int xiStride, int win) {
        int src = dyo + ((img * h + oy) * wd + ox) * cout;
        if (oy + 1 < h && ox + 1 < wd) {
            for (int c = 0; c < cout; c += L) gradVector(dy, src + c, wd * cout, cout, q, qo + c, xiStride);
            return;
        }
        FloatVector zero = FloatVector.zero(F);
        for (int ab = 0; ab < 4; ab++) {
            int a = ab >> 1, b = ab & 1, d = win + ab * cout;
            if (oy + a >= h || ox + b >= wd) {
                for (int c = 0; c < cout; c += L) zero.intoArray(q, d + c);
            } else {
                int p = src + (a * wd + b) * cout;
                for (int c = 0; c < cout; c += L) FloatVector.fromArray(F, dy, p + c).intoArray(q, d + c);
            }
        }
        for (int c = 0; c < cout; c += L) gradVector(q, win + c, 2 * cout, cout, q, qo + c, xiStride);
    }

    /**
     * One vector of channels of Q = A' g A'^T for g = [[a, b], [c, d]] at src[p], src[p + cin],
     * src[p + rowStride], src[p + rowStride + cin]: rows of A' g are g0, g0 + g1, g0 - g1, g1,
     * and each row [u, v] becomes [u, u + v, u - v, v].
     */
    private static void gradVector(float[] src, int p, int rowStride, int cstride, float[] q, int o, int xiStride) {
        FloatVector a = FloatVector.fromArray(F, src, p), b = FloatVector.fromArray(F, src, p + cstride);
        FloatVector c = FloatVector.fromArray(F, src, p + rowStride);
        FloatVector d = FloatVector.fromArray(F, src, p + rowStride + cstride);
        FloatVector e = a.add(c), f = b.add(d), g = a.sub(c), k = b.sub(d);
        a.intoArray(q, o + 0 * xiStride);
        a.add(b).intoArray(q, o + 1 * xiStride);
        a.sub(b).intoArray(q, o + 2 * xiStride);
        b.intoArray(q, o + 3 * xiStride);
        e.intoArray(q, o + 4 * xiStride);
        e.add(f).intoArray(q, o + 5 * xiStride);
        e.sub(f).intoArray(q, o + 6 * xiStride);
        f.intoArray(q, o + 7 * xiStride);
        g.intoArray(q, o + 8 * xiStride);
        g.add(k).intoArray(q, o + 9 * xiStride);
        g.sub(k).intoArray(q, o + 10 * xiStride);
        k.intoArray(q, o + 11 * xiStride);
        c.intoArray(q, o + 12 * xiStride);
        c.add(d).intoArray(q, o + 13 * xiStride);
        c.sub(d).intoArray(q, o + 14 * xiStride);
        d.intoArray(q, o + 15 * xiStride);
    }

    /**
     * dw += G'^T (P_0 + P_1 + ...) G' with the per-chunk P summed in chunk order (into P_0),
     * in parallel over output channels.
     */
    private static void reduceInto(KernelWorkspace ws, int used, int cin, int cout, float[] dw, int dwo) {
        float[][] parts = ws.partials;
        int cc = cin * cout;
        int grain = Math.max(1, ShiftedGemm.MIN_PARALLEL_FLOATS / (XI * cin * used));
        Engine.current().parallel().forRange(cout, grain, (chunk, c0, c1) -> {
            float[] tmp = ws.tile(chunk).tmp;   // [9][L] one vector of input channels' 3x3 taps
            float[] p0 = parts[0];
            for (int co = c0; co < c1; co++) {
                for (int t = 1; t < used; t++) {
                    float[] pt = parts[t];
                    for (int xi = 0; xi < XI; xi++) {
                        int o = xi * cc + co * cin;
                        for (int c = 0; c < cin; c += L) {
                            FloatVector.fromArray(F, p0, o + c).add(FloatVector.fromArray(F, pt, o + c)).intoArray(p0, o + c);
                        }
                    }
                }
                for (int c = 0; c < cin; c += L) {
                    outputVector(p0, co * cin + c, cc, tmp);
                    int d = dwo + (co * cin + c) * 9;
                    for (int lane = 0; lane < L; lane++) {
                        for (int tap = 0; tap < 9; tap++) dw[d + lane * 9 + tap] += tmp[tap * L + lane];
                    }
                }
            }
        });
    }

    /**
     * tmp[tap*L ..] = (G'^T P G')[tap] for P[xi] = p[o + xi*xiStride ..], one vector of lanes:
     * each row [p0, p1, p2, p3] of P becomes [p0 + s, (p1 - p2)/2, s - p3] with s = (p1 + p2)/2,
     * then each column of that likewise.
     */
    private static void outputVector(float[] p, int o, int xiStride, float[] tmp) {
        FloatVector half = FloatVector.broadcast(F, 0.5f);
        FloatVector p00 = FloatVector.fromArray(F, p, o), p01 = FloatVector.fromArray(F, p, o + xiStride);
        FloatVector p02 = FloatVector.fromArray(F, p, o + 2 * xiStride), p03 = FloatVector.fromArray(F, p, o + 3 * xiStride);
        FloatVector p10 = FloatVector.fromArray(F, p, o + 4 * xiStride), p11 = FloatVector.fromArray(F, p, o + 5 * xiStride);
        FloatVector p12 = FloatVector.fromArray(F, p, o + 6 * xiStride), p13 = FloatVector.fromArray(F, p, o + 7 * xiStride);
        FloatVector p20 = FloatVector.fromArray(F, p, o + 8 * xiStride), p21 = FloatVector.fromArray(F, p, o + 9 * xiStride);
        FloatVector p22 = FloatVector.fromArray(F, p, o + 10 * xiStride), p23 = FloatVector.fromArray(F, p, o + 11 * xiStride);
        FloatVector p30 = FloatVector.fromArray(F, p, o + 12 * xiStride), p31 = FloatVector.fromArray(F, p, o + 13 * xiStride);
        FloatVector p32 = FloatVector.fromArray(F, p, o + 14 * xiStride), p33 = FloatVector.fromArray(F, p, o + 15 * xiStride);
        // rows: P G' [4, 3]
        FloatVector s0 = p01.add(p02).mul(half), s1 = p11.add(p12).mul(half);
        FloatVector s2 = p21.add(p22).mul(half), s3 = p31.add(p32).mul(half);
        FloatVector r00 = p00.add(s0), r01 = p01.sub(p02).mul(half), r02 = s0.sub(p03);
        FloatVector r10 = p10.add(s1), r11 = p11.sub(p12).mul(half), r12 = s1.sub(p13);
        FloatVector r20 = p20.add(s2), r21 = p21.sub(p22).mul(half), r22 = s2.sub(p23);
        FloatVector r30 = p30.add(s3), r31 = p31.sub(p32).mul(half), r32 = s3.sub(p33);
        // columns: G'^T (P G') [3, 3]
        FloatVector t0 = r10.add(r20).mul(half), t1 = r11.add(r21).mul(half), t2 = r12.add(r22).mul(half);
        r00.add(t0).intoArray(tmp, 0);
        r01.add(t1).intoArray(tmp, L);
        r02.add(t2).intoArray(tmp, 2 * L);
        r10.sub(r20).mul(half).intoArray(tmp, 3 * L);
        r11.sub(r21).mul(half).intoArray(tmp, 4 * L);
        r12.sub(r22).mul(half).intoArray(tmp, 5 * L);
        t0.sub(r30).intoArray(tmp, 6 * L);
        t1.sub(r31).intoArray(tmp, 7 * L);
        t2.sub(r32).intoArray(tmp, 8 * L);
    }
}
