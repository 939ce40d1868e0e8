package org.jresnet.spark.comm;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** N ranks as threads of one JVM, connected into a ring over loopback (no Spark). */
public final class RingTestSupport {
    private RingTestSupport() {}

    /** One rank's work, given its connected ring. */
    public interface RankBody<T> { T run(Ring ring) throws Exception; }

    /** Runs {@code body} on {@code n} ranks connected into a ring; results by rank. */
    public static <T> List<T> onRing(int n, CommOptions opts, RankBody<T> body) throws Exception {
        List<RingListener> listeners = new ArrayList<>();
        List<String> addrs = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            RingListener l = RingListener.open(InetAddress.getLoopbackAddress());
            listeners.add(l);
            addrs.add(l.address());
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try (RingListener l = listeners.get(rank); Ring ring = l.connect(rank, addrs, 42L, opts)) {
                        return body.run(ring);
                    }
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) out.add(f.get(50, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

}
