package org.jresnet.spark.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.jresnet.train.ProgressReporter;

/**
 * Rank 0's progress lines, as {@code jresnet train} prints them, copied to the driver's stderr over
 * a socket: the driver listens ({@link #open}), rank 0's task connects ({@link Sender}); each
 * attempt of a relaunched stage connects anew.
 */
public final class ProgressRelay implements AutoCloseable {
    private final ServerSocket server;

    private ProgressRelay(ServerSocket server) { this.server = server; }

    /** Listens on {@code driverHost} and relays what arrives to stderr; with {@code on} false, nothing is opened. */
    public static ProgressRelay open(String driverHost, boolean on) throws IOException {
        return open(driverHost, on, System.err);
    }

    /** As {@link #open(String, boolean)}, relaying to {@code out}. */
    public static ProgressRelay open(String driverHost, boolean on, PrintStream out) throws IOException {
        if (!on) return new ProgressRelay(null);
        ServerSocket s = new ServerSocket(0, 4, InetAddress.getByName(driverHost));
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket sock = s.accept(); InputStream in = sock.getInputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // closed at the end of the job, or a rank 0 that died: the next attempt connects again
                }
            }
        }, "jresnet-progress-relay");
        t.setDaemon(true);
        t.start();
        return new ProgressRelay(s);
    }

    public String host() { return server == null ? "" : server.getInetAddress().getHostAddress(); }

    /** The port tasks connect to; 0 when nothing is relayed. */
    public int port() { return server == null ? 0 : server.getLocalPort(); }

    @Override public void close() throws IOException {
        if (server != null) server.close();
    }

    /** A task's end: rank 0's reporter writes to the driver, every other rank's is quiet. */
    public static final class Sender implements AutoCloseable {
        private final Socket socket;
        private final ProgressReporter reporter;

        public Sender(int rank, String host, int port, boolean bar) throws IOException {
            socket = rank == 0 && port > 0 ? connect(host, port) : null;
            reporter = socket == null ? new ProgressReporter(ProgressReporter.Mode.QUIET)
                    : new ProgressReporter(bar ? ProgressReporter.Mode.BAR : ProgressReporter.Mode.LINES,
                            new PrintStream(socket.getOutputStream(), true, StandardCharsets.UTF_8));
        }

        public ProgressReporter reporter() { return reporter; }

        private static Socket connect(String host, int port) throws IOException {
            Socket sock = new Socket();
            sock.connect(new InetSocketAddress(host, port), 10_000);
            return sock;
        }

        @Override public void close() throws IOException {
            reporter.close();
            if (socket != null) socket.close();
        }
    }
}
