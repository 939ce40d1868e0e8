package org.jresnet.serve;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.jresnet.data.BadImageException;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;

/**
 * {@code jresnet serve}: the models behind HTTP on Javalin (Jetty), safe by default — bound to
 * 127.0.0.1 unless told otherwise, an optional API key on every route but {@code /healthz},
 * request-size and pixel limits, a bounded queue per model (503 + Retry-After when full for now,
 * 413 for a request larger than it), JSON errors, no CORS headers unless an origin is given, and a
 * stop that drains requests in flight.
 *
 * <p>Routes beyond the API (web pages, a run browser) come in as {@link Extension}s.
 */
public final class Server implements AutoCloseable {
    /**
     * More routes on the same server (e.g. the web pages). {@code publicPaths} skip the API key:
     * exact paths, or prefixes written {@code /static/*}.
     */
    public interface Extension {
        /** Settings only possible before the server is built (static files, for one). */
        default void configure(JavalinConfig config) {}

        void register(Javalin app);

        default Set<String> publicPaths() { return Set.of(); }
    }

    /** One route of the API, as the OpenAPI document lists it. */
    public record Route(String method, String path) {}

    static final String HEALTH = "/healthz", READY = "/readyz", METRICS = "/metrics", OPENAPI = "/openapi.json";
    private static final String OPENAPI_RESOURCE = "openapi.json";

    private final ServerConfig cfg;
    private final ModelTable models = new ModelTable();
    private final ServerMetrics metrics;
    private final Javalin app;
    private final List<Route> routes = new ArrayList<>();
    private final Set<String> publicPaths = new HashSet<>(Set.of(HEALTH));
    private final Consumer<String> accessLog;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<Void> warm;
    private volatile boolean draining;

