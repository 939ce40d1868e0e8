package org.jresnet.spark.ml.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.jresnet.data.DataException;
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
    @Option(names = "--model", description = "Network of a file without jresnet metadata (e.g. a PyTorch export).")
    String model;
    @Option(names = "--shortcut", description = "Shortcut option of such a file: A, B or C.") String shortcut;
    @Option(names = "--variant", description = "Where the bottlenecks of such a file stride: v1.5 (torchvision; default)"
            + " or v1 (the paper).") String variant;
    @Option(names = "--key", description = "Entry of a PyTorch checkpoint that holds the state dict.") String key;
    @Option(names = "--mean", split = ",", description = "Override the per-channel mean (R,G,B in [0,1]).") double[] mean;
    @Option(names = "--std", split = ",", description = "Override the per-channel std (R,G,B).") double[] std;
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

    void check(picocli.CommandLine cmd) throws IOException {
        if (batch < 1) throw new picocli.CommandLine.ParameterException(cmd, "--batch must be >= 1");
        if (threads < 0) throw new picocli.CommandLine.ParameterException(cmd, "--threads must be >= 0");
        if (!java.util.List.of("keep", "error", "skip").contains(onBad)) {
            throw new picocli.CommandLine.ParameterException(cmd, "--on-bad takes keep, error or skip, not " + onBad);
        }
        if (!Files.isRegularFile(weights)) throw new picocli.CommandLine.ParameterException(cmd, "--weights: no file " + weights);
        // a local --data that does not exist: said now, not after Spark's start (with a logged stack trace)
        if (!data.contains(":") && !data.matches(".*[*?\\[{].*") && !Files.exists(Path.of(data))) {
            throw new picocli.CommandLine.ParameterException(cmd, "--data: no such file or folder: " + data);
        }
        if (!data.contains(":") && Files.isDirectory(Path.of(data))) {
            int left = ImageFiles.checkLocalFolder(Path.of(data));
            if (left > 0) {
                System.err.println("jresnet spark: note: " + left + " image(s) under a name starting with '_' left out"
                        + " (Spark reads such names as hidden files)");
            }
        }
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

    /** --weights read as {@code bin/jresnet predict} reads it, with the same options (a bad one: a usage error). */
    org.jresnet.spark.ml.NetworkWeights networkWeights(picocli.CommandLine cmd) throws Exception {
        try {
            return org.jresnet.spark.ml.NetworkWeights.of(
                    org.jresnet.cli.WeightsOption.load(weights, model, shortcut, variant, key, mean, std));
        } catch (org.jresnet.cli.Errors.UsageException e) {
            throw new picocli.CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    /**
     * Writes {@code result} sorted by path and returns the exit code: 1 when images could not be
     * read, as predict's. The job writes into {@code OUT.incomplete-ID} beside {@code --out} (not a
     * hidden name: Spark would not read it back), renamed to {@code --out} only once complete: a
     * failed, interrupted or killed job leaves no partial {@code --out}, and with {@code --overwrite}
     * the old output stays until the new one replaces it. An input without images is an error and
     * writes nothing.
     */
    int write(SparkSession spark, Dataset<Row> result, boolean hasErrors) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(out);
        FileSystem fs = target.getFileSystem(conf);
        target = fs.makeQualified(target);
        if (!overwrite && fs.exists(target)) throw new DataException("--out " + out + " exists; pass --overwrite to replace it");
        String id = UUID.randomUUID().toString();
        org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(target.getParent(), target.getName() + ".incomplete-" + id);
        org.apache.hadoop.fs.Path old = new org.apache.hadoop.fs.Path(target.getParent(), "." + target.getName() + ".old-" + id);
        // a killed driver (Ctrl-C, SIGTERM) removes its unfinished output, before Hadoop closes the file systems;
        // SIGKILL leaves the ".incomplete-" folder, never a partial --out
        Runnable cleanUp = () -> deleteQuietly(fs, tmp);
        ShutdownHookManager.get().addShutdownHook(cleanUp, FileSystem.SHUTDOWN_HOOK_PRIORITY + 1);
        try {
            // kept once computed: the sort's sampling job and its shuffle would otherwise each run the network
            result.persist(StorageLevel.MEMORY_AND_DISK());
            try {
                result.orderBy("path").write().mode(SaveMode.ErrorIfExists).parquet(tmp.toString());
            } finally {
                result.unpersist();
            }
            Dataset<Row> written = spark.read().parquet(tmp.toString());
            long n = written.count();
            if (n == 0) throw new DataException("no JPEG/PNG/BMP/GIF images in " + data + "; nothing written to " + out);
            long bad = hasErrors ? written.filter(written.col("error").isNotNull()).count() : 0;
            boolean replace = fs.exists(target);
            if (replace && !fs.rename(target, old)) throw new IOException("cannot move the old " + out + " aside to " + old);
            if (!fs.rename(tmp, target)) {
                if (replace) fs.rename(old, target);
                throw new IOException("cannot rename " + tmp + " to " + out);
            }
            if (replace) deleteQuietly(fs, old);
            System.err.println("jresnet spark: " + n + " images" + (bad > 0 ? " (" + bad + " unreadable, see the error column)" : "")
                    + " -> " + out);
            return bad > 0 ? 1 : 0;
        } finally {
            deleteQuietly(fs, tmp);
            try {
                ShutdownHookManager.get().removeShutdownHook(cleanUp);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private static void deleteQuietly(FileSystem fs, org.apache.hadoop.fs.Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException | RuntimeException ignored) {
            // best effort: a folder beside --out, never --out itself
        }
    }
}
