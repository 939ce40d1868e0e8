package org.jresnet.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server with a one-image queue and a CORS origin, no key. */
class QueueAndCorsTest {
    @TempDir Path tmp;

    @Test void moreImagesThanTheQueueHoldsGive413AndCorsIsOptIn() throws Exception {
        ServerConfig cfg = ServerConfig.defaults().withPort(0).withBatching(1, 0, 1).withAccess(null, "http://127.0.0.1:3000")
                .withWarmup(0);
        try (Server s = Server.start(cfg, List.of(Fixtures.spec("m", Fixtures.model(tmp.resolve("m.safetensors"), 3))),
                List.of(), line -> { })) {
            String url = s.url();
            // Two images can never enter a queue of one: refused at once, and not told to retry
            // (a queue that is full for now answers 503 with Retry-After: BatcherTest).
            Fixtures.Multipart mp = Fixtures.multipart(List.of("a.png", "b.png"), List.of(Fixtures.png(32, 32, 1), Fixtures.png(32, 32, 2)));
            HttpResponse<String> r = Fixtures.post(url + "/v1/predict", null, mp.body(), mp.contentType());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(r.headers().firstValue("Retry-After")).isEmpty();
            assertThat(new ObjectMapper().readTree(r.body()).get("error").asText())
                    .isEqualTo("2 images in one request; this server takes at most 1 a request (serve --queue)");
            String v2 = "{\"inputs\":[{\"name\":\"input\",\"shape\":[2147483647,3,32,32],\"datatype\":\"FP32\",\"data\":[1]}]}";
            HttpResponse<String> huge = Fixtures.post(url + "/v2/models/m/infer", null, v2.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "application/json");
            assertThat(huge.statusCode()).as(huge.body()).isEqualTo(413);
            // One fits.
            HttpResponse<String> ok = Fixtures.post(url + "/v1/predict", null, Fixtures.png(32, 32, 1), "image/png");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).contains("http://127.0.0.1:3000");

            HttpResponse<String> pre = Fixtures.CLIENT.send(Fixtures.request(url + "/v1/predict", null)
                    .header("Origin", "http://127.0.0.1:3000").header("Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");
        }
    }
}
