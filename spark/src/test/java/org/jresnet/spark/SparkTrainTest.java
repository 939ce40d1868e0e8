package org.jresnet.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.JavaSparkContext;
import org.jresnet.cli.TrainArgs;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.io.ModelFiles;
import org.jresnet.spark.cluster.BarrierJobTest;
import org.jresnet.spark.cluster.Loopback;
import org.jresnet.spark.train.Equivalence;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.TrainingRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Equivalence of {@code spark train} with one machine on local-cluster[2,1,...] (one shared
 * context): a tiny ImageFolder (2 classes, 8x8 images), ResNet-20, one epoch of 4 steps at batch 8.
 */
@Timeout(600)
class SparkTrainTest {
    private static JavaSparkContext jsc;
    @TempDir static Path tmp;
    private static Path data;

    @BeforeAll
    static void start() throws IOException {
        data = tmp.resolve("data");
        SplittableRandom r = new SplittableRandom(11);
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("a", "b")) {
                Path d = Files.createDirectories(data.resolve(split).resolve(cls));
                for (int i = 0; i < (split.equals("train") ? 16 : 4); i++) {
                    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) img.setRGB(x, y, r.nextInt(1 << 24));
                    ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
                }
            }
        }
        String jar = System.getProperty("jresnet.spark.jar");
        jsc = new JavaSparkContext(Loopback.conf("local-cluster[2,1,768]", "SparkTrainTest")
                .set("spark.jars", jar + "," + BarrierJobTest.testClassesJar())
                .set("spark.executor.memory", "512m")
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

    private static Map<String, float[]> onSpark(String name, int workers, String... extra) throws Exception {
        Path out = tmp.resolve(name);
        List<String> a = new ArrayList<>(List.of("--workers", Integer.toString(workers)));
        a.addAll(List.of(extra));
        a.addAll(common(out));
        TrainCommand cmd = new TrainCommand();
        new CommandLine(cmd).parseArgs(a.toArray(String[]::new));
        String summary = cmd.train(jsc, cmd.taskArgs(1));
        assertThat(summary).contains("test top-1");
        assertThat(out.resolve("metrics.jsonl")).exists();
        return weights(out.resolve("model.safetensors"));
    }

    private static Map<String, float[]> oneMachine(String name, String... extra) throws Exception {
        Path out = tmp.resolve(name);
        List<String> a = common(out);
        a.addAll(List.of(extra));
        try (Engine e = Engine.create(EngineConfig.defaults().withThreads(1)); Engine.Scope s = e.bind()) {
            TrainArgs.Parsed p = TrainArgs.parse(a.toArray(String[]::new));
            TrainingRun.start(p.config(), TrainingRun.Data.open(p.config(), true), new ProgressReporter(ProgressReporter.Mode.QUIET), null);
        }
        return weights(out.resolve("model.safetensors"));
    }

    private static Map<String, float[]> weights(Path f) throws IOException {
        Map<String, float[]> m = new LinkedHashMap<>();
        ModelFiles.load(f).model().parameters().forEach((k, p) -> m.put(k, p.value().toArray()));
        return m;
    }

    private static double worst(Map<String, float[]> got, Map<String, float[]> want) {
        double w = 0;
        for (String k : want.keySet()) w = Math.max(w, Equivalence.relativeL2(got.get(k), want.get(k)));
        return w;
    }

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
}
