package org.jresnet.spark.cluster;

import java.io.Serializable;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.scheduler.BarrierJobAllocationFailed$;
import org.jresnet.spark.comm.CommOptions;
import org.jresnet.spark.comm.Ring;
import org.jresnet.spark.comm.RingListener;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * One long-running barrier stage with one task per worker, the ring set up once per attempt
 * ({@code allGather} costs ≥ 1 s, so never per step), then the caller's {@link Worker} body.
 *
 * <p>A shuffle follows the stage ({@code repartition(1)}): Spark does not retry a barrier stage
 * that ends the job, but relaunches one whose output feeds a shuffle, so a killed executor makes
 * every task start again (from the last checkpoint, in training).
 */
public final class BarrierJob {
    /** What each task runs once its ring is up; its result comes back to the driver by rank. */
    public interface Worker extends Serializable {
        String run(Ring ring, int attempt) throws Exception;
    }

    /** As {@link Worker}, for a stage over data: the task also gets its partition (rank r: partition r). */
    public interface PartitionWorker<T> extends Serializable {
        String run(Ring ring, int attempt, Iterator<T> partition) throws Exception;
    }

    /** Raised on the driver for a job that cannot run: one line for the user. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) { super(message); }
    }

    private BarrierJob() {}

    /**
     * Refuses at once what Spark would refuse only after minutes of retries (more workers than
     * slots) or only on a real cluster (dynamic allocation, which barrier stages do not support).
     */
    public static void checkCanRun(SparkContext sc, int workers, Duration registrationWait) throws InterruptedException {
        checkConf(sc.conf());
        long deadline = System.nanoTime() + registrationWait.toNanos();
        int slots;
        // Executors of local-cluster and standalone register a few seconds after the context starts.
        int expected = expectedSlots(sc.master());
        while ((slots = sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile())) < workers
                && slots < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        if (slots < workers) {
            throw new Refused(String.format("--workers %d needs %d free task slots; the cluster (%s) has %d",
                    workers, workers, sc.master(), slots));
        }
    }

    /**
     * Refuses dynamic allocation with Spark's own reason, before a context starts executors. Spark
     * refuses it only when the job is submitted, and ignores the setting on local masters.
     */
    public static void checkConf(SparkConf conf) {
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new Refused("spark.dynamicAllocation.enabled is true: "
                    + BarrierJobAllocationFailed$.MODULE$.ERROR_MESSAGE_RUN_BARRIER_WITH_DYN_ALLOCATION());
        }
    }

    /** Slots a master URL promises (local[N], local-cluster[N,C,MB]); unbounded when the URL does not say. */
    static int expectedSlots(String master) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]").matcher(master);
        if (m.matches()) return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
        m = java.util.regex.Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,.*]").matcher(master);
        if (m.matches()) return Integer.parseInt(m.group(1)) * Integer.parseInt(m.group(2));
        return Integer.MAX_VALUE;
    }

    /** Runs {@code worker} on {@code workers} barrier tasks; returns their results by rank. */
    public static List<String> run(JavaSparkContext jsc, int workers, Duration commTimeout, Worker worker)
            throws InterruptedException {
        JavaRDD<Integer> ranks = jsc.parallelize(new ArrayList<>(IntStream.range(0, workers).boxed().toList()), workers);
        return run(ranks.rdd(), workers, commTimeout, (ring, attempt, ignored) -> worker.run(ring, attempt));
    }

    /**
     * Runs {@code worker} on one barrier task per partition of {@code data}, which must have
     * {@code workers} partitions; returns the tasks' results by rank (= partition).
     */
    public static <T> List<String> run(RDD<T> data, int workers, Duration commTimeout, PartitionWorker<T> worker)
            throws InterruptedException {
        if (data.getNumPartitions() != workers) {
            throw new IllegalArgumentException("a barrier stage of " + workers + " workers needs " + workers
                    + " partitions, got " + data.getNumPartitions());
        }
        checkCanRun(data.sparkContext(), workers, Duration.ofSeconds(60));
        RDD<String> out = data.barrier().mapPartitions(new Task<>(worker, commTimeout), false,
                ClassTag$.MODULE$.apply(String.class));
        List<String> results = new ArrayList<>(new JavaRDD<>(out, ClassTag$.MODULE$.apply(String.class))
                .repartition(1).collect());
        // results are "rank\tvalue"; the shuffle does not keep the order
        results.sort((a, b) -> Integer.compare(Integer.parseInt(a.substring(0, a.indexOf('\t'))),
                Integer.parseInt(b.substring(0, b.indexOf('\t')))));
        List<String> values = new ArrayList<>();
        for (String r : results) values.add(r.substring(r.indexOf('\t') + 1));
        return values;
    }

    /** The barrier task: listen, exchange addresses once, connect the ring, run the body. */
    private static final class Task<T> extends AbstractFunction1<scala.collection.Iterator<T>, scala.collection.Iterator<String>>
            implements Serializable {
        private final PartitionWorker<T> worker;
        private final Duration commTimeout;

        Task(PartitionWorker<T> worker, Duration commTimeout) {
            this.worker = worker;
            this.commTimeout = commTimeout;
        }

        @Override public scala.collection.Iterator<String> apply(scala.collection.Iterator<T> partition) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            // Bind where Spark advertises this executor (127.0.0.1 here, the node's address on a cluster).
            String host = SparkEnv.get().blockManager().blockManagerId().host();
            try (RingListener listener = RingListener.open(InetAddress.getByName(host))) {
                List<String> addresses = Arrays.asList(ctx.allGather(listener.address()));
                long session = ((long) ctx.stageId() << 32) | ctx.stageAttemptNumber();
                CommOptions opts = new CommOptions(commTimeout, ctx::isInterrupted);
                try (Ring ring = listener.connect(rank, addresses, session, opts)) {
                    String result = rank + "\t" + worker.run(ring, ctx.stageAttemptNumber(), JavaConverters.asJavaIterator(partition));
                    Iterator<String> it = List.of(result).iterator();
                    return JavaConverters.asScalaIterator(it);
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new RuntimeException("rank " + rank + ": " + e.getMessage(), e);
            }
        }
    }
}
