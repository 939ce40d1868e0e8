package org.jresnet.io;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the repository's Python scripts ({@code python/}) with Debian's interpreter, which is the one
 * that has PyTorch ({@code bin/test} installs it); the first {@code python3} on PATH may not.
 */
public final class Python {
    public static final String INTERPRETER = "/usr/bin/python3";

    private Python() {}

    /** The repository's {@code python/} folder (tests run from the project root). */
    public static Path scripts() {
        Path p = Path.of("python").toAbsolutePath();
        if (!Files.isDirectory(p)) fail("python/ scripts not found at " + p + " (run the tests from the project root)");
        return p;
    }

    /** Fails the test with the fix when PyTorch/torchvision are not importable. */
    public static void requireTorch() {
        Result r = run(60, "-c", "import torch, torchvision");
        if (r.exit != 0) {
            fail("PyTorch is missing for " + INTERPRETER + " (parity tests need it): run bin/test, which installs it,"
                    + " or apt-get install python3-torch python3-torchvision\n" + r.output);
        }
    }

    public record Result(int exit, String output) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * Runs {@code script} ({@code python3 -c}) with {@code args} as JSON in {@code sys.argv[1]}; fails
     * the test unless it exits 0, and returns its last output line read as JSON (torch may warn first).
     */
    public static com.fasterxml.jackson.databind.JsonNode json(String script, Object args) {
        try {
            Result r = run(120, "-c", script, JSON.writeValueAsString(args));
            if (r.exit != 0) fail("python exited " + r.exit + ":\n" + r.output);
            String[] lines = r.output.strip().split("\n");
            return JSON.readTree(lines[lines.length - 1]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs {@code /usr/bin/python3 args...} in {@code python/}; stdout and stderr merged. */
    public static Result run(int timeoutSeconds, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(INTERPRETER);
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(scripts().toFile()).redirectErrorStream(true);
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            pb.environment().put("OMP_NUM_THREADS", "2");
            Process p = pb.start();
            p.getOutputStream().close();
            // Drained on another thread: reading to the end here first would block past the time
            // limit when the script hangs with its output open, so the timeout could never fire.
            InputStream stdout = p.getInputStream();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(output unreadable: " + e.getMessage() + ")";
                }
            });
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail("timed out after " + timeoutSeconds + " s: " + cmd);
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS));
        } catch (IOException e) {
            return new Result(127, "cannot run " + INTERPRETER + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading the output of " + cmd + ": " + e, e);
        }
    }

    /** Like {@link #run} but fails the test, with the script's output, on a non-zero exit. */
    public static String check(int timeoutSeconds, String... args) {
        Result r = run(timeoutSeconds, args);
        if (r.exit != 0) fail(INTERPRETER + " " + String.join(" ", args) + " exited " + r.exit + ":\n" + r.output);
        return r.output;
    }
}
