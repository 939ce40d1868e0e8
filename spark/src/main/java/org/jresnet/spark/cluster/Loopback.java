package org.jresnet.spark.cluster;

import org.apache.spark.SparkConf;

/**
 * Spark settings that keep the driver, executors and block managers on 127.0.0.1: Spark otherwise
 * advertises the machine's other address (executors also need SPARK_LOCAL_IP=127.0.0.1 in their
 * environment, which bin/jresnet and the test build set).
 */
public final class Loopback {
    public static final String HOST = "127.0.0.1";

    private Loopback() {}

    public static SparkConf conf(String master, String appName) {
        return new SparkConf().setMaster(master).setAppName(appName)
                .set("spark.driver.host", HOST)
                .set("spark.driver.bindAddress", HOST)
                .set("spark.ui.enabled", "false")
                // Our own check (BarrierJob) runs once executors are up; Spark's would retry for minutes.
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "1");
    }
}
