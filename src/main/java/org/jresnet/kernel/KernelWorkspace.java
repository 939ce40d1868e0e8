package org.jresnet.kernel;

/**
 * Reusable scratch memory of the SIMD kernels: named float buffers that only grow (padded
 * inputs, packed weights, per-thread partial sums) and per-thread tiles. Sized on first use and
 * kept, so a training step allocates nothing big. One workspace serves one caller thread at a
 * time; {@link #forThisThread()} gives each calling thread its own.
 */
public final class KernelWorkspace {
    /** Buffer slots; a kernel call uses each for one purpose until it returns. */
    static final int PADDED = 0, PACKED_B = 1, PACKED_A = 2, DY_PADDED = 3, FLIPPED_W = 4;
    private static final int SLOTS = 5;

    private static final ThreadLocal<KernelWorkspace> PER_THREAD = ThreadLocal.withInitial(KernelWorkspace::new);
    /** A workspace bound to the thread for a while ({@link #bind}), used instead of its own. */
    private static final ThreadLocal<KernelWorkspace> BOUND = new ThreadLocal<>();

    private final float[][] buffers = new float[SLOTS][];
    private final int[][] intBuffers = new int[SLOTS][];
    private ShiftedGemm[] passes = new ShiftedGemm[0];
    private Tile[] tiles = new Tile[0];
    float[][] partials = new float[0][];
    boolean[] partialUsed = new boolean[0];

    /** Makes room for {@code chunks} parallel chunks; call before a parallel loop, not inside one. */
    void ensureChunks(int chunks) {
        if (tiles.length < chunks) {
            tiles = java.util.Arrays.copyOf(tiles, chunks);
            partials = java.util.Arrays.copyOf(partials, chunks);
            partialUsed = java.util.Arrays.copyOf(partialUsed, chunks);
        }
    }

    /** The workspace bound to the calling thread ({@link #bind}), else the thread's own, made on first use. */
    public static KernelWorkspace forThisThread() {
        KernelWorkspace ws = BOUND.get();
        return ws != null ? ws : PER_THREAD.get();
    }

    /**
     * Makes this the calling thread's workspace until the scope is closed. For scratch that belongs
     * to a network rather than to a thread: an inference replica's calls come from whichever
     * threads a server runs them on, and a workspace per thread (a ResNet-50's: 14 MB at batch 1,
     * 31 MB at batch 16) would be kept by every thread that ever called, for good. One caller
     * thread at a time.
     */
    public Scope bind() {
        KernelWorkspace previous = BOUND.get();
        BOUND.set(this);
        return () -> {
            if (previous == null) BOUND.remove();
            else BOUND.set(previous);
        };
    }

    /** Ends a {@link #bind}. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }

    /** Buffer {@code slot} with at least {@code size} floats; contents are whatever was there. */
    float[] floats(int slot, int size) {
        float[] b = buffers[slot];
        if (b == null || b.length < size) {
            b = new float[size];
            buffers[slot] = b;
        }
        return b;
    }

    /** Int buffer {@code slot} with at least {@code size} ints. */
    int[] ints(int slot, int size) {
        int[] b = intBuffers[slot];
        if (b == null || b.length < size) {
            b = new int[size];
            intBuffers[slot] = b;
        }
        return b;
    }

    /** The i-th reusable GEMM pass (a convolution's backward runs one per stride phase). */
    ShiftedGemm pass(int i) {
        if (passes.length <= i) passes = java.util.Arrays.copyOf(passes, i + 1);
        if (passes[i] == null) passes[i] = new ShiftedGemm();
        return passes[i];
    }

    /** Per-thread-chunk partial sum buffer of at least {@code size} floats. */
    float[] partial(int chunk, int size) {
        float[] b = partials[chunk];
        if (b == null || b.length < size) {
            b = new float[size];
            partials[chunk] = b;
        }
        return b;
    }

    /** Chunks that took a partial since {@code partialUsed} was last cleared (they are the first ones). */
    int usedPartials() {
        int chunks = 0;
        while (chunks < partialUsed.length && partialUsed[chunks]) chunks++;
        return chunks;
    }

    Tile tile(int chunk) {
        Tile t = tiles[chunk];
        if (t == null) {
            t = new Tile();
            tiles[chunk] = t;
        }
        return t;
    }

    /** One thread's row offsets for a tile of output rows and a C block for edge tiles. */
    static final class Tile {
        int[] ar = new int[0];
        int[] cr = new int[0];
        final int[] tmpRows = new int[MicroKernel.MR_LCM];
        final float[] tmp = new float[MicroKernel.MR_LCM * 2 * MicroKernel.L];

        /** A tile's A rows gathered into one dense block ({@link ShiftedGemm}), and their offsets in it. */
        float[] packed = new float[0];
        int[] pr = new int[0];
        /** A tile's sums before its epilogue writes them to the output ({@link ShiftedGemm}), and the output rows. */
        private float[] scratchC = new float[0];
        int[] yr = new int[0];

        float[] scratchC(int floats) {
            if (scratchC.length < floats) scratchC = new float[floats];
            return scratchC;
        }

        void ensureRows(int n) {
            if (ar.length < n) {
                ar = new int[n];
                cr = new int[n];
                pr = new int[n];
                yr = new int[n];
            }
        }

        void ensurePacked(int floats) {
            if (packed.length < floats) packed = new float[floats];
        }
    }
}
