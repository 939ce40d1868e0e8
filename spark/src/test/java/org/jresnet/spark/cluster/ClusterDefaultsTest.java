package org.jresnet.spark.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The driver is pinned to 127.0.0.1 only where everything runs here; a user's settings win. */
class ClusterDefaultsTest {
    @Test
    void theDriverIsPinnedToLoopbackOnlyOnThisMachine() {
        assertThat(Loopback.pinned("local-cluster[2,1,1024]", null)).isTrue();
        assertThat(Loopback.pinned("local[2]", "10.0.0.5")).isTrue();
        assertThat(Loopback.pinned("spark://127.0.0.1:7077", "127.0.0.1")).isTrue();   // bin/jresnet, the tests
        assertThat(Loopback.pinned("spark://master:7077", null)).isFalse();           // spark-submit on a cluster
        assertThat(Loopback.pinned("yarn", "10.0.0.5")).isFalse();
    }

    @Test
    void executorFlagsAreADefaultNotAnOverride() {
        SparkConf mine = new SparkConf(false).set("spark.executor.extraJavaOptions", "-XX:+UseParallelGC");
        assertThat(ClusterDefaults.executorFlags(mine).get("spark.executor.extraJavaOptions")).isEqualTo("-XX:+UseParallelGC");
        assertThat(ClusterDefaults.executorFlags(new SparkConf(false)).get("spark.executor.extraJavaOptions"))
                .isEqualTo(ClusterDefaults.FLAGS).contains("-XX:+UseSerialGC");
    }

    @Test
    void aLocalClustersExecutorsGetItsMemoryUnlessSet() {
        assertThat(ClusterDefaults.fitLocalCluster(new SparkConf(false), "local-cluster[2,1,768]").get("spark.executor.memory"))
                .isEqualTo("768m");
        assertThat(ClusterDefaults.fitLocalCluster(new SparkConf(false).set("spark.executor.memory", "512m"),
                "local-cluster[2, 1, 768]").get("spark.executor.memory")).isEqualTo("512m");
        assertThat(ClusterDefaults.fitLocalCluster(new SparkConf(false), "local[2]").contains("spark.executor.memory")).isFalse();
    }

    @Test
    void theMasterIsTheOptionElseSparkSubmitsElseLocalCluster() {
        assertThat(ClusterDefaults.master("local[1]")).isEqualTo("local[1]");
        String before = System.getProperty("spark.master");
        try {
            System.clearProperty("spark.master");
            assertThat(ClusterDefaults.master(null)).isEqualTo(ClusterDefaults.LOCAL_MASTER);
            System.setProperty("spark.master", "yarn");
            assertThat(ClusterDefaults.master(null)).isEqualTo("yarn");
        } finally {
            if (before == null) System.clearProperty("spark.master");
            else System.setProperty("spark.master", before);
        }
    }
}
