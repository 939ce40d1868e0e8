package org.jresnet.spark.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A standalone master ({@code spark://host:port[,host:port...]}) that nobody answers at fails in one
 * line at once: Spark itself retries for a minute, then reports a cluster with no free task slots.
 */
public final class MasterCheck {
    /** How long one master may take to accept a connection. */
    static final int CONNECT_TIMEOUT_MS = 5_000;

    private MasterCheck() {}

    /** Throws naming the master when none of {@code master}'s addresses accepts a connection; other URLs pass. */
    public static void requireReachable(String master) {
        if (!master.startsWith("spark://")) return;
        String last = "no address";
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) throw new IllegalArgumentException("Spark master " + master + ": '" + hostPort + "' has no port");
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Spark master " + master + ": bad port in '" + hostPort + "'");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(hostPort.substring(0, colon), port), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException | IllegalArgumentException e) {
                last = hostPort + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        throw new IllegalArgumentException("cannot reach the Spark master " + master + " (" + last + ")");
    }
}
