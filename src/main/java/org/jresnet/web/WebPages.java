package org.jresnet.web;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jresnet.serve.Server;

/**
 * The web pages of {@code serve}: {@code /} classifies images dropped on it with the served models,
 * {@code /runs} follows the training runs under {@code --runs DIR} live. Plain HTML, CSS and
 * JavaScript from the jar, charts by uPlot from its WebJar: nothing is fetched from elsewhere, so
 * the pages work offline. The pages and their assets are public; the data they fetch (the API, the
 * runs) is behind the API key when one is set, and the pages ask for it.
 */
public final class WebPages implements Server.Extension {
    static final String STATIC_PATH = "/static", WEBJARS_PATH = "/webjars";
    private static final String RESOURCES = "/org/jresnet/web/";
    private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";
    /** Where the pages name the uPlot version, so that the HTML follows the pom's. */
    private static final String UPLOT_PLACEHOLDER = "{{uplot}}";

    private final RunsApi runs;
    private final String classifyPage, runsPage;

    /** {@code runsDir}: the folder of {@code serve --runs}, or null. */
    public WebPages(Path runsDir) throws IOException {
        this.runs = new RunsApi(runsDir == null ? null : new RunsRoot(runsDir));
        String uplot = uplotVersion();
        this.classifyPage = page("classify.html").replace(UPLOT_PLACEHOLDER, uplot);
        this.runsPage = page("runs.html").replace(UPLOT_PLACEHOLDER, uplot);
    }

    @Override public void configure(JavalinConfig config) {
        config.staticFiles.add(s -> {
            s.hostedPath = STATIC_PATH;
            s.directory = RESOURCES + "static";
            s.location = Location.CLASSPATH;
            s.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff");
        });
        config.staticFiles.enableWebjars();
    }

    @Override public void register(Javalin app) {
        get(app, "/", ctx -> ctx.html(classifyPage));
        get(app, "/runs", ctx -> ctx.html(runsPage));
        get(app, RunsApi.LIST_ROUTE, runs::list);
        get(app, RunsApi.RUN_ROUTE, runs::run);
        get(app, RunsApi.EXPERIMENT_ROUTE, runs::experiment);
        get(app, RunsApi.FILE_ROUTE, runs::file);
        app.exception(WebException.class, (e, ctx) -> ctx.status(e.status).contentType("application/json")
                .result("{\"error\":" + quote(e.getMessage()) + "}"));
    }

    /**
     * GET, and HEAD through the same handler: Javalin's own HEAD on a GET route is an empty 200
     * whatever GET would answer (a missing run, a path outside the runs folder).
     */
    private static void get(Javalin app, String path, Handler h) {
        app.get(path, h);
        app.head(path, h);
    }

    @Override public Set<String> publicPaths() {
        return Set.of("/", "/runs", STATIC_PATH + "/*", WEBJARS_PATH + "/*");
    }

    private static String page(String name) throws IOException {
        try (InputStream in = WebPages.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) throw new IllegalStateException(name + " missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String uplotVersion() throws IOException {
        try (InputStream in = WebPages.class.getResourceAsStream(UPLOT_POM)) {
            if (in == null) throw new IllegalStateException("the uPlot WebJar is missing from the class path");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }

    private static String quote(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
