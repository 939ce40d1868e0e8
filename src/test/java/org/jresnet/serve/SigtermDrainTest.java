package org.jresnet.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `jresnet serve` as a real process: SIGTERM lets the request in flight finish, then the process exits 0. */
class SigtermDrainTest {
    @TempDir Path tmp;

    @Test void sigtermDrainsInFlightRequestsAndExitsZero() throws Exception {
        Path model = Fixtures.model(tmp.resolve("m.safetensors"), 4);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A long batching delay keeps one request waiting in the queue while the signal arrives.
        Process p = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "-Xmx512m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "org.jresnet.cli.Main", "serve", "--weights", "m=" + model,
                "--port", "0", "--max-batch", "4", "--max-delay-ms", "3000", "--warmup", "1", "--threads", "1")
                .redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        StringBuilder all = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    synchronized (all) {
                        all.append(l).append('\n');
                    }
                    lines.add(l);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            String url = null;
            boolean ready = false;
            Pattern listening = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!ready && System.nanoTime() < end) {
                String l = lines.poll(1, TimeUnit.SECONDS);
                if (l == null) continue;
                Matcher m = listening.matcher(l);
                if (m.find()) url = m.group(1);
                if (l.contains("jresnet serve: ready")) ready = true;
            }
            assertThat(ready).as("server output:\n%s", all).isTrue();
            assertThat(url).isNotNull();

            CompletableFuture<HttpResponse<String>> inFlight = Fixtures.CLIENT.sendAsync(
                    Fixtures.request(url + "/v1/predict", null).header("Content-Type", "image/png")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(Fixtures.png(32, 32, 1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            // Signal only once the image is queued (the batcher waits up to 3 s for more).
            while (!Fixtures.get(url + "/metrics", null).body().contains("jresnet_queue_depth{model=\"m\"} 1.0")) {
                assertThat(System.nanoTime()).as("request never queued").isLessThan(end);
                Thread.sleep(20);
            }
            // SIGTERM; Process.destroy would also close our end of its stdout.
            assertThat(p.toHandle().destroy()).isTrue();

            HttpResponse<String> r = inFlight.get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"top\"");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited; output:\n%s", all).isTrue();
            assertThat(p.exitValue()).as("exit code; output:\n%s", all).isZero();
            reader.join(5000);
            assertThat(all.toString()).contains("jresnet serve: stopped").contains("\"POST /v1/predict\" 200");
        } finally {
            p.destroyForcibly();
        }
    }

}
