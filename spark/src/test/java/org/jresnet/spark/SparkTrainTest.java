package org.jresnet.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.jresnet.cli.Main;
import org.jresnet.cli.TrainArgs;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.TensorData;
import org.jresnet.spark.cluster.BarrierJob;
import org.jresnet.spark.cluster.BarrierJobTest;
import org.jresnet.spark.cluster.Loopback;
import org.jresnet.spark.cluster.StandaloneCluster;
import org.jresnet.spark.train.Equivalence;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.RunFiles;
import org.jresnet.train.RunLock;
import org.jresnet.train.RunState;
import org.jresnet.train.Trainer;
import org.jresnet.train.TrainingRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code spark train} against one machine, on local-cluster[2,1,...] (one shared context; the
 * standalone test, last, replaces it with a standalone master and 2 workers): a tiny ImageFolder
 * (2 classes, 8x8 images), ResNet-20. Equivalence (a)-(c): one epoch of 4 steps at batch 8. Faults,
 * cross resume and the standalone cluster share run R: 3 epochs of 4 steps, a checkpoint every 3
 * iterations (so 3, 6 and 9 are mid-epoch), 2 workers of 1 thread; its uninterrupted result on
 * local-cluster is computed once.
 *
 * <p>Training this random-noise data amplifies tiny differences: one process whose weights get
 * 1e-6 relative noise at iteration 4 ends R 2e-2 to 4e-2 (relative L2) away in half of the seeds
 * tried, 1e-7 noise about 3e-6 away (ReLU units near zero change sides). So Spark's R and one
 * machine's R, within 1e-5 of each other after 4 steps (b), end about 1e-1 apart, the summation
 * orders' 1e-5 difference at iteration 8 having crossed such a threshold (one machine continuing
 * Spark's iteration-8 state ends within 2e-7 of Spark's R). A resumed run is compared with the
 * uninterrupted run of the machine it started on; every run here is deterministic, so for a given
 * resume iteration its difference is too.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkTrainTest {
    /** Pause after each step while a test stops or kills a run mid-epoch: R takes 12 steps. */
    private static final int STEP_DELAY_MS = 300;
    private static JavaSparkContext jsc;
    @TempDir static Path tmp;
    private static Path data;
    private static Path refSpark, refOne;

    @BeforeAll
    static void start() throws IOException {
        data = NoiseImageFolder.write(tmp.resolve("data"), 11, 16, 4);
        jsc = context("local-cluster[2,1,768]");
    }

    private static JavaSparkContext context(String master) throws IOException {
        String jar = System.getProperty("jresnet.spark.jar");
        return new JavaSparkContext(Loopback.conf(master, "SparkTrainTest")
                .set("spark.jars", jar + "," + BarrierJobTest.testClassesJar())
                .set("spark.executor.memory", "512m")
                .set("spark.executor.cores", "1")
                .set("spark.executor.extraJavaOptions", "-XX:+UseSerialGC"));
    }

    @AfterAll
    static void stop() {
        if (jsc != null) jsc.stop();
    }

    private static List<String> common(Path out) {
        return new ArrayList<>(List.of("--data", data.toString(), "--model", "resnet20", "--epochs", "1", "--batch", "8",
                "--lr", "0.05", "--warmup", "0", "--seed", "3", "--quiet", "--out", out.toString()));
    }

    /** Run R's options (without --quiet). */
    private static List<String> runR(Path out) {
        return new ArrayList<>(List.of("--data", data.toString(), "--model", "resnet20", "--epochs", "3", "--batch", "8",
                "--lr", "0.05", "--warmup", "0", "--seed", "3", "--ckpt-every", "3", "--out", out.toString()));
    }

    private static TrainCommand command(List<String> args) {
        TrainCommand cmd = new TrainCommand();
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        return cmd;
    }

    /** {@code spark train} with {@code args} on the shared context; rank 0's summary. */
    private static String spark(TrainCommand cmd) throws Exception {
        return cmd.run(1, a -> cmd.train(jsc, a));
    }

    private static String spark(List<String> args) throws Exception {
        return spark(command(args));
    }

    private static Map<String, float[]> onSpark(String name, int workers, String... extra) throws Exception {
        Path out = tmp.resolve(name);
        List<String> a = new ArrayList<>(List.of("--workers", Integer.toString(workers)));
        a.addAll(List.of(extra));
        a.addAll(common(out));
        assertThat(spark(a)).contains("test top-1");
        assertThat(out.resolve("metrics.jsonl")).exists();
        return weights(out);
    }

    /** One process on one thread; {@code listener} may crash it. */
    private static void oneMachine(List<String> args, Trainer.Listener listener) throws Exception {
        try (Engine e = Engine.create(EngineConfig.defaults().withThreads(1)); Engine.Scope s = e.bind()) {
            TrainArgs.Parsed p = TrainArgs.parse(args.toArray(String[]::new));
            TrainingRun.start(p.config(), TrainingRun.Data.open(p.config(), true),
                    new ProgressReporter(ProgressReporter.Mode.QUIET), listener);
        }
    }

    private static Map<String, float[]> oneMachine(String name, String... extra) throws Exception {
        Path out = tmp.resolve(name);
        List<String> a = common(out);
        a.addAll(List.of(extra));
        oneMachine(a, null);
        return weights(out);
    }

    /** A run folder's final parameters. */
    private static Map<String, float[]> weights(Path run) throws IOException {
        Map<String, float[]> m = new LinkedHashMap<>();
        ModelFiles.load(run.resolve("model.safetensors")).model().parameters().forEach((k, p) -> m.put(k, p.value().toArray()));
        return m;
    }

    private static double worst(Map<String, float[]> got, Map<String, float[]> want) {
        double w = 0;
        for (String k : want.keySet()) w = Math.max(w, Equivalence.relativeL2(got.get(k), want.get(k)));
        return w;
    }

    /** Every tensor of the two runs' model files (parameters and BN buffers) bit for bit; returns how many. */
    private static int assertBitIdentical(Path run, Path ref) throws IOException {
        SafeTensorsFile a = SafeTensors.read(ref.resolve("model.safetensors"));
        SafeTensorsFile b = SafeTensors.read(run.resolve("model.safetensors"));
        assertThat(b.tensors().keySet()).isEqualTo(a.tensors().keySet());
        for (Map.Entry<String, TensorData> e : a.tensors().entrySet()) {
            TensorData x = e.getValue(), y = b.tensors().get(e.getKey());
            if (x.floats() != null) assertThat(y.floats()).as(e.getKey()).containsExactly(x.floats());
            else assertThat(y.longs()).as(e.getKey()).containsExactly(x.longs());
        }
        return a.tensors().size();
    }

    /** Run R uninterrupted on local-cluster, 2 workers (once). */
    private static synchronized Path refSpark() throws Exception {
        if (refSpark == null) {
            Path out = tmp.resolve("r-spark");
            List<String> a = runR(out);
            a.add("--quiet");
            assertThat(spark(a)).contains("test top-1");
            refSpark = out;
        }
        return refSpark;
    }

    /** Run R uninterrupted on one machine with --micro-batches 2 (once). */
    private static synchronized Path refOne() throws Exception {
        if (refOne == null) {
            Path out = tmp.resolve("r-one");
            List<String> a = runR(out);
            a.addAll(List.of("--micro-batches", "2", "--quiet"));
            oneMachine(a, null);
            refOne = out;
        }
        return refOne;
    }

    /** The state of the run's checkpoint, or null when there is none (or it is being replaced). */
    private static RunState checkpointState(Path run) {
        if (!Files.exists(run.resolve("checkpoint.safetensors"))) return null;
        try {
            return RunFiles.readCheckpoint(run).state();
        } catch (IOException racing) {
            return null;
        }
    }

    /** Waits for a mid-epoch checkpoint of epoch >= {@code epoch} while {@code job} runs; its state. */
    private static RunState awaitMidEpochCheckpoint(Path run, int epoch, Future<?> job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            if (job.isDone()) {
                job.get();
                throw new AssertionError("the run ended before a mid-epoch checkpoint of epoch " + epoch
                        + " was seen (checkpoint: " + checkpointState(run) + ")");
            }
            RunState s = checkpointState(run);
            if (s != null && s.epoch() >= epoch && s.batchInEpoch() > 0) return s;
            Thread.sleep(20);
        }
        throw new AssertionError("no mid-epoch checkpoint of epoch " + epoch + " in " + run);
    }

    /** What a CLI wrote to stderr, and its exit code. */
    private record Captured(int code, String err) {
        static Captured of(IntSupplier cli) {
            PrintStream old = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                int code = cli.getAsInt();
                return new Captured(code, err.toString(StandardCharsets.UTF_8));
            } finally {
                System.setErr(old);
            }
        }

        String lastLine() {
            String[] l = err.strip().split("\n");
            return l[l.length - 1];
        }
    }

    /** Lines written to it, each with the time it ended. */
    private static final class Lines extends OutputStream {
        record Line(long nanos, String text) {}

        private final List<Line> lines = new ArrayList<>();
        private final ByteArrayOutputStream cur = new ByteArrayOutputStream();

        @Override public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(new Line(System.nanoTime(), cur.toString(StandardCharsets.UTF_8)));
                cur.reset();
            } else {
                cur.write(b);
            }
        }

        synchronized List<Line> lines() { return List.copyOf(lines); }
    }

    /** Which executor runs each barrier task (by rank), and the stage attempts seen. */
    private static final class Placement extends SparkListener {
        final Map<Integer, String> executorOfRank = new ConcurrentHashMap<>();
        final AtomicInteger maxStageAttempt = new AtomicInteger();

        @Override public void onTaskStart(SparkListenerTaskStart e) {
            executorOfRank.put(e.taskInfo().index(), e.taskInfo().executorId());
        }

        @Override public void onStageSubmitted(SparkListenerStageSubmitted e) {
            maxStageAttempt.accumulateAndGet(e.stageInfo().attemptNumber(), Math::max);
        }
    }

    /** The JVM of executor {@code id} of this application: local-cluster launches it as a child of this JVM. */
    private static ProcessHandle executorJvm(String appId, String id) {
        return ProcessHandle.current().descendants().filter(h -> {
            List<String> a = Arrays.asList(h.info().arguments().orElse(new String[0]));
            int i = a.indexOf("--executor-id");
            return a.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend") && a.contains(appId)
                    && i >= 0 && i + 1 < a.size() && a.get(i + 1).equals(id);
        }).findFirst().orElseThrow(() -> new AssertionError("no JVM for executor " + id + " of " + appId));
    }

    private static void copyRun(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.filter(f -> !f.getFileName().toString().equals(RunLock.FILE)).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    // ---- equivalence with one machine ----

    @Test
    void oneWorkerIsBitIdenticalToOneMachine() throws Exception {
        Map<String, float[]> spark = onSpark("a-spark", 1), one = oneMachine("a-one");
        for (String k : one.keySet()) assertThat(spark.get(k)).as(k).containsExactly(one.get(k));
    }

    @Test
    void twoWorkersEqualOneMachineWithTwoMicroBatches() throws Exception {
        Map<String, float[]> spark = onSpark("b-spark", 2), one = oneMachine("b-one", "--micro-batches", "2");
        double w = worst(spark, one);
        System.out.printf("equivalence (b): worst relative L2 over tensors %.3e%n", w);
        assertThat(w).isLessThan(1e-5);
    }

    @Test
    void syncBnWithTwoWorkersEqualsOneMachineOnTheWholeBatch() throws Exception {
        Map<String, float[]> spark = onSpark("c-spark", 2, "--sync-bn"), one = oneMachine("c-one");
        double w = worst(spark, one);
        System.out.printf("equivalence (c): worst relative L2 over tensors %.3e%n", w);
        assertThat(w).isLessThan(1e-4);
    }

    // ---- faults and the run folder's lock ----

    /**
     * SIGKILL of the executor JVM running rank 0 in the middle of epoch 2 or 3, after a checkpoint:
     * Spark relaunches the stage, both ranks resume from that checkpoint, and the run ends with
     * R's uninterrupted weights bit for bit. While Spark recovers, the driver keeps the run folder
     * locked: a second run on it, on Spark or one machine, is refused at once.
     */
    @Test
    void aKilledExecutorRelaunchesTheRunFromItsLastCheckpointToTheSameWeights() throws Exception {
        Path ref = refSpark(), out = tmp.resolve("fault");
        List<String> a = runR(out);
        a.addAll(List.of("--step-delay-ms", Integer.toString(STEP_DELAY_MS)));
        TrainCommand cmd = command(a);
        Lines progress = new Lines();
        cmd.progressOut = new PrintStream(progress, true, StandardCharsets.UTF_8);
        Placement placement = new Placement();
        jsc.sc().addSparkListener(placement);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> job = pool.submit(() -> spark(cmd));
            RunState before = awaitMidEpochCheckpoint(out, 2, job);
            Thread.sleep(STEP_DELAY_MS * 3 / 2);   // past the checkpoint: its next step is lost with the JVM
            RunState atKill = checkpointState(out);
            assertThat(atKill).as("no further checkpoint before the kill").isEqualTo(before);
            String executor = placement.executorOfRank.get(0);
            ProcessHandle jvm = executorJvm(jsc.sc().applicationId(), executor);
            long killed = System.nanoTime();
            assertThat(jvm.destroyForcibly()).isTrue();   // SIGKILL

            // while Spark relaunches the stage the run is alive and its folder locked
            assertThat(RunLock.isHeld(out)).isTrue();
            long t = System.nanoTime();
            TrainCommand second = command(List.of("--resume", out.toString(), "--quiet"));
            assertThatThrownBy(() -> second.run(1, x -> { throw new AssertionError("a second run started"); }))
                    .hasMessageContaining("is in use by another training");
            Captured core = Captured.of(() -> Main.execute("train", "--resume", out.toString(), "--quiet", "--threads", "1"));
            assertThat(core.code()).as(core.err()).isNotZero();
            assertThat(core.lastLine()).contains("is in use by another training");
            double refusedS = (System.nanoTime() - t) / 1e9;

            String summary = job.get(300, TimeUnit.SECONDS);
            long done = System.nanoTime();
            assertThat(summary).contains("test top-1");
            assertThat(RunLock.isHeld(out)).as("released at the end").isFalse();
            assertThat(placement.maxStageAttempt.get()).as("the stage was relaunched").isGreaterThanOrEqualTo(1);
            Pattern resumed = Pattern.compile("resuming .* at epoch (\\d+), iteration (\\d+)");
            Lines.Line resumeLine = progress.lines().stream().filter(l -> resumed.matcher(l.text()).find()).findFirst()
                    .orElseThrow(() -> new AssertionError("no resume in the progress: " + progress.lines()));
            Matcher m = resumed.matcher(resumeLine.text());
            assertThat(m.find()).isTrue();
            assertThat(Long.parseLong(m.group(2))).as("resumed from the checkpoint before the kill").isEqualTo(before.iteration());
            int tensors = assertBitIdentical(out, ref);
            System.out.printf("fault: SIGKILL of executor %s (rank 0, pid %d) after the checkpoint at epoch %d, iteration %d;"
                    + " rank 0 resumed there %.1f s after the kill, job finished %.1f s after it (%d steps of %d ms delay"
                    + " still to run); %d tensors bit-identical to the uninterrupted run; second runs refused in %.2f s%n",
                    executor, jvm.pid(), before.epoch(), before.iteration(), (resumeLine.nanos() - killed) / 1e9,
                    (done - killed) / 1e9, 12 - before.iteration(), STEP_DELAY_MS, tensors, refusedS);
        } finally {
            pool.shutdownNow();
            jsc.sc().removeSparkListener(placement);
        }
    }

    @Test
    void aRunFolderAnotherTrainingHoldsIsRefusedAtOnce() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("held"));
        try (RunLock other = RunLock.acquire(out)) {
            long t = System.nanoTime();
            List<String> a = common(out);
            a.addAll(List.of("--master", "local[2]"));   // never started: the lock comes first
            Captured c = Captured.of(() -> SparkMain.execute(Stream.concat(Stream.of("train"), a.stream()).toArray(String[]::new)));
            assertThat(c.code()).as(c.err()).isEqualTo(1);
            assertThat(c.lastLine()).startsWith("jresnet spark: ").contains("is in use by another training");
            assertThat((System.nanoTime() - t) / 1e9).isLessThan(10);
        }
        assertThat(out.resolve("checkpoint.safetensors")).doesNotExist();
    }

    @Test
    void dynamicAllocationIsRefusedWithSparksReason() {
        Path out = tmp.resolve("dyn");
        List<String> a = new ArrayList<>(List.of("train", "--master", "local-cluster[2,1,768]"));
        a.addAll(common(out));
        // as spark-submit --conf passes it (and bin/jresnet with JRESNET_JAVA_OPTS=-D...)
        System.setProperty("spark.dynamicAllocation.enabled", "true");
        Captured c;
        try {
            c = Captured.of(() -> SparkMain.execute(a.toArray(String[]::new)));
        } finally {
            System.clearProperty("spark.dynamicAllocation.enabled");
        }
        assertThat(c.code()).isEqualTo(1);
        assertThat(c.err().strip()).doesNotContain("\n")
                .startsWith("jresnet spark: spark.dynamicAllocation.enabled is true: [SPARK-24942]: Barrier execution mode"
                        + " does not support dynamic resource allocation");
        assertThat(out).doesNotExist();
    }

    @Test
    void moreWorkersThanSlotsAreRefusedAtOnceAndLeaveNoRunFolder() {
        Path out = tmp.resolve("three");
        List<String> a = new ArrayList<>(List.of("--workers", "3"));
        a.addAll(common(out));
        a.addAll(List.of("--batch", "12"));
        long t = System.nanoTime();
        assertThatThrownBy(() -> spark(a)).isInstanceOf(BarrierJob.Refused.class)
                .hasMessageContaining("--workers 3 needs 3 free task slots").hasMessageContaining("has 2");
        assertThat((System.nanoTime() - t) / 1e9).isLessThan(60);
        assertThat(out).doesNotExist();
    }

    // ---- a run moves between Spark and one machine ----

    /** R on Spark stopped (its job cancelled) in epoch 2 or 3, finished by jresnet train --resume. */
    @Test
    void aSparkCheckpointResumesOnOneMachine() throws Exception {
        Path ref = refSpark(), out = tmp.resolve("spark-to-one");
        List<String> a = runR(out);
        a.addAll(List.of("--quiet", "--step-delay-ms", Integer.toString(STEP_DELAY_MS)));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> job = pool.submit(() -> spark(a));
            // the tasks stop a step or two later (when the cancel reaches them): from checkpoint 6, 8 or 9
            awaitMidEpochCheckpoint(out, 2, job);
            jsc.cancelAllJobs();
            assertThatThrownBy(() -> job.get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        } finally {
            pool.shutdownNow();
        }
        // a cancelled task ends at its next poll of the ring; only then is the checkpoint final
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (Arrays.stream(jsc.sc().statusTracker().getExecutorInfos()).anyMatch(e -> e.numRunningTasks() > 0)) {
            assertThat(System.nanoTime()).as("tasks still running").isLessThan(deadline);
            Thread.sleep(100);
        }
        RunFiles.Resumed stopped = RunFiles.readCheckpoint(out);
        assertThat(TrainingRun.isComplete(stopped)).isFalse();
        assertThat(stopped.config().run().microBatches()).isEqualTo(2);
        assertThat(RunFiles.workers(stopped)).isEqualTo(2);

        Captured one = Captured.of(() -> Main.execute("train", "--resume", out.toString(), "--quiet", "--threads", "1"));
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(one.err()).contains("2 data-parallel workers wrote this checkpoint", "--micro-batches 2");
        double w = worst(weights(out), weights(ref));
        System.out.printf("cross resume Spark -> one machine (from iteration %d of 12): worst relative L2 %.3e%n",
                stopped.state().iteration(), w);
        assertThat(w).isLessThan(1e-5);
    }

    /** R on one machine with --micro-batches 2, crashed after its checkpoint at iteration 6, finished by spark train --resume. */
    @Test
    void aOneMachineCheckpointResumesOnSpark() throws Exception {
        Path ref = refOne(), out = tmp.resolve("one-to-spark");
        List<String> a = runR(out);
        a.addAll(List.of("--micro-batches", "2", "--quiet"));
        Trainer.Listener crash = new Trainer.Listener() {
            @Override public void stepDone(RunState s) {
                if (s.iteration() == 7) throw new IllegalStateException("crash after iteration 7");
            }
        };
        assertThatThrownBy(() -> oneMachine(a, crash)).hasMessageContaining("crash after iteration 7");
        assertThat(RunFiles.readCheckpoint(out).state().iteration()).isEqualTo(6);

        assertThat(spark(List.of("--workers", "2", "--resume", out.toString(), "--quiet"))).contains("test top-1");
        assertThat(RunFiles.workers(RunFiles.readCheckpoint(out))).isEqualTo(2);
        double w = worst(weights(out), weights(ref));
        System.out.printf("cross resume one machine -> Spark (from iteration 6 of 12): worst relative L2 %.3e;"
                + " Spark R vs one machine R: %.3e%n", w, worst(weights(refSpark()), weights(ref)));
        assertThat(w).isLessThan(1e-5);
    }

    /** --resume with --lr and --epochs on Spark: recorded in metrics.jsonl and applied as on one machine. */
    @Test
    void resumeWithChangesOnSparkIsRecordedAndAppliedAsOnOneMachine() throws Exception {
        Path ref = refSpark(), onSpark = tmp.resolve("changed-spark"), onOne = tmp.resolve("changed-one");
        copyRun(ref, onSpark);
        copyRun(ref, onOne);
        Captured complete = Captured.of(() -> SparkMain.execute("train", "--master", "local[2]", "--resume",
                onSpark.toString(), "--lr", "0.01"));
        assertThat(complete.code()).isEqualTo(2);
        assertThat(complete.lastLine()).contains("is complete (3 epochs): --lr changes nothing");

        assertThat(spark(List.of("--resume", onSpark.toString(), "--epochs", "4", "--lr", "0.02", "--quiet"))).contains("test top-1");
        Captured one = Captured.of(() -> Main.execute("train", "--resume", onOne.toString(), "--epochs", "4", "--lr", "0.02",
                "--quiet", "--threads", "1"));
        assertThat(one.code()).as(one.err()).isZero();

        ObjectMapper json = new ObjectMapper();
        for (Path run : List.of(onSpark, onOne)) {
            List<JsonNode> events = new ArrayList<>();
            for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) {
                JsonNode n = json.readTree(l);
                if (n.has("event")) events.add(n);
            }
            assertThat(events).as(run.toString()).hasSize(1);
            JsonNode e = events.get(0);
            assertThat(e.get("event").asText()).isEqualTo("resumed_with_changes");
            assertThat(e.get("iteration").asLong()).isEqualTo(12);
            assertThat(e.get("lr").get("from").asDouble()).isEqualTo(0.05);
            assertThat(e.get("lr").get("to").asDouble()).isEqualTo(0.02);
            assertThat(e.get("epochs").get("from").asInt()).isEqualTo(3);
            assertThat(e.get("epochs").get("to").asInt()).isEqualTo(4);
            assertThat(Files.readAllLines(run.resolve("metrics.csv"))).hasSize(5);
        }
        double w = worst(weights(onSpark), weights(onOne));
        System.out.printf("resume with --epochs 4 --lr 0.02: Spark vs one machine worst relative L2 %.3e%n", w);
        assertThat(w).isLessThan(1e-5);
    }

    // ---- a standalone cluster (last: it replaces the shared local-cluster context) ----

    @Test
    @Order(Integer.MAX_VALUE)
    void aStandaloneMasterWithTwoWorkersTrainsAsLocalCluster() throws Exception {
        Path ref = refSpark(), out = tmp.resolve("standalone");
        jsc.stop();
        jsc = null;
        try (StandaloneCluster cluster = StandaloneCluster.start(2, 1, "1g", Files.createDirectories(tmp.resolve("cluster")))) {
            jsc = context(cluster.masterUrl());
            try {
                List<String> a = runR(out);
                a.add("--quiet");
                assertThat(spark(a)).contains("test top-1");
            } finally {
                jsc.stop();
                jsc = null;
            }
        }
        int tensors = assertBitIdentical(out, ref);
        System.out.printf("standalone master + 2 workers: %d tensors bit-identical to local-cluster%n", tensors);
    }
}
