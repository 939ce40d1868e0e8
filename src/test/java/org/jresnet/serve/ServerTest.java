package org.jresnet.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jresnet.serve.Fixtures.get;
import static org.jresnet.serve.Fixtures.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jresnet.api.TopClasses;
import org.jresnet.cli.Main;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.RgbImage;
import org.jresnet.data.Transforms;
import org.jresnet.io.ModelFiles;
import org.jresnet.models.ResNet;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.Preprocessing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One server with two tiny random-weight ResNet-20s ("a", the default, and "b") behind an API key. */
class ServerTest {
    private static final String KEY = "s3cret-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BATCH = 8;
    @TempDir static Path tmp;
    static Path fileA, fileB;
    static Server server;
    static String url;
    static final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();

    @BeforeAll static void start() throws Exception {
        fileA = Fixtures.model(tmp.resolve("a.safetensors"), 1);
        fileB = Fixtures.model(tmp.resolve("b.safetensors"), 2);
        ServerConfig cfg = ServerConfig.defaults().withPort(0).withBatching(MAX_BATCH, 20, 64)
                .withLimits(1 << 20, 100_000).withAccess(KEY, null).withWarmup(2);
        server = Server.start(cfg, List.of(Fixtures.spec("a", fileA), Fixtures.spec("b", fileB)), List.of(), log::add);
        url = server.url();
        server.warm().get(60, TimeUnit.SECONDS);
    }

    @AfterAll static void stop() {
        if (server != null) server.close();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(json(r).get("error").asText()).isNotBlank();
    }

    /** Logits of one image through a fresh copy of the model at batch 1, as `predict` computes them. */
    private static float[] singleLogits(Path file, byte[] image) throws Exception {
        ModelFiles.Loaded l = ModelFiles.load(file);
        l.model().setTraining(false);
        return l.model().forward(Tensor.of(preprocessed(l, image), 1, 32, 32, 3)).toArray();
    }

    private static float[] preprocessed(ModelFiles.Loaded l, byte[] image) {
        float[] x = new float[32 * 32 * 3];
        Transforms.applyToImage(Preprocessing.resizeCrop(ImageInput.normalization(l.metadata()), 32),
                ImageDecoder.decode(image, "test"), x, 0);
        return x;
    }

