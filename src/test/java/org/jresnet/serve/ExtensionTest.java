package org.jresnet.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routes added beside the API (the web pages will be one): served, and public only where they say. */
class ExtensionTest {
    @TempDir Path tmp;

    @Test void extensionRoutesAndTheirPublicPaths() throws Exception {
        Server.Extension pages = new Server.Extension() {
            @Override public void register(Javalin app) {
                app.get("/", ctx -> ctx.html("<h1>page</h1>"));
                app.get("/static/app.js", ctx -> ctx.result("js"));
                app.get("/private", ctx -> ctx.result("secret"));
            }

            @Override public Set<String> publicPaths() { return Set.of("/", "/static/*"); }
        };
        ServerConfig cfg = ServerConfig.defaults().withPort(0).withAccess("k", null).withWarmup(0);
        try (Server s = Server.start(cfg, List.of(Fixtures.spec("m", Fixtures.model(tmp.resolve("m.safetensors"), 6))),
                List.of(pages), line -> { })) {
            assertThat(Fixtures.get(s.url() + "/", null).body()).contains("page");
            assertThat(Fixtures.get(s.url() + "/static/app.js", null).statusCode()).isEqualTo(200);
            assertThat(Fixtures.get(s.url() + "/private", null).statusCode()).isEqualTo(401);
            assertThat(Fixtures.get(s.url() + "/private", "k").body()).isEqualTo("secret");
            assertThat(Fixtures.get(s.url() + "/v1/models", null).statusCode()).isEqualTo(401);
        }
    }
}
