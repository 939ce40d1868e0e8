package org.jresnet.spark.ml.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.jresnet.data.DecodeLimits;
import org.jresnet.spark.cluster.Loopback;
import org.jresnet.spark.ml.ImageFiles;
import org.jresnet.spark.ml.ResNetStage;
import picocli.CommandLine.Option;

/** What {@code spark predict} and {@code spark features} share: input, output, weights, cluster, bad images. */
final class ImageJobOptions {
    @Option(names = "--data", required = true, paramLabel = "DIR|ZIP|PATH",
            description = "Images: a folder (recursively), a zip of images, a file or a glob; any Hadoop path (file:, hdfs:, s3a:).")
    String data;
    @Option(names = "--out", required = true, paramLabel = "OUT.parquet", description = "Parquet output (a directory, as Spark writes).")
    String out;
    @Option(names = "--weights", required = true, description = "Weights: safetensors or a PyTorch checkpoint, as `jresnet predict --weights`.")
    Path weights;
    @Option(names = "--master", defaultValue = "local[*]", description = "Spark master URL (default ${DEFAULT-VALUE}).")
    String master;
    @Option(names = "--batch", defaultValue = "64", description = "Images per forward pass in a partition (default ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--threads", defaultValue = "0", description = "Engine threads per executor (default: spark.executor.cores).")
    int threads;
    @Option(names = "--on-bad", defaultValue = "keep", description = "An unreadable image: keep (null result and an error column),"
            + " error (fail naming the file) or skip (default ${DEFAULT-VALUE}).")
    String onBad;
    @Option(names = "--overwrite", description = "Replace --out if it exists.") boolean overwrite;
    @Option(names = DecodeLimits.PIXELS_OPTION, defaultValue = "" + DecodeLimits.DEFAULT_MAX_PIXELS,
            description = "Largest image decoded, in pixels (default ${DEFAULT-VALUE}).") long maxPixels;
    @Option(names = DecodeLimits.BYTES_OPTION, defaultValue = "" + DecodeLimits.DEFAULT_MAX_IMAGE_BYTES,
            description = "Largest image file decoded, in bytes (default ${DEFAULT-VALUE}).") long maxImageBytes;

    void check(picocli.CommandLine cmd) {
        if (batch < 1) throw new picocli.CommandLine.ParameterException(cmd, "--batch must be >= 1");
        if (threads < 0) throw new picocli.CommandLine.ParameterException(cmd, "--threads must be >= 0");
        if (!java.util.List.of("keep", "error", "skip").contains(onBad)) {
            throw new picocli.CommandLine.ParameterException(cmd, "--on-bad takes keep, error or skip, not " + onBad);
        }
        if (!Files.isRegularFile(weights)) throw new picocli.CommandLine.ParameterException(cmd, "--weights: no file " + weights);
        // a local --out that exists would fail only once the whole job has run (Spark checks on write)
        if (!overwrite && !out.contains(":") && Files.exists(java.nio.file.Path.of(out))) {
            throw new picocli.CommandLine.ParameterException(cmd, "--out " + out + " exists; pass --overwrite to replace it");
        }
    }

    <T extends ResNetStage<T>> T configure(T stage) {
        return stage.setBatchSize(batch).setThreads(threads).setHandleInvalid(onBad).setMaxPixels(maxPixels)
                .setMaxImageBytes(maxImageBytes);
    }

    SparkSession session(String app) {
        String jar = ImageJobOptions.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        return SparkSession.builder().config(Loopback.conf(master, app).set("spark.jars", jar)
                .set("spark.ui.showConsoleProgress", "true")).getOrCreate();
    }

    Dataset<Row> images(SparkSession spark) { return ImageFiles.read(spark, data); }

    /**
     * Writes {@code result} sorted by path (Spark's commit protocol: a failed job leaves no partial
     * output), sums it up and returns the exit code: 1 when images could not be read, as predict's.
     */
    int write(SparkSession spark, Dataset<Row> result, boolean hasErrors) {
        result.orderBy("path").write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(out);
        Dataset<Row> written = spark.read().parquet(out);
        long n = written.count();
        long bad = hasErrors ? written.filter(written.col("error").isNotNull()).count() : 0;
        System.err.println("jresnet spark: " + n + " images" + (bad > 0 ? " (" + bad + " unreadable, see the error column)" : "")
                + " -> " + out);
        return bad > 0 ? 1 : 0;
    }
}
