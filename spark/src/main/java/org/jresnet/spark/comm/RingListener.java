package org.jresnet.spark.comm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * A rank's listening socket, opened before the addresses are exchanged (so every peer can connect
 * as soon as it knows them), and the handshake that turns the address list into a {@link Ring}:
 * each rank connects to its right neighbour and accepts its left one.
 *
 * <p>A connection carries a handshake (magic, session, rank): a stale connection from an earlier
 * attempt of the stage, or from anything else, is dropped instead of being taken for the peer.
 */
public final class RingListener implements AutoCloseable {
    private static final int MAGIC = 0x6a52524e; // "jRRN"
    private static final int HANDSHAKE_BYTES = 4 + 8 + 4;

    private final ServerSocketChannel server;

    private RingListener(ServerSocketChannel server) { this.server = server; }

    /** Listens on an ephemeral port of {@code host} (127.0.0.1 here: the ring never leaves loopback in tests). */
    public static RingListener open(InetAddress host) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.bind(new InetSocketAddress(host, 0));
            s.configureBlocking(false);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new RingListener(s);
    }

    /** "host:port", what the other ranks connect to. */
    public String address() throws IOException {
        InetSocketAddress a = (InetSocketAddress) server.getLocalAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /**
     * Connects rank {@code rank} of {@code addresses.size()} into the ring. {@code session} must be
     * the same number on every rank of this attempt and differ between attempts.
     */
    public Ring connect(int rank, List<String> addresses, long session, CommOptions opts) throws IOException {
        int n = addresses.size();
        if (rank < 0 || rank >= n) throw new IllegalArgumentException("rank " + rank + " of " + n);
        if (n == 1) return new Ring(0, 1, null, null, opts);
        int right = (rank + 1) % n, left = (rank - 1 + n) % n;
        Waiter w = new Waiter(rank, opts);
        SocketChannel out = connectTo(addresses.get(right), right, w);
        try {
            ByteBuffer hello = ByteBuffer.allocate(HANDSHAKE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            hello.putInt(MAGIC).putLong(session).putInt(rank).flip();
            while (hello.hasRemaining()) {
                if (out.write(hello) == 0) w.pause("sending the handshake to rank " + right);
                else w.progress();
            }
            SocketChannel in = acceptFrom(left, session, w);
            return new Ring(rank, n, out, in, opts);
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static SocketChannel connectTo(String address, int peer, Waiter w) throws IOException {
        int colon = address.lastIndexOf(':');
        InetSocketAddress to = new InetSocketAddress(address.substring(0, colon),
                Integer.parseInt(address.substring(colon + 1)));
        while (true) {
            SocketChannel c = SocketChannel.open();
            try {
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.connect(to);
                while (!c.finishConnect()) w.pause("connecting to rank " + peer + " at " + address);
                w.progress();
                return c;
            } catch (java.net.ConnectException e) {
                c.close();
                w.pause("connecting to rank " + peer + " at " + address + " (" + e.getMessage() + ")");
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    private SocketChannel acceptFrom(int left, long session, Waiter w) throws IOException {
        while (true) {
            SocketChannel c = server.accept();
            if (c == null) {
                w.pause("waiting for rank " + left + " to connect");
                continue;
            }
            c.configureBlocking(false);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer hello = ByteBuffer.allocate(HANDSHAKE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            try {
                while (hello.hasRemaining()) {
                    int k = c.read(hello);
                    if (k < 0) throw new IOException("closed during the handshake");
                    if (k == 0) w.pause("reading the handshake of rank " + left);
                }
            } catch (IOException e) {
                c.close();
                continue; // not our peer (or a dead earlier attempt): keep listening
            }
            hello.flip();
            if (hello.getInt() != MAGIC || hello.getLong() != session || hello.getInt() != left) {
                c.close();
                continue;
            }
            w.progress();
            return c;
        }
    }

    @Override public void close() throws IOException { server.close(); }
}
