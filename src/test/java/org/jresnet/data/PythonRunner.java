package org.jresnet.data;

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

/** Runs a Python script with Debian's interpreter (PIL, torchvision; bin/test installs them). */
final class PythonRunner {
    private PythonRunner() {}

    static final String PYTHON = "/usr/bin/python3";
    /** Every script here runs in seconds; a hung interpreter must fail the test, not stall the build. */
    private static final long TIME_LIMIT_S = 120;

    static String run(Path dir, String script, String... args) throws IOException, InterruptedException {
        Path file = dir.resolve("script.py");
        Files.writeString(file, script);
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new IllegalStateException(PYTHON + " is missing: parity tests need Debian's python3 with PIL "
                    + "and torchvision (bin/test installs python3-pil python3-torchvision)");
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, file.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // Read on another thread: reading here would block past the time limit if python hung
        // without closing its output, and not reading could stall python on a full pipe.
        InputStream stdout = p.getInputStream();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!p.waitFor(TIME_LIMIT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("python did not finish within " + TIME_LIMIT_S + " s");
        }
        String text;
        try {
            text = new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading python's output failed: " + e, e);
        }
        if (p.exitValue() != 0) throw new IllegalStateException("python failed (" + p.exitValue() + "):\n" + text);
        return text;
    }
}
