package org.jresnet.spark.cluster;

import org.apache.spark.SparkConf;

/**
 * Defaults of the commands whose executors run the engine (training, the all-reduce benchmark):
 * the master URL, and executor JVM flags comparable to {@code bin/jresnet}'s. Spark already gives
 * executors {@code --add-modules=jdk.incubator.vector} (its JavaModuleOptions) and their heap from
 * {@code spark.executor.memory} (local-cluster: its MB figure); it leaves the collector to the JVM,
 * which picks G1 on a 2-core machine with 2 GB or more. bin/jresnet runs the serial collector with
 * a 64 MB young generation: the engine allocates its buffers once and then almost nothing per
 * step, so a parallel collector buys no speed and takes a core's time slices from the kernels.
 * A user's own {@code spark.executor.extraJavaOptions} (spark-submit --conf, or -Dspark...) wins.
 */
public final class ClusterDefaults {
    public static final String FLAGS = "-XX:+UseSerialGC -Xmn64m -Djava.awt.headless=true";

    /** Where bin/jresnet runs without a cluster: two executor JVMs of one core on this machine. */
    public static final String LOCAL_MASTER = "local-cluster[2,1,1024]";

    private ClusterDefaults() {}

    /**
     * The master URL: the command's {@code --master}, else spark-submit's (it reaches the driver as
     * the {@code spark.master} property), else {@link #LOCAL_MASTER}.
     */
    public static String master(String option) {
        if (option != null) return option;
        return System.getProperty("spark.master", LOCAL_MASTER);
    }

    private static final java.util.regex.Pattern LOCAL_CLUSTER =
            java.util.regex.Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*\\d+\\s*,\\s*(\\d+)\\s*]");

    /**
     * A {@code local-cluster[N,C,M]} master's executors get M MB unless spark.executor.memory is
     * set: Spark's default of 1 GB refuses every smaller M ("Asked to launch cluster with 768 MiB/worker
     * but requested 1024 MiB/executor").
     */
    public static SparkConf fitLocalCluster(SparkConf conf, String master) {
        java.util.regex.Matcher m = LOCAL_CLUSTER.matcher(master);
        return m.matches() ? conf.setIfMissing("spark.executor.memory", m.group(1) + "m") : conf;
    }

    /** {@code conf} with {@link #FLAGS} as the executors' extra options unless they are set. */
    public static SparkConf executorFlags(SparkConf conf) {
        return conf.setIfMissing("spark.executor.extraJavaOptions", FLAGS);
    }
}
