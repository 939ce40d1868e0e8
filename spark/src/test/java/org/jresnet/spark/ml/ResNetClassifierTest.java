package org.jresnet.spark.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jresnet.spark.cluster.Loopback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training Estimator on local-cluster[2,1,1024] (two executor JVMs, so two barrier workers
 * with a ring between JVMs), one session for every test. Data: three classes of the sample zip
 * (airplane, automobile, frog), about 100 training images each.
 */
@Timeout(600)
class ResNetClassifierTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path ZIP = REPO.resolve("data/cifar10-sample.zip");
    static final Path WEIGHTS = REPO.resolve("models/resnet20-cifar10.safetensors");
    static final String[] CLASSES = {"airplane", "automobile", "frog"};

    @TempDir static Path tmp;
    static SparkSession spark;
    static Dataset<Row> train, test;
    private static PipelineModel fitted;
    private static double fitSeconds;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().config(Loopback.conf("local-cluster[2,1,1024]", "ResNetClassifierTest")
                .set("spark.jars", System.getProperty("jresnet.spark.jar"))
                .set("spark.executor.memory", "512m")
                .set("spark.sql.shuffle.partitions", "4")
                .set("spark.executor.extraJavaOptions", "-XX:+UseSerialGC")).getOrCreate();
        Dataset<Row> images = ImageFiles.read(spark, ZIP.toString())
                .withColumn("class", element_at(split(col("path"), "/"), -2))
                .filter(col("class").isin((Object[]) CLASSES));
        // cached: every fit of the same DataFrame sees the same partitions in the same order
        train = images.filter(col("path").contains("!/train/")).sample(0.2, 1).cache();
        test = images.filter(col("path").contains("!/test/")).cache();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static Pipeline pipeline(Supplier<ResNetClassifier> clf) {
        return new Pipeline().setStages(new PipelineStage[] {
                new StringIndexer().setInputCol("class").setOutputCol("label"), clf.get()});
    }

    static ResNetClassifier small() {
        return new ResNetClassifier().setArchitecture("resnet20").setWorkers(2).setThreads(1).setEpochs(8)
                .setBatchSize(32).setLr(0.05).setSeed(1);
    }

    /** The pipeline every test shares, fitted once. */
    static synchronized PipelineModel fitted() {
        if (fitted == null) {
            long t0 = System.nanoTime();
            fitted = pipeline(ResNetClassifierTest::small).fit(train);
            fitSeconds = (System.nanoTime() - t0) / 1e9;
        }
        return fitted;
    }

    static double accuracy(PipelineModel m, Dataset<Row> d) {
        return m.transform(d).filter("prediction = label").count() / (double) d.count();
    }

    @Test
    void trainsInAPipelineAfterAStringIndexerAndConverges() {
        PipelineModel m = fitted();
        ResNetClassificationModel model = (ResNetClassificationModel) m.stages()[1];
        ResNetTrainingSummary s = model.summary();
        double[] loss = s.trainLoss();
        double trainAcc = accuracy(m, train), testAcc = accuracy(m, test);
        System.out.printf("ResNetClassifier: fit %.1f s (2 workers x 1 thread, %d images each, %d epochs): train loss"
                        + " %.3f (epoch 1) -> %.3f (epoch %d); train accuracy %.3f, held-out %.3f (chance 0.333)%n",
                fitSeconds, s.imagesPerWorker(), s.epochs(), loss[0], loss[loss.length - 1], loss.length, trainAcc, testAcc);
        assertThat(s.workers()).isEqualTo(2);
        assertThat(s.epochs()).isEqualTo(8);
        assertThat((long) s.workers() * s.imagesPerWorker() + s.droppedImages()).isEqualTo(train.count());
        assertThat(s.droppedImages()).isLessThan(4);
        assertThat(loss[loss.length - 1]).isLessThan(0.7 * loss[0]);
        assertThat(s.monitorError()[s.epochs() - 1]).isLessThan(0.5);
        assertThat(trainAcc).isGreaterThan(0.6);
        // the model's class names are the StringIndexer's labels, so predictedLabel names the class
        List<String> labels = List.of(((StringIndexerModel) m.stages()[0]).labelsArray()[0]);
        assertThat(model.classes()).isEqualTo(labels).containsExactlyInAnyOrder(CLASSES);
        assertThat(m.transform(train).filter("predictedLabel = class").count())
                .isEqualTo(m.transform(train).filter("prediction = label").count());
        assertThat(model.parent()).isInstanceOf(ResNetClassifier.class);
    }

    @Test
    void theSameDataFramePartitioningAndSeedGiveTheSameWeightsAndACheckpointFolderChangesNothing() throws IOException {
        ResNetClassificationModel first = (ResNetClassificationModel) fitted().stages()[1];
        Path dir = tmp.resolve("run");
        PipelineModel again = pipeline(() -> small().setCheckpointDir(dir.toString())).fit(train);
        ResNetClassificationModel second = (ResNetClassificationModel) again.stages()[1];
        assertThat(second.weights().bytes()).isEqualTo(first.weights().bytes());
        assertThat(second.summary().trainLoss()).isEqualTo(first.summary().trainLoss());
        assertThat(dir.resolve("checkpoint.safetensors")).exists();
        assertThat(dir.resolve("model.safetensors")).exists();
        assertThat(Files.readAllLines(dir.resolve("metrics.csv"))).hasSize(1 + 8);
        // a folder that holds a run is refused before any training
        assertThatThrownBy(() -> pipeline(() -> small().setCheckpointDir(dir.toString())).fit(train))
                .hasMessageContaining("checkpointDir " + dir + " already holds a run").satisfies(ResNetClassifierTest::oneLine);
    }

    @Test
    void aFittedPipelineSavesAndLoadsAndGivesTheSameOutput() throws IOException {
        PipelineModel m = fitted();
        String dir = tmp.resolve("fitted-pipeline").toString();
        m.save(dir);
        PipelineModel back = PipelineModel.load(dir);
        ResNetClassificationModel model = (ResNetClassificationModel) back.stages()[1];
        assertThat(model.hasSummary()).isFalse();
        assertThat(model.classes()).isEqualTo(((ResNetClassificationModel) m.stages()[1]).classes());
        assertThat(rows(back.transform(test))).isEqualTo(rows(m.transform(test)));
    }

    static List<Row> rows(Dataset<Row> d) {
        return d.select("path", "probability", "prediction", "predictedLabel").orderBy("path").collectAsList();
    }

    @Test
    void anUnfittedPipelineSavesAndLoads() throws IOException {
        ResNetClassifier clf = small().setClassNames(CLASSES).setInitWeights(WEIGHTS.toString()).setHandleInvalid("skip");
        Pipeline p = new Pipeline().setStages(new PipelineStage[] {
                new StringIndexer().setInputCol("class").setOutputCol("label"), clf});
        String dir = tmp.resolve("unfitted-pipeline").toString();
        p.save(dir);
        ResNetClassifier back = (ResNetClassifier) Pipeline.load(dir).getStages()[1];
        assertThat(back.uid()).isEqualTo(clf.uid());
        assertThat(back.getEpochs()).isEqualTo(8);
        assertThat(back.getLr()).isEqualTo(0.05);
        assertThat(back.getWorkers()).isEqualTo(2);
        assertThat(back.getClassNames()).containsExactly(CLASSES);
        assertThat(back.getInitWeights()).isEqualTo(WEIGHTS.toString());
        assertThat(back.getHandleInvalid()).isEqualTo("skip");
        assertThat(back.getCheckpointDir()).isNull();
        assertThat(back.getArchitecture()).isEqualTo("resnet20");
        assertThat(back.getBatchSize()).isEqualTo(32);
        assertThat(back.getSeed()).isEqualTo(1);
        String alone = tmp.resolve("classifier").toString();
        clf.save(alone);
        ResNetClassifier loaded = ResNetClassifier.load(alone);
        assertThat(loaded.uid()).isEqualTo(clf.uid());
        assertThat(loaded.getClassNames()).containsExactly(CLASSES);
        assertThat(loaded.getThreads()).isEqualTo(1);
    }

    @Test
    void trainsFromTheImageSourceStructAndInitialWeightsSkippingAnUnreadableImage() throws IOException {
        Path dir = tmp.resolve("struct");
        extract(dir, 16);
        Files.writeString(dir.resolve("frog_corrupt.jpg"), "not an image");
        Dataset<Row> images = spark.read().format("image").load(dir.toString())
                .withColumn("class", regexp_extract(col("image.origin"), "/([a-z]+)_[^/]*$", 1));
        PipelineModel m = pipeline(() -> new ResNetClassifier().setInputCol("image").setWorkers(2).setThreads(1)
                .setEpochs(3).setBatchSize(8).setLr(0.01).setSeed(2).setInitWeights(WEIGHTS.toString())
                .setHandleInvalid("skip")).fit(images);
        ResNetClassificationModel model = (ResNetClassificationModel) m.stages()[1];
        ResNetTrainingSummary s = model.summary();
        System.out.printf("ResNetClassifier from resnet20-cifar10 on the image struct: loss %s, monitor error %s%n",
                java.util.Arrays.toString(s.trainLoss()), java.util.Arrays.toString(s.monitorError()));
        assertThat(s.skippedImages()).isEqualTo(1);
        assertThat((long) s.workers() * s.imagesPerWorker() + s.droppedImages()).isEqualTo(3 * 16);
        // pretrained weights keep the normalisation they were trained with
        assertThat(model.weights().metadata().normalization())
                .isEqualTo(NetworkWeights.load(WEIGHTS).metadata().normalization());
        assertThat(s.trainLoss()[2]).isLessThan(s.trainLoss()[0]);
        assertThat(model.classes()).hasSize(3);
        List<Row> out = m.transform(images).select("image.origin", "prediction").collectAsList();
        assertThat(out).hasSize(3 * 16);   // the fitted model skips the unreadable row too
    }

    /** {@code perClass} training images of each class from the zip into {@code dir}, named class_file. */
    static void extract(Path dir, int perClass) throws IOException {
        Files.createDirectories(dir);
        try (ZipFile z = new ZipFile(ZIP.toFile())) {
            for (String c : CLASSES) {
                List<? extends ZipEntry> files = z.stream().filter(e -> e.getName().startsWith("train/" + c + "/")).toList();
                for (int i = 0; i < perClass; i++) {
                    ZipEntry e = files.get(i);
                    try (var in = z.getInputStream(e)) {
                        Files.copy(in, dir.resolve(c + "_" + e.getName().substring(e.getName().lastIndexOf('/') + 1)));
                    }
                }
            }
        }
    }

    static void oneLine(Throwable e) {
        assertThat(e.getMessage()).doesNotContain("\n");
    }

    @Test
    void badParamsAndDataAreRefusedInOneLine() throws IOException {
        assertThatThrownBy(() -> new ResNetClassifier().setEpochs(0)).hasMessageContaining("epochs").satisfies(ResNetClassifierTest::oneLine);
        assertThatThrownBy(() -> new ResNetClassifier().setMomentum(1.0)).hasMessageContaining("momentum");
        assertThatThrownBy(() -> new ResNetClassifier().setLr(0)).hasMessageContaining("lr");
        assertThatThrownBy(() -> new ResNetClassifier().setHandleInvalid("keep")).hasMessageContaining("handleInvalid");
        assertThatThrownBy(() -> new ResNetClassifier().setArchitecture("resnet21"))
                .hasMessageContaining("unknown model 'resnet21'").hasMessageContaining("resnet20");

        Dataset<Row> labelled = new StringIndexer().setInputCol("class").setOutputCol("label").fit(train).transform(train);
        List<Object[]> cases = List.of(
                new Object[] {small().setBatchSize(33), labelled, "batchSize 33 does not split into 2 equal worker batches"},
                new Object[] {small().setLabelCol("class"), labelled, "holds strings: index them with a StringIndexer"},
                new Object[] {small().setLabelCol("nope"), labelled, "no label column 'nope'"},
                new Object[] {small().setInputCol("length"), labelled, "input column 'length' is bigint"},
                new Object[] {small().setWorkers(3).setBatchSize(33), labelled, "needs 3 free task slots"},
                new Object[] {small().setInitWeights("/no/such.safetensors"), labelled, "cannot read initWeights /no/such.safetensors"},
                new Object[] {small().setArchitecture("resnet32").setInitWeights(WEIGHTS.toString()), labelled,
                    "hold a resnet20, not the architecture resnet32"},
                new Object[] {small().setClassNames(new String[] {"all"}), labelled, "needs at least two"});
        for (Object[] c : cases) {
            assertThatThrownBy(() -> ((ResNetClassifier) c[0]).fit((Dataset<?>) c[1])).as((String) c[2])
                    .hasMessageContaining((String) c[2]).satisfies(ResNetClassifierTest::oneLine);
        }

        // Data errors found by the workers come back as one line, at once (no relaunched stages).
        Path dir = tmp.resolve("bad");
        extract(dir, 3);
        Files.writeString(dir.resolve("frog_not-an-image.jpg"), "hello");
        Dataset<Row> files = ImageFiles.read(spark, dir.toString());
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> small().setBatchSize(2).setClassNames(CLASSES).fit(files.withColumn("label", lit(1.0))))
                .hasMessageContaining("cannot read image").hasMessageContaining("frog_not-an-image.jpg")
                .satisfies(ResNetClassifierTest::oneLine);
        assertThatThrownBy(() -> small().setBatchSize(2).setClassNames(CLASSES).setHandleInvalid("skip")
                .fit(files.withColumn("label", lit(3.0))))
                .hasMessageContaining("has label 3.0: labels are class indices 0..2 (airplane, automobile, frog)")
                .satisfies(ResNetClassifierTest::oneLine);
        assertThatThrownBy(() -> small().setBatchSize(32).setClassNames(CLASSES).setHandleInvalid("skip")
                .fit(files.withColumn("label", lit(1.0))))
                .hasMessageContaining("9 readable images over 2 workers leave 4 on the smallest, fewer than one worker batch of 16")
                .satisfies(ResNetClassifierTest::oneLine);
        System.out.printf("three refused fits (data errors found by the workers): %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
