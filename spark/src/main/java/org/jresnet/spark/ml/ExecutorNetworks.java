package org.jresnet.spark.ml;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.jresnet.api.Network;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;

/**
 * One network, with its own engine, per executor JVM and weights: the tasks of a stage (and of
 * later stages with the same weights) share it instead of loading the weights per task. The
 * network is thread-safe (a replica per concurrent call); the engine's pool serves them in turn.
 */
final class ExecutorNetworks {
    /** Distinct weights kept per JVM: a pipeline holds one or two models at once. */
    private static final int CAPACITY = 4;

    private static final Map<String, Network> CACHE = new LinkedHashMap<>(CAPACITY, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, Network> eldest) {
            // The evicted network's engine is not closed: a task may still be running on it.
            return size() > CAPACITY;
        }
    };

    private ExecutorNetworks() {}

    /** The network of {@code weights} on an engine of {@code threads} (0: this executor's cores). */
    static Network get(Broadcast<NetworkWeights> weights, String key, int threads) {
        int t = threads > 0 ? threads : executorCores();
        String k = key + "/" + t;
        synchronized (CACHE) {
            Network n = CACHE.get(k);
            if (n == null) {
                n = weights.value().build().engine(Engine.create(EngineConfig.fromSystem().withThreads(t)));
                CACHE.put(k, n);
            }
            return n;
        }
    }

    /** spark.executor.cores, else the JVM's processors (local mode, or Spark's default of all cores). */
    static int executorCores() {
        int cpus = Runtime.getRuntime().availableProcessors();
        SparkEnv env = SparkEnv.get();
        if (env == null) return cpus;
        return Math.max(1, env.conf().getInt("spark.executor.cores", cpus));
    }
}
