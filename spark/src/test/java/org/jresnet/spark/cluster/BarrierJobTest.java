package org.jresnet.spark.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.jresnet.spark.comm.Ring;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The barrier stage and its ring on local-cluster[2,1,512]: two executor JVMs, one shared context
 * (start-up costs ~10 s). Needs SPARK_HOME, SPARK_SCALA_VERSION and the shaded jar, which the
 * module's build sets.
 */
@Timeout(300)
public class BarrierJobTest {
    private static JavaSparkContext jsc;

    @BeforeAll
    static void start() throws IOException {
        String jar = System.getProperty("jresnet.spark.jar");
        jsc = new JavaSparkContext(Loopback.conf("local-cluster[2,1,768]", "BarrierJobTest")
                .set("spark.jars", jar + "," + testClassesJar())
                .set("spark.executor.memory", "512m")
                .set("spark.executor.extraJavaOptions", "-XX:+UseSerialGC"));
    }

    /** The test's own classes (its worker lambdas) as a jar for the executors. */
    public static String testClassesJar() throws IOException {
        Path dir = Path.of(BarrierJobTest.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path jar = dir.resolveSibling("spark-test-classes.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(dir.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar.toString();
    }

    @AfterAll
    static void stop() {
        if (jsc != null) jsc.stop();
    }

    static float[] data(int rank, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) Math.sin(i * 0.37 + rank * 11.0);
        return x;
    }

    @Test
    void ringAllReduceAcrossExecutorsGivesTheSameBitsOnEveryRank() throws Exception {
        int len = 300_001;
        List<String> got = BarrierJob.run(jsc, 2, Duration.ofSeconds(30), (ring, attempt) -> {
            float[] x = data(ring.rank(), len);
            ring.allReduceMean(x, 0, len);
            return Integer.toString(Arrays.hashCode(x));
        });
        float[] a = data(0, len), b = data(1, len), mean = new float[len];
        for (int i = 0; i < len; i++) mean[i] = (a[i] + b[i]) / 2;
        assertThat(got).containsExactly(Integer.toString(Arrays.hashCode(mean)), Integer.toString(Arrays.hashCode(mean)));
    }

    @Test
    void aKilledExecutorRelaunchesTheStageAndItsPeerIsNotLeftBlocked() throws Exception {
        long t = System.nanoTime();
        List<String> got = BarrierJob.run(jsc, 2, Duration.ofSeconds(120), (ring, attempt) -> {
            float[] x = new float[1000];
            if (attempt == 0 && ring.rank() == 1) Runtime.getRuntime().halt(137); // the JVM dies as under SIGKILL
            ring.allReduceMean(x, 0, x.length); // rank 0 waits here on attempt 0 until Spark cancels it
            return "attempt " + attempt;
        });
        assertThat(got).containsExactly("attempt 1", "attempt 1");
        // far less than the 120 s comm timeout: the waiting task saw the cancel
        assertThat((System.nanoTime() - t) / 1e9).isLessThan(90);
    }

    @Test
    void moreWorkersThanSlotsAreRefusedAtOnce() {
        long t = System.nanoTime();
        assertThatThrownBy(() -> BarrierJob.run(jsc, 3, Duration.ofSeconds(5), (ring, attempt) -> "x"))
                .isInstanceOf(BarrierJob.Refused.class).hasMessageContaining("--workers 3 needs 3 free task slots")
                .hasMessageContaining("has 2");
        assertThat((System.nanoTime() - t) / 1e9).isLessThan(30);
    }

    @Test
    void expectedSlotsReadTheMasterUrl() {
        assertThat(BarrierJob.expectedSlots("local[3]")).isEqualTo(3);
        assertThat(BarrierJob.expectedSlots("local-cluster[2,1,512]")).isEqualTo(2);
        assertThat(BarrierJob.expectedSlots("spark://127.0.0.1:7077")).isEqualTo(Integer.MAX_VALUE);
    }
}
