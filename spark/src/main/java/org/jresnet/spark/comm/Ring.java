package org.jresnet.spark.comm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Collectives over a ring of ranks: each rank sends only to its right neighbour and receives only
 * from its left one, over its own sockets (gradient traffic never goes through Spark's driver).
 *
 * <p>{@link #allReduceMean} is the bandwidth-optimal ring all-reduce: a reduce-scatter then an
 * all-gather, N−1 steps each, a rank sending 2(N−1)/N of the buffer in all. The buffer is cut into
 * N segments; segment {@code i} is summed in the fixed ring order starting at rank {@code i}
 * ({@code ((g[i] + g[i+1]) + ...) + g[i-1]}, ranks mod N), divided by N on its owner and copied
 * to the others: every rank ends with the same bits, and the same inputs give the same bits on
 * every run. (For N = 2 the order does not matter: a + b == b + a in IEEE arithmetic.)
 *
 * <p>Every send and receive of a step runs at once through one selector, so large messages cannot
 * deadlock on full socket buffers; every wait polls {@link CommOptions#POLL} for cancellation and
 * the silence timeout. Messages carry a sequence number and their length: ranks that disagree on
 * the buffer size or fall out of step fail with a message rather than mixing data.
 */
public final class Ring implements AutoCloseable {
    /** Messages are cut to this size: bounded staging buffers whatever the model. */
    static final int CHUNK_BYTES = 4 << 20;
    private static final int HEADER_BYTES = 8;

    private final int rank, size;
    private final SocketChannel out, in;
    private final Selector selector;
    private final SelectionKey writeKey, readKey;
    private final ByteBuffer sendHeader = ByteBuffer.allocateDirect(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer recvHeader = ByteBuffer.allocateDirect(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer sendData, recvData;
    private final FloatBuffer sendFloats, recvFloats;   // float views of the two, position 0
    // Reused by every exchange rather than allocated per message.
    private final ByteBuffer[] outBufs = new ByteBuffer[2], inBufs = new ByteBuffer[2];
    private final Waiter waiter;
    private ByteBuffer gatherSend = ByteBuffer.allocate(0), gatherRecv = ByteBuffer.allocate(0);
    private float[] scratch = new float[0];
    private int sendSeq, recvSeq; // per link direction: rank r's sends are rank r+1's receives
    private long bytesSent;

    Ring(int rank, int size, SocketChannel out, SocketChannel in, CommOptions opts) throws IOException {
        this.rank = rank;
        this.size = size;
        this.out = out;
        this.in = in;
        this.waiter = new Waiter(rank, opts);
        outBufs[0] = sendHeader;
        inBufs[0] = recvHeader;
        if (size > 1) {
            selector = Selector.open();
            writeKey = out.register(selector, 0);
            readKey = in.register(selector, 0);
            sendData = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            recvData = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            sendFloats = sendData.asFloatBuffer();
            recvFloats = recvData.asFloatBuffer();
        } else {
            selector = null;
            writeKey = readKey = null;
            sendData = recvData = null;
            sendFloats = recvFloats = null;
        }
    }

    public int rank() { return rank; }
    public int size() { return size; }
    /** Payload bytes this rank has sent so far (for the bandwidth figures). */
    public long bytesSent() { return bytesSent; }

    private int left() { return (rank - 1 + size) % size; }
    private int right() { return (rank + 1) % size; }

    /** Start of segment {@code i} when {@code len} elements are cut into {@code size} segments. */
    static int segStart(int len, int parts, int i) { return (int) ((long) len * i / parts); }

    /** Replaces {@code x[off, off+len)} on every rank by the element-wise mean over the ranks. */
    public void allReduceMean(float[] x, int off, int len) {
        if (size == 1) return;
        // Reduce-scatter: at step s, send segment (r − s) and add the left neighbour's segment
        // (r − s − 1) into ours. After N−1 steps rank r holds the full sum of segment r + 1.
        for (int s = 0; s < size - 1; s++) {
            int sendSeg = Math.floorMod(rank - s, size), recvSeg = Math.floorMod(rank - s - 1, size);
            exchangeFloats(x, off, len, sendSeg, recvSeg, true, "the reduce-scatter");
        }
        int own = (rank + 1) % size;
        int a = off + segStart(len, size, own), b = off + segStart(len, size, own + 1);
        float n = size;
        for (int i = a; i < b; i++) x[i] /= n;
        // All-gather: pass the finished segments around the ring once.
        for (int s = 0; s < size - 1; s++) {
            int sendSeg = Math.floorMod(rank + 1 - s, size), recvSeg = Math.floorMod(rank - s, size);
            exchangeFloats(x, off, len, sendSeg, recvSeg, false, "the all-gather");
        }
    }

    /** Copies rank {@code root}'s {@code x[off, off+len)} to every rank (passed along the ring). */
    public void broadcast(float[] x, int off, int len, int root) {
        if (size == 1) return;
        int pos = Math.floorMod(rank - root, size); // hops from the root
        if (pos > 0) receiveFloats(x, off, len, "the broadcast from rank " + root);
        if (pos < size - 1) sendFloats(x, off, len, "the broadcast from rank " + root);
    }

    /** Every rank's {@code value}, indexed by rank (used to compare weight checksums). */
    public long[] allGather(long value) {
        long[] all = new long[size];
        all[rank] = value;
        ByteBuffer sb = gatherSend(Long.BYTES), rb = gatherRecv(Long.BYTES);
        for (int s = 0; s < size - 1; s++) {
            int sendSlot = Math.floorMod(rank - s, size), recvSlot = Math.floorMod(rank - s - 1, size);
            sb.clear();
            sb.putLong(all[sendSlot]).flip();
            rb.clear().limit(Long.BYTES);
            exchange(sb, rb, "gathering checksums");
            all[recvSlot] = rb.flip().getLong();
        }
        return all;
    }

    /** Every rank's {@code mine} (same length on all ranks), indexed by rank: sync-BN's statistics. */
    public double[][] allGather(double[] mine) {
        double[][] all = new double[size][];
        all[rank] = mine.clone();
        if (size == 1) return all;
        int bytes = mine.length * Double.BYTES;
        ByteBuffer sb = gatherSend(bytes), rb = gatherRecv(bytes);
        for (int s = 0; s < size - 1; s++) {
            int sendSlot = Math.floorMod(rank - s, size), recvSlot = Math.floorMod(rank - s - 1, size);
            sb.clear().limit(bytes);
            sb.asDoubleBuffer().put(all[sendSlot]);
            rb.clear().limit(bytes);
            exchange(sb, rb, "gathering statistics");
            double[] got = new double[mine.length];
            rb.flip().asDoubleBuffer().get(got);
            all[recvSlot] = got;
        }
        return all;
    }

    /** The all-gathers' staging buffers, grown to {@code bytes} when needed (heap: they are small). */
    private ByteBuffer gatherSend(int bytes) {
        if (gatherSend.capacity() < bytes) gatherSend = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return gatherSend;
    }

    private ByteBuffer gatherRecv(int bytes) {
        if (gatherRecv.capacity() < bytes) gatherRecv = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return gatherRecv;
    }

    private void exchangeFloats(float[] x, int off, int len, int sendSeg, int recvSeg, boolean add, String what) {
        int sa = off + segStart(len, size, sendSeg), sLen = off + segStart(len, size, sendSeg + 1) - sa;
        int ra = off + segStart(len, size, recvSeg), rLen = off + segStart(len, size, recvSeg + 1) - ra;
        int chunk = CHUNK_BYTES / Float.BYTES;
        for (int done = 0; done < Math.max(sLen, rLen); done += chunk) {
            int sk = Math.max(0, Math.min(chunk, sLen - done)), rk = Math.max(0, Math.min(chunk, rLen - done));
            sendFloats.clear();
            sendFloats.put(x, sa + done, sk);
            sendData.clear().limit(sk * Float.BYTES);
            recvData.clear().limit(rk * Float.BYTES);
            // A rank's two segments may differ in chunk count: a side with nothing left sends or
            // receives nothing (its neighbour computes the same segment length and agrees).
            exchange(sk > 0 ? sendData : null, rk > 0 ? recvData : null, what);
            if (rk == 0) continue;
            FloatBuffer got = recvFloats.clear().limit(rk);
            if (add) {
                if (scratch.length < rk) scratch = new float[chunk];
                got.get(scratch, 0, rk);
                int base = ra + done;
                for (int i = 0; i < rk; i++) x[base + i] += scratch[i];
            } else {
                got.get(x, ra + done, rk);
            }
        }
    }

    private void sendFloats(float[] x, int off, int len, String what) {
        int chunk = CHUNK_BYTES / Float.BYTES;
        for (int done = 0; done < len; done += chunk) {
            int k = Math.min(chunk, len - done);
            sendFloats.clear();
            sendFloats.put(x, off + done, k);
            sendData.clear().limit(k * Float.BYTES);
            exchange(sendData, null, what);
        }
    }

    private void receiveFloats(float[] x, int off, int len, String what) {
        int chunk = CHUNK_BYTES / Float.BYTES;
        for (int done = 0; done < len; done += chunk) {
            int k = Math.min(chunk, len - done);
            recvData.clear().limit(k * Float.BYTES);
            exchange(null, recvData, what);
            recvFloats.clear().limit(k);
            recvFloats.get(x, off + done, k);
        }
    }

    /**
     * Sends {@code send} to the right neighbour while receiving exactly {@code recv.remaining()}
     * bytes from the left one (either may be null). Both carry a header (sequence, length) that
     * the receiver checks.
     */
    private void exchange(ByteBuffer send, ByteBuffer recv, String what) {
        int seq = send != null ? sendSeq++ : 0, expectSeq = recv != null ? recvSeq++ : 0;
        Waiter w = waiter;
        w.progress();   // the silence clock starts with the exchange
        try {
            if (send != null) {
                sendHeader.clear();
                sendHeader.putInt(seq).putInt(send.remaining()).flip();
                writeKey.interestOps(SelectionKey.OP_WRITE);
            }
            int expect = 0;
            if (recv != null) {
                recvHeader.clear();
                expect = recv.remaining();
                readKey.interestOps(SelectionKey.OP_READ);
            }
            boolean sending = send != null, receiving = recv != null, headerChecked = false;
            outBufs[1] = send;
            inBufs[1] = recv;
            long payload = sending ? send.remaining() : 0;
            while (sending || receiving) {
                w.check(what + " with rank " + (receiving ? left() : right()));
                selector.select(CommOptions.POLL.toMillis());
                selector.selectedKeys().clear();
                if (sending) {
                    if (out.write(outBufs) > 0) w.progress();
                    if (!send.hasRemaining()) {
                        sending = false;
                        writeKey.interestOps(0);
                    }
                }
                if (receiving) {
                    long k = in.read(inBufs);
                    if (k < 0) {
                        throw new CommException("rank " + rank + ": lost rank " + left()
                                + " (connection closed) during " + what);
                    }
                    if (k > 0) w.progress();
                    if (!headerChecked && !recvHeader.hasRemaining()) {
                        int gotSeq = recvHeader.getInt(0), gotLen = recvHeader.getInt(4);
                        if (gotSeq != expectSeq || gotLen != expect) {
                            throw new CommException(String.format("rank %d: rank %d is out of step (message %d of %d"
                                    + " bytes, expected %d of %d) during %s: do all workers hold the same model?",
                                    rank, left(), gotSeq, gotLen, expectSeq, expect, what));
                        }
                        headerChecked = true;
                    }
                    if (headerChecked && !recv.hasRemaining()) {
                        receiving = false;
                        readKey.interestOps(0);
                    }
                }
            }
            bytesSent += payload;
        } catch (IOException e) {
            throw new CommException("rank " + rank + ": lost a peer (" + e.getMessage() + ") during " + what
                    + " (left rank " + left() + ", right rank " + right() + ")", e);
        }
    }

    @Override public void close() throws IOException {
        if (size == 1) return;
        try (selector; out; in) {
            // closing the sockets tells the neighbours at once (EOF) rather than after a timeout
        }
    }
}
