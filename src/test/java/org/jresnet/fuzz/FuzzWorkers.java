package org.jresnet.fuzz;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The test side of {@link FuzzWorker}: one long-lived child JVM per loader, fed one case at a time;
 * a case that does not answer within {@link FuzzLimits#CASE_SECONDS} is a hang: the child is killed
 * and a fresh one serves the next case. A failing case's input is kept under
 * {@code target/fuzz-findings/} to become a regression case.
 */
final class FuzzWorkers implements AutoCloseable {
    static final Path FINDINGS = Path.of("target", "fuzz-findings");

    private final String loader;
    private final long caseSeconds;
    private final Path caseDir;
    private Process process;
    private Writer requests;
    private BlockingQueue<String> answers;
    private int cases, ok, refused;
    private long nanos;

    FuzzWorkers(String loader) {
        this(loader, FuzzLimits.CASE_SECONDS);
    }

    FuzzWorkers(String loader, long caseSeconds) {
        this.loader = loader;
        this.caseSeconds = caseSeconds;
        try {
            Path root = Files.createDirectories(Path.of("target", "fuzz-work", loader));
            // two folders between the sandbox and the case: a write that climbs out of the case is still seen
            this.caseDir = root.resolve("sandbox").resolve("a").resolve("case");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder a case's input goes in, emptied with the whole sandbox around it. */
    Path freshCaseDir() {
        try {
            deleteTree(caseDir.getParent().getParent());
            return Files.createDirectories(caseDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} as the case's input file {@code name} and runs it. */
    String runFile(String name, byte[] bytes) {
        Path f = freshCaseDir().resolve(name);
        try {
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return run(f);
    }

    /**
     * Runs the case whose input is {@code input} (a file or folder inside {@link #freshCaseDir()});
     * returns the worker's answer when it is OK or REFUSED, else throws an AssertionError naming the
     * kept input.
     */
    String run(Path input) {
        long t0 = System.nanoTime();
        String answer;
        try {
            if (process == null || !process.isAlive()) start();
            requests.write(loader + "\t" + input.toAbsolutePath() + "\n");
            requests.flush();
            answer = answers.poll(caseSeconds, TimeUnit.SECONDS);
            if (answer == null) {
                kill();
                answer = "BAD hang: no answer within " + caseSeconds + " s";
            } else if (answer.equals("EOF")) {
                kill();
                answer = "BAD the worker JVM died (exit " + process.exitValue() + ")";
            }
        } catch (IOException e) {
            kill();
            answer = "BAD the worker JVM is gone: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        nanos += System.nanoTime() - t0;
        cases++;
        if (answers != null && Boolean.getBoolean("jresnet.fuzz.log")) System.out.println(loader + " " + answer);
        if (answer.startsWith("OK TRAIN:")) {  // a dataset case answers for both splits
            int r = answer.split("refused \\(", -1).length - 1;
            refused += r;
            ok += 2 - r;
        } else if (answer.startsWith("OK")) ok++;
        else if (answer.startsWith("REFUSED")) refused++;
        else throw new AssertionError(loader + " case " + keep(input) + ": " + answer);
        return answer;
    }

    private void start() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, FuzzLimits.WORKER_HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), FuzzWorker.class.getName()));
        Path log = Files.createDirectories(Path.of("target", "fuzz-work")).resolve(loader + "-worker.log");
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        requests = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) q.add(line);
            } catch (IOException ignored) {
                // the worker was killed
            }
            q.add("EOF");
        }, "fuzz-worker-reader-" + loader);
        reader.setDaemon(true);
        reader.start();
        answers = q;
        String ready = q.poll(60, TimeUnit.SECONDS);
        if (!"READY".equals(ready)) throw new IllegalStateException("fuzz worker did not start (" + ready + "); see " + log);
    }

    private void kill() {
        if (process == null) return;
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies a failing input to {@link #FINDINGS}, named by loader and content. */
    private Path keep(Path input) {
        try {
            Files.createDirectories(FINDINGS);
            String id = loader + "-" + System.currentTimeMillis() + "-" + cases;
            Path dest = FINDINGS.resolve(id + "-" + input.getFileName());
            if (Files.isDirectory(input)) {
                try (Stream<Path> s = Files.walk(input)) {
                    for (Path p : s.toList()) {
                        Path d = dest.resolve(input.relativize(p).toString());
                        if (Files.isDirectory(p)) Files.createDirectories(d);
                        else Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } else {
                Files.copy(input, dest, StandardCopyOption.REPLACE_EXISTING);
            }
            return dest.toAbsolutePath();
        } catch (IOException e) {
            return input;
        }
    }

    String summary() {
        return String.format(Locale.ROOT, "fuzz %-11s %,7d cases in %5.1f s: %,d loads succeeded, %,d refused in one line%s",
                loader, cases, nanos / 1e9, ok, refused, loader.equals("zip") || loader.equals("cifar") ? " (both splits a case)" : "");
    }

    @Override public void close() {
        if (process != null) {
            try {
                requests.close();
                if (!process.waitFor(5, TimeUnit.SECONDS)) kill();
            } catch (IOException | InterruptedException e) {
                kill();
            }
        }
        System.out.println(summary());
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
