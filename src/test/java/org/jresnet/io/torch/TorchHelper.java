package org.jresnet.io.torch;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jresnet.io.Python;

/**
 * Runs python/torch_checkpoints.py with Debian's torch. Its output is drained on another thread,
 * so a helper that hangs fails the test after the timeout instead of hanging it.
 */
public final class TorchHelper {
    private TorchHelper() {}

    public static String run(int timeoutSeconds, String... args) {
        Python.requireTorch();
        List<String> cmd = new ArrayList<>(List.of(Python.INTERPRETER, "torch_checkpoints.py"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(Python.scripts().toFile()).redirectErrorStream(true);
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            pb.environment().put("OMP_NUM_THREADS", "2");
            p = pb.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + Python.INTERPRETER + ": " + e.getMessage(), e);
        }
        Process proc = p;
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e.getMessage() + ")";
            }
        });
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("torch_checkpoints.py timed out after " + timeoutSeconds + " s");
            }
            String text = out.get(10, TimeUnit.SECONDS);
            if (p.exitValue() != 0) fail("torch_checkpoints.py exited " + p.exitValue() + ":\n" + text);
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("torch_checkpoints.py output: " + e, e);
        }
    }
}
