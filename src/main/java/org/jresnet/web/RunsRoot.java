package org.jresnet.web;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.jresnet.experiments.ExperimentOutput;
import org.jresnet.train.RunLock;

/**
 * The folder of {@code serve --runs DIR}: the run and experiment folders under it, and the one way
 * a request names a file in it. Names are relative paths; {@code ..}, absolute paths and symbolic
 * links that lead out of DIR are refused, and the walk never follows a link.
 */
final class RunsRoot {
    /** How deep runs are looked for: an experiment keeps its runs at DIR/runs/NAME, two levels down. */
    static final int MAX_DEPTH = 6;
    static final String METRICS = "metrics.jsonl", CHECKPOINT = "checkpoint.safetensors", MODEL = "model.safetensors";

    /**
     * What the walk found, as paths relative to DIR ("." for DIR itself); {@code unnamed}: run and
     * experiment folders whose names a path in a URL cannot reach (not valid in the JVM's file-name
     * encoding, so the name read back is not the one on disk), to be renamed.
     */
    record Scan(List<String> runs, List<String> experiments, List<String> unnamed) {}

    private final Path root;

    RunsRoot(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--runs " + dir + " is not a folder");
        this.root = dir.toRealPath();
    }

    Path path() { return root; }

    static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve(METRICS), LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(dir.resolve(CHECKPOINT), LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(dir.resolve(RunLock.FILE), LinkOption.NOFOLLOW_LINKS);
    }

    static boolean isExperiment(Path dir) {
        return Files.isRegularFile(dir.resolve(ExperimentOutput.SUMMARY_MD), LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(dir.resolve(ExperimentOutput.SUMMARY_JSON), LinkOption.NOFOLLOW_LINKS);
    }

    Scan scan() throws IOException {
        List<String> runs = new ArrayList<>(), experiments = new ArrayList<>(), unnamed = new ArrayList<>();
        // + 1: the walk hands folders at its last depth to visitFile, so runs MAX_DEPTH deep would be missed
        Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH + 1, new SimpleFileVisitor<>() {
            @Override public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) return FileVisitResult.SKIP_SUBTREE;
                boolean run = isRun(dir), experiment = isExperiment(dir);
                if (run || experiment) {
                    String rel = relative(dir);
                    if (!reachable(rel, dir)) {
                        unnamed.add(rel);
                    } else {
                        if (experiment) experiments.add(rel);
                        if (run) runs.add(rel);
                    }
                }
                // a run folder holds files, not runs
                return run ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;  // an unreadable folder is not a run; the others still are
            }
        });
        runs.sort(null);
        experiments.sort(null);
        unnamed.sort(null);
        return new Scan(runs, experiments, unnamed);
    }

    /**
     * Whether the name {@code rel} gives (what a page sends back in ?path=) leads to {@code dir}: a
     * folder name with bytes that are not valid in the JVM's file-name encoding (sun.jnu.encoding,
     * UTF-8 under bin/jresnet) is read with U+FFFD or '?' in their place, and that name leads nowhere.
     */
    private boolean reachable(String rel, Path dir) {
        try {
            return rel.equals(".") || root.resolve(rel).equals(dir);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /** {@code p} (inside DIR) as the page names it: '/'-separated, "." for DIR. */
    String relative(Path p) {
        String r = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        return r.isEmpty() ? "." : r;
    }

    /**
     * The existing file or folder {@code rel} names inside DIR: 400 for an absolute path or a
     * {@code ..}, 404 when absent, 403 when a link leads out of DIR.
     */
    Path resolve(String rel) {
        if (rel == null || rel.isBlank()) throw new WebException(400, "missing ?path= (a path relative to the runs folder)");
        // '/' always separates; '\\' only where it is the file system's separator (on Linux it may be
        // in a name, as ':' may: "run-12:30" is a folder, not a drive or a scheme)
        boolean backslash = root.getFileSystem().getSeparator().equals("\\");
        if (rel.indexOf('\0') >= 0 || rel.startsWith("/") || (backslash && rel.startsWith("\\"))) {
            throw new WebException(400, "path must be relative to the runs folder: " + rel);
        }
        Path p = root;
        for (String part : rel.split(backslash ? "[/\\\\]" : "/")) {
            if (part.equals("..")) throw new WebException(400, "path must not contain '..': " + rel);
            if (part.isEmpty() || part.equals(".")) continue;
            Path step = root.getFileSystem().getPath(part);
            if (step.isAbsolute() || step.getRoot() != null) {   // a drive ("C:") where the file system has them
                throw new WebException(400, "path must be relative to the runs folder: " + rel);
            }
            p = p.resolve(part);
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) throw new WebException(404, "no such file in the runs folder: " + rel);
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            throw new WebException(404, "cannot read " + rel + ": " + e.getMessage());
        }
        if (!real.startsWith(root)) throw new WebException(403, rel + " leads out of the runs folder");
        return real;
    }
}
