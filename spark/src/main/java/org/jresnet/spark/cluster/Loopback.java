package org.jresnet.spark.cluster;

import org.apache.spark.SparkConf;

/**
 * Spark settings that keep the driver, executors and block managers on 127.0.0.1: Spark otherwise
 * advertises the machine's other address (executors also need SPARK_LOCAL_IP=127.0.0.1 in their
 * environment, which bin/jresnet and the test build set).
 *
 * <p>The driver is pinned to 127.0.0.1 only where everything runs on this machine: a
 * {@code local[...]}/{@code local-cluster[...]} master, or SPARK_LOCAL_IP=127.0.0.1 (bin/jresnet, the
 * tests, a standalone cluster started on 127.0.0.1). On a real cluster (spark-submit with
 * {@code spark://}, {@code yarn}, {@code k8s://}) executors on other machines must reach the driver
 * at its own address, so Spark's defaults, or the user's {@code spark.driver.host}, stay.
 */
public final class Loopback {
    public static final String HOST = "127.0.0.1";

    private Loopback() {}

    public static SparkConf conf(String master, String appName) {
        MasterCheck.requireReachable(master);
        SparkConf c = new SparkConf().setMaster(master).setAppName(appName)
                .set("spark.ui.enabled", "false")
                // Our own check (BarrierJob) runs once executors are up; Spark's would retry for minutes.
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "1");
        if (pinned(master, System.getenv("SPARK_LOCAL_IP"))) {
            c.set("spark.driver.host", HOST).set("spark.driver.bindAddress", HOST);
        }
        return ClusterDefaults.fitLocalCluster(c, master);
    }

    /** Whether the driver must bind and advertise 127.0.0.1 for this master and SPARK_LOCAL_IP. */
    static boolean pinned(String master, String sparkLocalIp) {
        return master.startsWith("local") || HOST.equals(sparkLocalIp);
    }
}