    @Test void healthNeedsNoKeyEverythingElseDoes() throws Exception {
        assertThat(get(url + "/healthz", null).statusCode()).isEqualTo(200);
        HttpResponse<String> r = get(url + "/v1/models", null);
        assertError(r, 401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertError(get(url + "/v1/models", "wrong"), 401);
        assertError(get(url + "/metrics", "s3cret-ke"), 401);
        assertError(post(url + "/v1/predict", null, Fixtures.png(32, 32, 1), "image/png"), 401);
        assertThat(get(url + "/v1/models", KEY).statusCode()).isEqualTo(200);
        assertThat(get(url + "/readyz", KEY).statusCode()).isEqualTo(200);
    }

    /** HEAD answers what GET would (status and headers, no body); Javalin's own HEAD was an empty 200 everywhere. */
    @Test void headAnswersAsGet() throws Exception {
        for (String[] c : new String[][] {{"/healthz", null}, {"/readyz", KEY}, {"/v1/models", null},
                {"/v1/models", KEY}, {"/v2/models/nosuch/ready", KEY}, {"/metrics", KEY}}) {
            HttpResponse<String> get = get(url + c[0], c[1]), head = head(url + c[0], c[1]);
            assertThat(head.statusCode()).as("HEAD " + c[0]).isEqualTo(get.statusCode());
            assertThat(head.headers().firstValue("Content-Type")).as("HEAD " + c[0]).isEqualTo(get.headers().firstValue("Content-Type"));
            assertThat(head.body()).isEmpty();
        }
        assertThat(head(url + "/v2/models/nosuch/ready", KEY).statusCode()).isEqualTo(404);
    }

    private static HttpResponse<String> head(String url, String key) throws Exception {
        return Fixtures.CLIENT.send(Fixtures.request(url, key).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test void apiKeyComparison() {
        ApiKey k = new ApiKey(KEY);
        assertThat(k.accepts("Bearer " + KEY)).isTrue();
        assertThat(k.accepts("bearer " + KEY)).isTrue();
        assertThat(k.accepts("Bearer " + KEY + "x")).isFalse();
        assertThat(k.accepts("Basic " + KEY)).isFalse();
        assertThat(k.accepts("Bearer ")).isFalse();
        assertThat(k.accepts(null)).isFalse();
    }

    @Test void listsModels() throws Exception {
        JsonNode m = json(get(url + "/v1/models", KEY));
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.get(0).get("name").asText()).isEqualTo("a");
        assertThat(m.get(0).get("default").asBoolean()).isTrue();
        assertThat(m.get(1).get("name").asText()).isEqualTo("b");
        assertThat(m.get(0).get("architecture").asText()).isEqualTo("resnet20");
        assertThat(m.get(0).get("classes").size()).isEqualTo(10);
        assertThat(m.get(0).get("input_size").toString()).isEqualTo("[3,32,32]");
        assertThat(m.get(0).get("parameters").asLong()).isEqualTo(ModelFiles.load(fileA).model().parameterCount());
        assertThat(json(get(url + "/v1/models/b", KEY)).get("name").asText()).isEqualTo("b");
    }

    @Test void predictEqualsTheCommandLine() throws Exception {
        byte[] png = Fixtures.png(40, 30, 7);   // not the input size: resize + crop as predict does
        Path f = tmp.resolve("img.png");
        Files.write(f, png);
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute("predict", "--weights", fileB.toString(), "--json", "--top", "10", f.toString());
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        JsonNode cli = JSON.readTree(out.toString(StandardCharsets.UTF_8)).get(0).get("top");
        HttpResponse<String> r = post(url + "/v1/models/b/predict?top=10", KEY, png, "image/png");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("top")).isEqualTo(cli);
        assertThat(json(post(url + "/v1/models/b/predict?top=2", KEY, png, "image/png")).get("top").size()).isEqualTo(2);
    }

    /** 48 different images from 12 threads at once: batched together, each answer equal to its batch-1 answer. */
    @Test void concurrentRequestsAreBatchedAndBitIdentical() throws Exception {
        int n = 48;
        List<byte[]> images = new ArrayList<>();
        List<JsonNode> expected = new ArrayList<>();
        ModelFiles.Loaded ref = ModelFiles.load(fileA);
        for (int i = 0; i < n; i++) {
            images.add(Fixtures.png(32, 32, 100 + i));
            float[] z = singleLogits(fileA, images.get(i));
            expected.add(JSON.valueToTree(TopClasses.top(TopClasses.softmax(z, 0, 10), ref.metadata().classes(), 10)));
        }
        double batchesBefore = metric("jresnet_batch_size_count{model=\"a\"}");
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<HttpResponse<String>>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] im = images.get(i);
                fs.add(pool.submit(() -> post(url + "/v1/predict?top=10", KEY, im, "image/png")));
            }
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = fs.get(i).get(120, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(json(r).get("top")).as("image %d", i).isEqualTo(expected.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
        double batches = metric("jresnet_batch_size_count{model=\"a\"}") - batchesBefore;
        assertThat(batches).as("forward passes for %d concurrent images", n).isLessThan(n).isGreaterThanOrEqualTo(n / MAX_BATCH);
    }

    @Test void multipartGivesAnArrayInPartOrder() throws Exception {
        List<byte[]> ims = List.of(Fixtures.png(32, 32, 1), Fixtures.png(32, 32, 2), Fixtures.png(32, 32, 3));
        Fixtures.Multipart mp = Fixtures.multipart(List.of("x.png", "y.png", "z.png"), ims);
        HttpResponse<String> r = post(url + "/v1/models/a/predict?top=3", KEY, mp.body(), mp.contentType());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode arr = json(r);
        assertThat(arr.isArray()).isTrue();
        assertThat(arr.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(arr.get(i).get("file").asText()).isEqualTo(List.of("x.png", "y.png", "z.png").get(i));
            JsonNode single = json(post(url + "/v1/models/a/predict?top=3", KEY, ims.get(i), "image/png"));
            assertThat(arr.get(i).get("top")).isEqualTo(single.get("top"));
        }
    }

    @Test void featuresAreThePooledVector() throws Exception {
        byte[] png = Fixtures.png(32, 32, 9);
        HttpResponse<String> r = post(url + "/v1/models/b/features", KEY, png, "image/png");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode f = json(r).get("features");
        ModelFiles.Loaded l = ModelFiles.load(fileB);
        l.model().setTraining(false);
        float[] want = l.model().features(Tensor.of(preprocessed(l, png), 1, 32, 32, 3)).toArray();
        assertThat(f.size()).isEqualTo(64);
        for (int i = 0; i < want.length; i++) assertThat(f.get(i).floatValue()).isEqualTo(want[i]);
    }

    @Test void badInputGetsAJsonError() throws Exception {
        assertError(post(url + "/v1/predict", KEY, "not an image".getBytes(StandardCharsets.UTF_8), "image/jpeg"), 400);
        assertError(post(url + "/v1/predict", KEY, new byte[0], "image/jpeg"), 400);
        assertError(post(url + "/v1/predict?top=0", KEY, Fixtures.png(32, 32, 1), "image/png"), 400);
        assertError(post(url + "/v1/predict?top=x", KEY, Fixtures.png(32, 32, 1), "image/png"), 400);
        HttpResponse<String> unknown = post(url + "/v1/models/nope/predict", KEY, Fixtures.png(32, 32, 1), "image/png");
        assertError(unknown, 404);
        assertThat(json(unknown).get("error").asText()).contains("nope").contains("a, b");
        assertError(get(url + "/no/such/route", KEY), 404);
        assertError(get(url + "/v1/predict", KEY), 405);
        assertError(post(url + "/healthz", KEY, new byte[1], "text/plain"), 405);
    }

    /** Requests Jetty refuses before any route sees them answer in the API's JSON too, not an HTML page. */
    @Test void malformedRequestsGetAJsonErrorFromJetty() throws Exception {
        HttpResponse<String> big = Fixtures.CLIENT.send(Fixtures.request(url + "/healthz", KEY)
                .header("X-Big", "a".repeat(9000)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertError(big, 431);
        for (String raw : List.of("GET /v1/models/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")) {
            String answer = rawExchange(raw);
            assertThat(answer).as(raw).startsWith("HTTP/1.1 400 ").containsIgnoringCase("Content-Type: application/json")
                    .contains("{\"error\":\"");
        }
    }

    /** Sends {@code request} as it is (java.net.http would refuse these) and reads the answer to its end. */
    private static String rawExchange(String request) throws Exception {
        java.net.URI u = java.net.URI.create(url);
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test void limitsGive413() throws Exception {
        // Over the 1 MB body limit.
        assertError(post(url + "/v1/predict", KEY, new byte[(1 << 20) + 1], "image/jpeg"), 413);
        // A small file that decodes to more pixels than the limit (100,000): refused from its header.
        HttpResponse<String> big = post(url + "/v1/predict", KEY, Fixtures.png(400, 300, 1), "image/png");
        assertError(big, 413);
        assertThat(json(big).get("error").asText()).contains("120,000 pixels").contains("--max-pixels");
        Fixtures.Multipart mp = Fixtures.multipart(List.of("a.bin"), List.of(new byte[(1 << 20) + 10]));
        assertError(post(url + "/v1/predict", KEY, mp.body(), mp.contentType()), 413);
    }

    @Test void metricsInPrometheusFormat() throws Exception {
        post(url + "/v1/models/a/predict", KEY, Fixtures.png(32, 32, 5), "image/png");
        get(url + "/no/such/route", KEY);
        HttpResponse<String> r = get(url + "/metrics", KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String m = r.body();
        assertThat(m).contains("# TYPE jresnet_http_requests_total counter")
                .contains("jresnet_http_requests_total{code=\"200\",method=\"POST\",route=\"/v1/models/{name}/predict\"}")
                .contains("jresnet_http_errors_total{code=\"404\",route=\"unmatched\"}")
                .contains("jresnet_http_request_duration_seconds_bucket{")
                .contains("jresnet_batch_size_bucket{model=\"a\",le=\"8.0\"}")
                .contains("jresnet_queue_depth{model=\"b\"} 0.0");
        assertThat(log).anyMatch(l -> l.contains("\"POST /v1/models/a/predict\" 200"));
    }

    @Test void openApiListsEveryRoute() throws Exception {
        HttpResponse<String> r = get(url + "/openapi.json", KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = json(r);
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> documented = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            var e = it.next();
            for (Iterator<String> ms = e.getValue().fieldNames(); ms.hasNext(); ) documented.add(ms.next().toUpperCase() + " " + e.getKey());
        }
        Set<String> served = new HashSet<>();
        for (Server.Route rt : server.routes()) served.add(rt.method() + " " + rt.path());
        assertThat(documented).isEqualTo(served);
    }

    @Test void v2InferOnTensorsMatchesV1() throws Exception {
        byte[] png = Fixtures.png(32, 32, 11);
        float[] z = singleLogits(fileA, png);
        RgbImage rgb = ImageDecoder.decode(png, "t");
        StringBuilder u8 = new StringBuilder();
        for (byte b : rgb.pixels()) u8.append(u8.length() == 0 ? "" : ",").append(b & 0xff);
        String body = "{\"id\":\"r1\",\"inputs\":[{\"name\":\"input\",\"shape\":[1,32,32,3],\"datatype\":\"UINT8\",\"data\":[" + u8
                + "]}],\"outputs\":[{\"name\":\"logits\"}]}";
        HttpResponse<String> r = post(url + "/v2/models/a/infer", KEY, body.getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode out = json(r);
        assertThat(out.get("id").asText()).isEqualTo("r1");
        JsonNode logits = out.get("outputs").get(0);
        assertThat(logits.get("name").asText()).isEqualTo("logits");
        assertThat(logits.get("shape").toString()).isEqualTo("[1,10]");
        for (int j = 0; j < 10; j++) assertThat(logits.get("data").get(j).floatValue()).isEqualTo(z[j]);

        // FP32 in PyTorch's NCHW order, nested: the same logits.
        float[] nhwc = preprocessed(ModelFiles.load(fileA), png);
        float[] nchw = org.jresnet.api.Network.nhwcToNchw(nhwc, 1, 32, 32, 3);
        String fp = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\",\"data\":[" + nested(nchw) + "]}]}";
        JsonNode o2 = json(post(url + "/v2/models/a/infer", KEY, fp.getBytes(StandardCharsets.UTF_8), "application/json"));
        assertThat(o2.get("outputs").size()).isEqualTo(2);
        for (int j = 0; j < 10; j++) assertThat(o2.get("outputs").get(0).get("data").get(j).floatValue()).isEqualTo(z[j]);

        String wrongShape = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,16,16],\"datatype\":\"FP32\",\"data\":[1]}]}";
        assertError(post(url + "/v2/models/a/infer", KEY, wrongShape.getBytes(StandardCharsets.UTF_8), "application/json"), 400);
        assertError(post(url + "/v2/models/a/infer", KEY, "{".getBytes(StandardCharsets.UTF_8), "application/json"), 400);
        String short1 = "{\"inputs\":[{\"name\":\"input\",\"shape\":[8,3,32,32],\"datatype\":\"FP32\",\"data\":[[1,2],[3]]}]}";
        HttpResponse<String> few = post(url + "/v2/models/a/infer", KEY, short1.getBytes(StandardCharsets.UTF_8), "application/json");
        assertError(few, 400);
        assertThat(json(few).get("error").asText()).isEqualTo("input \"data\" holds 3 numbers, shape says 24576");
        assertError(post(url + "/v2/models/zz/infer", KEY, fp.getBytes(StandardCharsets.UTF_8), "application/json"), 404);
        JsonNode meta = json(get(url + "/v2/models/a", KEY));
        assertThat(meta.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,3,32,32]");
        assertThat(get(url + "/v2/health/ready", KEY).statusCode()).isEqualTo(200);
    }

    /** [c][h][w] as nested JSON arrays (the v2 protocol accepts either form). */
    private static String nested(float[] nchw) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < 3; c++) {
            b.append(c == 0 ? "[" : ",[");
            for (int y = 0; y < 32; y++) {
                b.append(y == 0 ? "[" : ",[");
                for (int x = 0; x < 32; x++) b.append(x == 0 ? "" : ",").append(nchw[(c * 32 + y) * 32 + x]);
                b.append(']');
            }
            b.append(']');
        }
        return "[" + b + "]";
    }

    @Test void noCorsHeadersByDefault() throws Exception {
        HttpResponse<String> r = Fixtures.CLIENT.send(Fixtures.request(url + "/v1/models", KEY).header("Origin", "http://evil.example").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    private static double metric(String series) throws Exception {
        for (String line : get(url + "/metrics", KEY).body().split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
        }
        return 0;
    }
}
