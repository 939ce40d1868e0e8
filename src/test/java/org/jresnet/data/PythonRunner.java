package org.jresnet.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a Python script with Debian's interpreter (PIL, torchvision; bin/test installs them). */
final class PythonRunner {
    private PythonRunner() {}

    static final String PYTHON = "/usr/bin/python3";

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
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("python timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IllegalStateException("python failed (" + p.exitValue() + "):\n" + text);
        return text;
    }
}
