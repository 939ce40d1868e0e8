package org.jresnet.spark.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.jresnet.data.LoadOptions;

/**
 * Training data named by a Hadoop FileSystem URI ({@code --data hdfs://nn/data/imagenet.zip},
 * {@code s3a://bucket/cifar10/}, {@code file:///...}): each task copies it once into a local cache
 * folder of its machine and trains on the copy, with the core's own readers (zip, ImageFolder,
 * CIFAR binary). The copy is keyed by the URI, its size and modification time, so every task on a
 * machine, later attempts and later runs reuse it, and a changed source is copied anew. Copies are
 * made under a temporary name and moved into place, so a crash never leaves a half copy in use.
 *
 * <p>This is staging, not streaming: each machine needs the local disk for the whole dataset.
 */
public final class HadoopData {
    private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.+");

    /** The arguments with the data URI replaced by the local copy; {@code local} null when there was no URI. */
    public record Localized(String[] args, Path local) {}

    private HadoopData() {}

    /** Hadoop's settings as Spark passes them: every {@code spark.hadoop.*} entry of {@code sc} (none outside Spark). */
    public static Configuration conf(org.apache.spark.SparkConf sc) {
        Configuration c = new Configuration();
        if (sc != null) {
            for (scala.Tuple2<String, String> kv : sc.getAll()) {
                if (kv._1().startsWith("spark.hadoop.")) c.set(kv._1().substring("spark.hadoop.".length()), kv._2());
            }
        }
        return c;
    }

    /** {@code cfg} reading its data from {@code local} (a resumed run's recorded path may be another machine's copy). */
    public static org.jresnet.train.TrainConfig withData(org.jresnet.train.TrainConfig cfg, Path local) {
        if (local == null) return cfg;
        return new org.jresnet.train.TrainConfig(cfg.model(), cfg.data().withPath(local), cfg.optimizer(), cfg.schedule(),
                cfg.run());
    }

    /** A {@code scheme://...} string: read through Hadoop's FileSystem, not as a local path. */
    public static boolean isUri(String s) { return s != null && URI.matcher(s).matches(); }

    /** The value of the last {@code option} ({@code --opt v} or {@code --opt=v}) in {@code args}; null when absent. */
    public static String lastValue(List<String> args, String option) {
        String v = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(option) && i + 1 < args.size()) v = args.get(++i);
            else if (a.startsWith(option + "=")) v = a.substring(option.length() + 1);
        }
        return v;
    }

    /**
     * {@code args} with every {@code --data URI} replaced by the local copy of the last one (staged
     * now if this machine has none), under {@code --cache-dir}'s folder or the default cache.
     */
    public static Localized localize(String[] args, Configuration conf) throws IOException {
        List<String> list = List.of(args);
        String uri = lastValue(list, "--data");
        if (!isUri(uri)) return new Localized(args, null);
        String cache = lastValue(list, "--cache-dir");
        Path root = (cache != null ? Path.of(cache) : LoadOptions.defaultCacheDir()).resolve("remote");
        Path local = stage(uri, conf, root);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data") && i + 1 < args.length) {
                out.add("--data");
                out.add(local.toString());
                i++;
            } else if (args[i].startsWith("--data=")) {
                out.add("--data=" + local);
            } else {
                out.add(args[i]);
            }
        }
        return new Localized(out.toArray(String[]::new), local);
    }

    /** The local copy of {@code uri} under {@code root}, copied when missing or out of date. */
    public static Path stage(String uri, Configuration conf, Path root) throws IOException {
        org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs;
        FileStatus st;
        try {
            fs = src.getFileSystem(conf);
            st = fs.getFileStatus(src);
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("dataset not found: " + uri);
        } catch (org.apache.hadoop.fs.UnsupportedFileSystemException e) {
            throw new IllegalArgumentException("--data " + uri + ": no Hadoop FileSystem for its scheme on this"
                    + " machine's class path (" + e.getMessage() + "); s3a:// needs hadoop-aws, e.g. spark-submit"
                    + " --packages org.apache.hadoop:hadoop-aws:<Spark's Hadoop version>");
        }
        String version;
        if (st.isDirectory()) {
            ContentSummary cs = fs.getContentSummary(src);
            version = "dir " + cs.getLength() + " " + cs.getFileCount() + " " + latest(fs, src);
        } else {
            version = "file " + st.getLen() + " " + st.getModificationTime();
        }
        String name = src.getName().isEmpty() ? "data" : src.getName();
        Path dir = root.resolve(sha(uri + "\n" + version));
        Path copy = dir.resolve(name);
        if (Files.exists(dir.resolve(".complete"))) return copy;
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, ".staging-");
        try {
            fs.copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(tmp.resolve(name).toUri()), true);
            Files.writeString(tmp.resolve(".complete"), uri + "\n" + version + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another task on this machine staged it first: theirs is complete, ours goes
                if (!Files.exists(dir.resolve(".complete"))) throw e;
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot move the staged copy into " + dir + ": " + e.getMessage(), e);
            }
        } finally {
            deleteTree(tmp);
        }
        return copy;
    }

    /** The newest modification time under a folder (files added or rewritten inside it). */
    private static long latest(FileSystem fs, org.apache.hadoop.fs.Path dir) throws IOException {
        long t = fs.getFileStatus(dir).getModificationTime();
        var it = fs.listFiles(dir, true);
        while (it.hasNext()) t = Math.max(t, it.next().getModificationTime());
        return t;
    }

    private static String sha(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the staging folder " + p + ": " + e.getMessage(), e);
        }
    }
}
