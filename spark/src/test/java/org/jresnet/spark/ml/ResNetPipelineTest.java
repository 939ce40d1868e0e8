package org.jresnet.spark.ml;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
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
 * The pipeline stages on local-cluster[2,1,1024]: two executor JVMs, one session for every test
 * (its start-up is most of the cost). Images: a few of data/cifar10-sample.zip, the shipped ResNet-20.
 */
@Timeout(600)
class ResNetPipelineTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path WEIGHTS = REPO.resolve("models/resnet20-cifar10.safetensors");
    static final Path ZIP = REPO.resolve("data/cifar10-sample.zip");

    @TempDir static Path tmp;
    static SparkSession spark;
    static Path images;
    static ResNetClassificationModel classifier;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().config(Loopback.conf("local-cluster[2,1,1024]", "ResNetPipelineTest")
                .set("spark.jars", System.getProperty("jresnet.spark.jar"))
                .set("spark.executor.memory", "512m")
                .set("spark.sql.shuffle.partitions", "4")
                .set("spark.executor.extraJavaOptions", "-XX:+UseSerialGC")).getOrCreate();
        images = tmp.resolve("images");
        extract(images, 24);
        classifier = ResNetClassificationModel.fromWeights(WEIGHTS).setThreads(1).setTopK(10);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    /** The first {@code n} test images of the sample zip (spread over its classes) into {@code dir}. */
    static void extract(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        try (ZipFile z = new ZipFile(ZIP.toFile())) {
            List<? extends ZipEntry> test = z.stream().filter(e -> e.getName().startsWith("test/") && !e.isDirectory()).toList();
            for (int i = 0; i < n; i++) {
                ZipEntry e = test.get(i * test.size() / n);
                Path f = dir.resolve(e.getName().replace('/', '_'));
                try (var in = z.getInputStream(e)) {
                    Files.copy(in, f);
                }
            }
        }
    }

    /** {@code bin/jresnet predict --json} (the core's CLI, in this JVM) on {@code dir}: file to its JSON entry. */
    static Map<String, JsonNode> corePredict(Path dir, String... extra) throws IOException {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("predict", "--json", "--threads", "1", "--top", "10",
                "--weights", WEIGHTS.toString()));
        args.addAll(List.of(extra));
        args.add(dir.toString());
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = org.jresnet.cli.Main.execute(args.toArray(String[]::new));
        } finally {
            System.setOut(old);
        }
        assertThat(code).as("predict exit code").isZero();
        Map<String, JsonNode> byFile = new HashMap<>();
        for (JsonNode n : new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8))) {
            byFile.put(Path.of(n.get("file").asText()).getFileName().toString(), n);
        }
        return byFile;
    }

    static String fileName(String sparkPath) {
        return sparkPath.substring(sparkPath.lastIndexOf('/') + 1);
    }

    @Test
    void classifierOnBinaryFilesEqualsPredictBitForBit() throws IOException {
        Map<String, JsonNode> expected = corePredict(images);
        // 3 partitions of 8 rows and batches of 5: partitions and batches split differently from predict's.
        List<Row> rows = classifier.setBatchSize(5).transform(ImageFiles.read(spark, images.toString()).repartition(3))
                .select("path", "probability", "prediction", "predictedLabel", "topClasses", "topProbabilities", "error")
                .collectAsList();
        classifier.setBatchSize(64);
        assertThat(rows).hasSize(expected.size()).hasSize(24);
        for (Row r : rows) {
            JsonNode want = expected.get(fileName(r.getString(0)));
            assertThat(r.isNullAt(6)).as("error of %s", r.getString(0)).isTrue();
            List<String> classes = r.getList(4);
            List<Double> probs = r.getList(5);
            Vector p = (Vector) r.get(1);
            for (int j = 0; j < 10; j++) {
                JsonNode t = want.get("top").get(j);
                assertThat(classes.get(j)).isEqualTo(t.get("class").asText());
                // exact: the same double, bit for bit
                assertThat(Double.doubleToLongBits(probs.get(j))).as("%s top %d", r.getString(0), j)
                        .isEqualTo(Double.doubleToLongBits(t.get("prob").asDouble()));
                assertThat(p.apply(t.get("index").asInt())).isEqualTo(t.get("prob").asDouble());
            }
            assertThat(r.getDouble(2)).isEqualTo(want.get("top").get(0).get("index").asDouble());
            assertThat(r.getString(3)).isEqualTo(want.get("top").get(0).get("class").asText());
        }
    }

    @Test
    void sparkImageSourceAgreesWithinATolerance() {
        Dataset<Row> bytes = classifier.transform(ImageFiles.read(spark, images.toString()))
                .select(name(col("path")).as("name"), col("probability").as("p1"));
        Dataset<Row> decoded = classifier.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("image")
                .setPathCol("none").transform(spark.read().format("image").load(images.toString()))
                .select(name(col("image.origin")).as("name"), col("probability").as("p2"));
        List<Row> rows = bytes.join(decoded, "name").collectAsList();
        assertThat(rows).hasSize(24);
        double worst = 0;
        for (Row r : rows) {
            Vector a = (Vector) r.get(1), b = (Vector) r.get(2);
            for (int j = 0; j < a.size(); j++) worst = Math.max(worst, Math.abs(a.apply(j) - b.apply(j)));
        }
        System.out.printf("image source vs binaryFile: largest probability difference %.3g%n", worst);
        // Spark's decoder is not PIL's (colour profiles, its own conversion): close, not necessarily equal.
        assertThat(worst).isLessThan(0.05);
    }

    /** A path's file name (binaryFile writes file:/x, the image source file:///x). */
    static org.apache.spark.sql.Column name(org.apache.spark.sql.Column path) {
        return org.apache.spark.sql.functions.element_at(org.apache.spark.sql.functions.split(path, "/"), -1);
    }

    @Test
    void savedAndLoadedStagesGiveTheSameOutput() throws IOException {
        Dataset<Row> in = ImageFiles.read(spark, images.toString());
        String dir = tmp.resolve("saved-classifier").toString();
        classifier.write().overwrite().save(dir);
        ResNetClassificationModel back = ResNetClassificationModel.load(dir);
        assertThat(back.uid()).isEqualTo(classifier.uid());
        assertThat(back.getThreads()).isEqualTo(1);
        assertThat(rows(back.transform(in), "probability")).isEqualTo(rows(classifier.transform(in), "probability"));

        ResNetFeaturizer f = ResNetFeaturizer.fromWeights(WEIGHTS).setThreads(1);
        String fdir = tmp.resolve("saved-featurizer").toString();
        f.save(fdir);
        assertThat(rows(ResNetFeaturizer.load(fdir).transform(in), "features")).isEqualTo(rows(f.transform(in), "features"));
        assertThat(f.featureSize()).isEqualTo(64);
        assertThat(rows(f.transform(in), "features").get(0).<Vector>getAs(1).size()).isEqualTo(64);
        assertThatThrownBy(() -> f.save(fdir)).hasMessageContaining("already exists");
    }

    static List<Row> rows(Dataset<Row> d, String column) {
        return d.select("path", column).orderBy("path").collectAsList();
    }

    @Test
    void badImagesGiveANullAndTheReasonOrFailNamingTheFile() throws IOException {
        Path dir = tmp.resolve("bad");
        extract(dir, 3);
        Files.writeString(dir.resolve("not-an-image.jpg"), "hello");
        byte[] good;
        try (var files = Files.list(dir)) {
            good = Files.readAllBytes(files.sorted().findFirst().orElseThrow());
        }
        Files.write(dir.resolve("truncated.jpg"), java.util.Arrays.copyOf(good, good.length / 2));
        Dataset<Row> in = ImageFiles.read(spark, dir.toString()).repartition(1); // bad and good rows in one partition

        List<Row> kept = classifier.transform(in).select("path", "prediction", "error").orderBy("path").collectAsList();
        assertThat(kept).hasSize(5);
        for (Row r : kept) {
            boolean bad = r.getString(0).endsWith("not-an-image.jpg") || r.getString(0).endsWith("truncated.jpg");
            assertThat(r.isNullAt(1)).as(r.getString(0)).isEqualTo(bad);
            assertThat(r.isNullAt(2)).as(r.getString(0)).isEqualTo(!bad);
        }
        for (Row r : kept) if (!r.isNullAt(2)) assertThat(r.getString(2)).as(r.getString(0)).isNotBlank();

        ResNetClassificationModel skip = classifier.copy(new org.apache.spark.ml.param.ParamMap()).setHandleInvalid("skip");
        assertThat(skip.transform(in).count()).isEqualTo(3);
        assertThat(skip.transform(in).columns()).doesNotContain("error");

        ResNetClassificationModel strict = classifier.copy(new org.apache.spark.ml.param.ParamMap()).setHandleInvalid("error");
        assertThatThrownBy(() -> strict.transform(in).collectAsList())
                .hasMessageContaining("cannot read image").hasMessageContaining(".jpg");
    }

    @Test
    void inputColumnsAreCheckedBeforeAnyTask() {
        Dataset<Row> in = ImageFiles.read(spark, images.toString());
        assertThatThrownBy(() -> classifier.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("length").transform(in))
                .hasMessageContaining("input column 'length' is bigint");
        assertThatThrownBy(() -> classifier.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("nope").transform(in))
                .hasMessageContaining("no input column 'nope'");
    }

    @Test
    void readmePipelineFeaturizesFitsLogisticRegressionAndBeatsChanceByFar() throws Exception {
        double accuracy = ReadmeExample.run(spark, ZIP.toString(), WEIGHTS.toString());
        System.out.printf("featurizer + LogisticRegression test accuracy on the sample: %.3f (chance 0.1)%n", accuracy);
        assertThat(accuracy).isGreaterThan(0.6);

        String source = Files.readString(Path.of("src/test/java/org/jresnet/spark/ml/ReadmeExample.java"));
        String block = source.substring(source.indexOf("// README:begin\n") + "// README:begin\n".length(),
                source.indexOf("        // README:end"));
        StringBuilder quoted = new StringBuilder();
        for (String line : block.split("\n")) quoted.append(line.substring(Math.min(8, line.length()))).append('\n');
        assertThat(Files.readString(REPO.resolve("README.md"))).contains(quoted.toString());
    }

    @Test
    void aFittedPipelineSavesAndLoads() throws IOException {
        Dataset<Row> in = ImageFiles.read(spark, images.toString())
                .withColumn("label", org.apache.spark.sql.functions.expr("cast(length % 2 as double)"));
        PipelineModel m = new org.apache.spark.ml.Pipeline().setStages(new org.apache.spark.ml.PipelineStage[] {
                ResNetFeaturizer.fromWeights(WEIGHTS).setThreads(1),
                new org.apache.spark.ml.classification.LogisticRegression().setMaxIter(5)}).fit(in);
        String dir = tmp.resolve("pipeline").toString();
        m.save(dir);
        PipelineModel back = PipelineModel.load(dir);
        assertThat(rows(back.transform(in), "probability")).isEqualTo(rows(m.transform(in), "probability"));
    }
}
