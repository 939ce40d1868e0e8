package org.jresnet.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jresnet.io.ModelFiles;
import org.jresnet.serve.ModelSpec;
import org.jresnet.serve.Server;
import org.jresnet.serve.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pages over HTTP: public pages and assets, the runs data behind the key, JSON errors, and no runs without --runs. */
class WebPagesTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String KEY = "k";
    @TempDir Path tmp;

    static HttpResponse<String> get(String url, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> head(String url, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody());
        if (key != null) b.header("Authorization", "Bearer " + key);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    Server start(Path runs) throws Exception {
        ModelFiles.Loaded l = ModelFiles.load(Path.of("models/resnet20-cifar10.safetensors"));
        return Server.start(ServerConfig.defaults().withPort(0).withWarmup(0).withAccess(KEY, null),
                List.of(new ModelSpec("m", l.model(), l.metadata(), null)), List.of(new WebPages(runs)), line -> { });
    }

    @Test void pagesArePublicTheirDataIsNot() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("runs"));
        Files.writeString(Files.createDirectories(runs.resolve("r")).resolve("metrics.jsonl"), RunFoldersTest.ROW1);
        Files.writeString(tmp.resolve("secret.csv"), "secret");
        try (Server s = start(runs)) {
            String u = s.url();
            assertThat(get(u + "/", null).body()).contains("<title>jresnet · classify</title>");
            String page = get(u + "/runs", null).body();
            assertThat(page).contains("/webjars/uplot/").doesNotContain("{{uplot}}");
            String js = page.replaceAll("(?s).*<script src=\"(/webjars/[^\"]+)\".*", "$1");
            assertThat(get(u + js, null).statusCode()).isEqualTo(200);
            assertThat(get(u + "/static/runs.js", null).statusCode()).isEqualTo(200);
            assertThat(get(u + "/runs/api/list", null).statusCode()).isEqualTo(401);
            HttpResponse<String> list = get(u + "/runs/api/list", KEY);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("\"path\":\"r\"").contains("\"status\":\"stopped\"");
            HttpResponse<String> run = get(u + "/runs/api/run?path=r", KEY);
            assertThat(run.body()).contains("\"rows\":[{\"epoch\":1");
            HttpResponse<String> up = get(u + "/runs/api/file?path=../secret.csv", KEY);
            assertThat(up.statusCode()).isEqualTo(400);
            assertThat(up.body()).startsWith("{\"error\":");
            assertThat(get(u + "/runs/api/file?path=r/metrics.jsonl", KEY).body()).contains("\"epoch\":1");
            assertThat(get(u + "/runs/api/run?path=nope", KEY).statusCode()).isEqualTo(404);
            // HEAD runs the GET handler: its status and type, no body (Javalin's own HEAD said 200 to all)
            assertThat(head(u + "/runs/api/run?path=nope", KEY).statusCode()).isEqualTo(404);
            assertThat(head(u + "/runs/api/file?path=../secret.csv", KEY).statusCode()).isEqualTo(400);
            HttpResponse<String> headPage = head(u + "/runs", null);
            assertThat(headPage.statusCode()).isEqualTo(200);
            assertThat(headPage.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(headPage.body()).isEmpty();
            // a value that does not URL-decode is not a missing one (java.net.http will not send it)
            java.net.URI base = java.net.URI.create(u);
            try (java.net.Socket sock = new java.net.Socket(base.getHost(), base.getPort())) {
                sock.setSoTimeout(10_000);
                sock.getOutputStream().write(("GET /runs/api/run?path=%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                        + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer = new String(sock.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 400 ").contains("?path= is not URL-encoded: path=%ZZ");
            }
        }
    }

    @Test void withoutRunsTheRunsDataSaysHowToGetIt() throws Exception {
        try (Server s = start(null)) {
            HttpResponse<String> r = get(s.url() + "/runs/api/list", KEY);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("--runs DIR");
            assertThat(get(s.url() + "/runs", null).statusCode()).isEqualTo(200);
        }
    }
}
