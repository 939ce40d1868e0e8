package org.jresnet.spark.ml.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.util.LongAccumulator;
import org.jresnet.spark.cluster.Loopback;
import org.jresnet.spark.ml.ImageFiles;
import org.jresnet.spark.ml.ResNetClassificationModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How predict/features write their result: each image through the network once. */
class ImageJobOptionsTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    @TempDir static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().config(Loopback.conf("local[2]", "ImageJobOptionsTest")).getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    /**
     * The output is sorted by path: the sort's sampling job and its shuffle each computed the
     * transformed rows, so every image was decoded and run through the network twice. Counted here
     * by a pass-through UDF on the image bytes the stage reads.
     */
    @Test void eachImageIsInferredOnce() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        try (ZipFile z = new ZipFile(REPO.resolve("data/cifar10-sample.zip").toFile())) {
            List<? extends ZipEntry> jpgs = z.stream().filter(e -> e.getName().endsWith(".jpg")).limit(12).toList();
            for (ZipEntry e : jpgs) {
                try (var in = z.getInputStream(e)) {
                    Files.copy(in, dir.resolve(e.getName().replace('/', '_')));
                }
            }
        }
        LongAccumulator reads = spark.sparkContext().longAccumulator("image reads");
        UDF1<byte[], byte[]> counted = b -> {
            reads.add(1);
            return b;
        };
        Dataset<Row> images = ImageFiles.read(spark, dir.toString()).repartition(3)
                .withColumn("content", udf(counted, DataTypes.BinaryType).asNondeterministic().apply(col("content")));
        ImageJobOptions job = new ImageJobOptions();
        job.data = dir.toString();
        job.out = tmp.resolve("out.parquet").toString();
        ResNetClassificationModel m = ResNetClassificationModel.fromWeights(REPO.resolve("models/resnet20-cifar10.safetensors"))
                .setThreads(1).setTopK(3);
        Dataset<Row> result = m.transform(images).select("path", "prediction", "error");
        assertThat(job.write(spark, result, true)).isZero();
        assertThat(reads.value()).isEqualTo(12);
        assertThat(spark.read().parquet(job.out).count()).isEqualTo(12);
    }
}