    private Server(ServerConfig cfg, List<ModelSpec> specs, List<Extension> extensions, Consumer<String> accessLog) {
        if (specs.isEmpty()) throw new IllegalArgumentException("no model to serve");
        this.cfg = cfg;
        this.accessLog = accessLog;
        this.metrics = new ServerMetrics(cfg.maxBatch(), specs.stream().map(ModelSpec::name).toList(),
                n -> models.asMap().get(n).batcher.depth());
        // Each model gets an engine like the caller's (its --threads), with a pool of its own.
        EngineConfig engine = Engine.current().config();
        for (ModelSpec s : specs) {
            models.add(new ServedModel(s, cfg, engine, (size, nanos) -> metrics.batch(s.name(), size, nanos)));
        }
        this.warm = CompletableFuture.allOf(models.all().stream().map(m -> m.batcher.warm()).toArray(CompletableFuture[]::new));
        for (Extension e : extensions) publicPaths.addAll(e.publicPaths());
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.startupWatcherEnabled = false;
            c.http.prefer405over404 = true;
            c.http.maxRequestSize = cfg.maxBodyBytes();
            c.requestLogger.http(this::logRequest);
            c.jetty.modifyServer(s -> {
                // Graceful stop: Jetty stops accepting, then waits for the requests this handler counts.
                s.setHandler(new StatisticsHandler());
                s.setStopTimeout(cfg.drainSeconds() * 1000L);
                s.setErrorHandler(new JsonErrorHandler());   // Jetty's own 400/431s in the API's JSON
            });
            for (Extension e : extensions) e.configure(c);
        });
        installGuards();
        installRoutes();
        for (Extension e : extensions) e.register(app);
    }

    /** Loads the batchers (warm-up starts at once) and listens; {@code accessLog} gets one line per request. */
    public static Server start(ServerConfig cfg, List<ModelSpec> specs, List<Extension> extensions, Consumer<String> accessLog) {
        checkBindable(cfg.host(), cfg.port());
        Server s = new Server(cfg, specs, extensions, accessLog);
        try {
            s.app.start(cfg.host(), cfg.port());
        } catch (RuntimeException e) {
            s.closeBatchers();
            Throwable c = e;
            while (c.getCause() != null) c = c.getCause();
            throw new IllegalStateException("cannot listen on " + cfg.host() + ":" + cfg.port() + ": " + c.getMessage(), e);
        }
        return s;
    }

    /**
     * A clear error for a port in use or a host that is not this machine's: Jetty reports those
     * only as a failed start ("STOPPED").
     */
    private static void checkBindable(String host, int port) {
        InetSocketAddress address = new InetSocketAddress(host, port);   // port 0: the host alone is checked
        if (address.isUnresolved()) throw new IllegalStateException("cannot listen on " + host + ":" + port + ": unknown host");
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
    }

    public static Server start(ServerConfig cfg, List<ModelSpec> specs) {
        return start(cfg, specs, List.of(), System.out::println);
    }

    public int port() { return app.port(); }
    public String url() { return "http://" + cfg.host() + ":" + port(); }
    public boolean ready() { return warm.isDone() && !warm.isCompletedExceptionally() && !draining; }
    /** Completes when every model's warm-up passes ran. */
    public CompletableFuture<Void> warm() { return warm; }
    public List<Route> routes() { return List.copyOf(routes); }

    /**
     * Stops accepting, lets requests in flight finish (at most the drain time), runs what the
     * queues still hold, and stops. Safe to call twice.
     */
    @Override public synchronized void close() {
        if (stopped.getCount() == 0) return;
        draining = true;
        app.stop();
        closeBatchers();
        stopped.countDown();
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitStop() throws InterruptedException { stopped.await(); }

    private void closeBatchers() {
        for (ServedModel m : models.all()) {
            m.batcher.close();
            m.engine.close();
        }
    }

    // ------------------------------------------------------------------ wiring

    private void route(HandlerType method, String path, Handler h) {
        routes.add(new Route(method.name(), path));
        app.addHttpHandler(method, path, h);
        // Javalin answers HEAD on a GET route with an empty 200 without running the handler, so a
        // monitor probing /readyz with HEAD saw "ready" during warm-up. The GET handler's status
        // and headers are the answer; Jetty sends no body for HEAD.
        if (method == HandlerType.GET) app.addHttpHandler(HandlerType.HEAD, path, h);
    }

    private void installRoutes() {
        InferenceApi v1 = new InferenceApi(models, cfg.maxBodyBytes());
        V2Api v2 = new V2Api(models, cfg.maxBodyBytes(), version());
        route(HandlerType.GET, HEALTH, ctx -> Http.json(ctx, 200, Map.of("status", "alive")));
        route(HandlerType.GET, READY, this::readiness);
        route(HandlerType.GET, METRICS, ctx -> ctx.contentType(ServerMetrics.contentType()).result(metrics.scrape()));
        route(HandlerType.GET, OPENAPI, this::openApi);
        route(HandlerType.GET, "/v1/models", v1::list);
        route(HandlerType.GET, "/v1/models/{name}", v1::one);
        route(HandlerType.POST, "/v1/predict", v1::predict);
        route(HandlerType.POST, "/v1/models/{name}/predict", v1::predict);
        route(HandlerType.POST, "/v1/features", v1::features);
        route(HandlerType.POST, "/v1/models/{name}/features", v1::features);
        route(HandlerType.GET, "/v2", v2::server);
        route(HandlerType.GET, "/v2/health/live", ctx -> Http.json(ctx, 200, Map.of("live", true)));
        route(HandlerType.GET, "/v2/health/ready", ctx -> Http.json(ctx, ready() ? 200 : 503, Map.of("ready", ready())));
        route(HandlerType.GET, "/v2/models/{name}", v2::metadata);
        route(HandlerType.GET, "/v2/models/{name}/ready", ctx -> {
            ServedModel m = models.fromPath(ctx);
            boolean r = m.batcher.warm().isDone() && !draining;
            Http.json(ctx, r ? 200 : 503, Map.of("name", m.name(), "ready", r));
        });
        route(HandlerType.POST, "/v2/models/{name}/infer", v2::infer);
    }

    private void readiness(Context ctx) {
        if (warm.isCompletedExceptionally()) {
            Http.error(ctx, 503, "warm-up failed: " + warm.handle((v, t) -> t.getMessage()).join());
        } else if (draining) {
            Http.error(ctx, 503, "shutting down");
        } else if (!warm.isDone()) {
            Http.error(ctx, 503, "warming up");
        } else {
            Http.json(ctx, 200, Map.of("status", "ready", "models", List.copyOf(models.asMap().keySet())));
        }
    }

    private void openApi(Context ctx) throws IOException {
        try (InputStream in = Server.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) throw new IllegalStateException("openapi.json missing from the jar");
            ctx.contentType(Http.JSON_TYPE).result(in.readAllBytes());
        }
    }

    /** Auth, CORS, the body limit, and every error as {@code {"error": ...}}. */
    private void installGuards() {
        ApiKey key = cfg.apiKey() == null ? null : new ApiKey(cfg.apiKey());
        String origin = cfg.corsOrigin();
        app.before(ctx -> {
            if (origin != null) {
                ctx.header("Access-Control-Allow-Origin", origin);
                ctx.header("Vary", "Origin");
                if (ctx.method() == HandlerType.OPTIONS) {
                    // A preflight carries no credentials; it only learns what it may send.
                    ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
                    ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
                    ctx.header("Access-Control-Max-Age", "600");
                    ctx.status(204);
                    ctx.skipRemainingHandlers();
                    return;
                }
            }
            if (key != null && !isPublic(ctx.path()) && !key.accepts(ctx.header("Authorization"))) {
                throw new ApiException(401, "missing or wrong API key: send 'Authorization: Bearer KEY'",
                        Map.of("WWW-Authenticate", "Bearer"));
            }
            long length = ctx.req().getContentLengthLong();
            if (length > cfg.maxBodyBytes()) throw RequestBodies.tooLarge(cfg.maxBodyBytes());
        });
        app.exception(ApiException.class, (e, ctx) -> {
            e.headers.forEach(ctx::header);
            Http.error(ctx, e.status, e.getMessage());
        });
        app.exception(BadImageException.class, (e, ctx) -> Http.error(ctx, 400, e.getMessage()));
        app.exception(HttpResponseException.class, (e, ctx) -> Http.error(ctx, e.getStatus(), describe(e.getStatus(), ctx)));
        app.exception(Exception.class, (e, ctx) -> {
            System.err.println("jresnet serve: " + ctx.method() + " " + ctx.path() + " failed: " + e);
            Http.error(ctx, 500, "internal error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        });
    }

    private boolean isPublic(String path) {
        for (String p : publicPaths) {
            if (p.endsWith("/*") ? path.startsWith(p.substring(0, p.length() - 1)) : path.equals(p)) return true;
        }
        return false;
    }

    private String describe(int status, Context ctx) {
        return switch (status) {
            case 404 -> "no route " + ctx.path();
            case 405 -> ctx.method() + " is not allowed on " + ctx.path();
            case 413 -> "request body is over the limit of " + cfg.maxBodyBytes() + " bytes (serve --max-body)";
            default -> "HTTP " + status;
        };
    }

    private void logRequest(Context ctx, Float ms) {
        String route;
        try {
            route = ctx.endpointHandlerPath();
        } catch (RuntimeException unmatched) {
            route = "unmatched";
        }
        if (route == null || route.isEmpty() || route.equals("*")) route = "unmatched";
        int code = ctx.statusCode();
        metrics.request(route, ctx.method().name(), code, ms / 1000.0);
        accessLog.accept(String.format(Locale.ROOT, "%s %s \"%s %s\" %d %.1fms", Instant.now(), ctx.ip(), ctx.method(),
                ctx.path(), code, ms));
    }

    static String version() {
        String v = Server.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
