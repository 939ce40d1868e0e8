package org.jresnet.spark.ml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.jresnet.data.DataException;
import org.jresnet.data.DecodeLimits;
import org.jresnet.io.OneLine;

/**
 * Image files as a DataFrame in the {@code binaryFile} source's schema (path, modificationTime,
 * length, content), from a folder (recursively), one file, a glob, or a zip of images. Folders keep
 * JPEG/PNG/BMP/GIF files, as {@code bin/jresnet predict} does, and Spark leaves out names starting
 * with "." or "_". A zip is read by one task and its entries spread over the cluster: it must fit
 * in one executor's memory (Spark reads a file of at most 2 GB into one row), and its entries are
 * cut at the default {@code maxImageBytes}.
 */
public final class ImageFiles {
    /** File names of the formats the core decodes. */
    static final String IMAGE_NAME = "(?i).*\\.(jpe?g|png|bmp|gif)$";

    private ImageFiles() {}

    public static Dataset<Row> read(SparkSession spark, String path) {
        if (path.toLowerCase(Locale.ROOT).endsWith(".zip")) return readZip(spark, path);
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(path);
        return files.filter(functions.col("path").rlike(IMAGE_NAME));
    }

    /**
     * What Spark's listing of a local folder would get wrong, found on the driver before the job: an
     * image whose path has a ':' (Hadoop cannot make a path of it: the whole job failed on it) or a
     * name that is not valid in the JVM's character set (it reaches the JVM as U+FFFD and Hadoop's
     * listing left it out without a word) is a {@link DataException} naming it. Returns how many
     * images Spark leaves out as hidden files because a part of their path starts with "_" (as with
     * "."; {@code bin/jresnet predict} skips only "."), for the caller to say.
     */
    public static int checkLocalFolder(java.nio.file.Path dir) throws IOException {
        int[] underscore = {0};
        java.nio.file.Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override public java.nio.file.FileVisitResult preVisitDirectory(java.nio.file.Path d,
                    java.nio.file.attribute.BasicFileAttributes a) {
                boolean hidden = !d.equals(dir) && d.getFileName().toString().startsWith(".");
                return hidden ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override public java.nio.file.FileVisitResult visitFile(java.nio.file.Path f,
                    java.nio.file.attribute.BasicFileAttributes a) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") || !name.matches(IMAGE_NAME)) return java.nio.file.FileVisitResult.CONTINUE;
                String rel = dir.relativize(f).toString();
                if (rel.indexOf('\uFFFD') >= 0) {
                    throw new DataException(f + ": a file name that is not valid " + System.getProperty("sun.jnu.encoding", "UTF-8")
                            + " (Spark reads names as text and would leave it out); rename it");
                }
                if (rel.indexOf(':') >= 0) {
                    throw new DataException(f + ": Hadoop cannot read a path with ':' in it (the job would fail on it); rename it");
                }
                for (java.nio.file.Path part : dir.relativize(f)) {
                    if (part.toString().startsWith("_")) {
                        underscore[0]++;
                        break;
                    }
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override public java.nio.file.FileVisitResult visitFileFailed(java.nio.file.Path f, IOException e) {
                throw new DataException("cannot read " + f + ": " + OneLine.reason(e));
            }
        });
        return underscore[0];
    }

    private static Dataset<Row> readZip(SparkSession spark, String path) {
        Dataset<Row> zip = spark.read().format("binaryFile").load(path);
        StructType schema = zip.schema();
        int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
        return zip.flatMap(new ZipEntries(), Encoders.row(schema)).repartition(partitions);
    }

    /** The image entries of one zip file's row, as rows named {@code zip-path!/entry}. */
    private static final class ZipEntries implements FlatMapFunction<Row, Row> {
        private static final long serialVersionUID = 1L;

        @Override public Iterator<Row> call(Row zip) {
            String zipPath = zip.getString(zip.fieldIndex("path"));
            Timestamp time = zip.getTimestamp(zip.fieldIndex("modificationTime"));
            byte[] bytes = (byte[]) zip.get(zip.fieldIndex("content"));
            List<Row> out = new ArrayList<>();
            boolean entries = false;
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    entries = true;
                    if (e.isDirectory() || hidden(e.getName()) || !e.getName().matches(IMAGE_NAME)) continue;
                    // At most one byte over the default limit: the stage then refuses the entry, naming it.
                    byte[] b = in.readNBytes((int) DecodeLimits.DEFAULT_MAX_IMAGE_BYTES + 1);
                    out.add(RowFactory.create(zipPath + "!/" + e.getName(), time, (long) b.length, b));
                }
            } catch (IOException e) {
                throw new DataException("cannot read the zip " + zipPath + ": " + OneLine.reason(e), e);
            }
            // ZipInputStream finds no entry, without an error, in a file that is not a zip at all
            if (!entries && !isEmptyZip(bytes)) throw new DataException("cannot read the zip " + zipPath + ": not a zip file");
            return out.iterator();
        }

        /** A zip of no entries: its end record alone ("PK\5\6"). */
        private static boolean isEmptyZip(byte[] b) {
            return b.length >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 5 && b[3] == 6;
        }

        /** Any part of the entry's name starting with "." or "__MACOSX" (macOS's resource forks). */
        private static boolean hidden(String name) {
            for (String part : name.split("/")) if (part.startsWith(".") || part.equals("__MACOSX")) return true;
            return false;
        }
    }
}
