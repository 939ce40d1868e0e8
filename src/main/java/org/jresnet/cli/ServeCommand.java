package org.jresnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.SafeTensors;
import org.jresnet.serve.ModelSpec;
import org.jresnet.serve.Server;
import org.jresnet.serve.ServerConfig;
import org.jresnet.serve.Signals;
import org.jresnet.train.RunFiles;
import org.jresnet.web.WebPages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve models over HTTP with dynamic batching, and web pages (/ classifies images, /runs follows training).",
            "Routes: POST /v1/predict, GET /v1/models, POST /v2/models/{name}/infer, /healthz, /readyz, /metrics, /openapi.json.",
            "Binds 127.0.0.1 unless --host says otherwise; SIGTERM drains requests in flight and exits 0."})
final class ServeCommand implements Callable<Integer> {
    /** Environment variable read for the key when --api-key is not given (keeps it out of `ps`). */
    static final String API_KEY_ENV = "JRESNET_API_KEY";

    @Option(names = "--weights", paramLabel = "[NAME=]FILE",
            description = "A model to serve (repeatable; the first is the default). NAME defaults to the file name"
                    + " without extension. Default: the shipped ResNet-20.")
    List<String> weights = new ArrayList<>();
    @Option(names = "--host", description = "Address to bind (default ${DEFAULT-VALUE}).") String host = ServerConfig.DEFAULT_HOST;
    @Option(names = "--port", description = "Port (default ${DEFAULT-VALUE}; 0 = any free port).") int port = ServerConfig.DEFAULT_PORT;
    @Option(names = "--max-batch", description = "Images per forward pass at most (default ${DEFAULT-VALUE}).")
    int maxBatch = ServerConfig.DEFAULT_MAX_BATCH;
    @Option(names = "--max-delay-ms", description = "Longest wait for a batch to fill (default ${DEFAULT-VALUE}).")
    int maxDelayMs = ServerConfig.DEFAULT_MAX_DELAY_MS;
    @Option(names = "--queue", description = "Images waiting per model at most; beyond, 503 (default ${DEFAULT-VALUE}).")
    int queue = ServerConfig.DEFAULT_QUEUE;
    @Mixin EngineOptions engine;
    @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' on every route but /healthz"
            + " (or set " + API_KEY_ENV + ", which other users cannot see in ps).")
    String apiKey;
    @Option(names = "--cors", paramLabel = "ORIGIN", description = "Allow this browser origin (no CORS headers otherwise).")
    String cors;
    @Option(names = "--max-body-mb", description = "Request body limit in MB (default ${DEFAULT-VALUE}).") int maxBodyMb = 20;
    @Option(names = "--max-pixels", description = "Decoded image limit in pixels (default ${DEFAULT-VALUE}).")
    long maxPixels = ServerConfig.DEFAULT_MAX_PIXELS;
    @Option(names = "--runs", paramLabel = "DIR", description = "Show the training runs under DIR live at /runs"
            + " (curves, configuration, state; the experiments' plots and summaries).")
    Path runs;
    @Option(names = "--warmup", description = "Forward passes per model before /readyz says ready (default ${DEFAULT-VALUE}).")
    int warmup = ServerConfig.DEFAULT_WARMUP_BATCHES;

    @Override public Integer call() throws Exception {
        if (maxBodyMb < 1) throw new Errors.UsageException("--max-body-mb must be >= 1");
        String key = apiKey != null ? apiKey : System.getenv(API_KEY_ENV);
        ServerConfig cfg = new ServerConfig(host, port, maxBatch, maxDelayMs, queue, key, cors, (long) maxBodyMb << 20,
                maxPixels, warmup, ServerConfig.DEFAULT_DRAIN_SECONDS);
        List<ModelSpec> specs = new ArrayList<>();
        if (weights.isEmpty()) weights.add(Home.bundled(Home.SHIPPED_MODEL).toString());
        for (String w : weights) specs.add(load(w));

        if (runs != null && !Files.isDirectory(runs)) throw new Errors.UsageException("--runs " + runs + " is not a folder");
        Server server = Server.start(cfg, specs, List.of(new WebPages(runs)), System.out::println);
        Signals.onTerminate(server::close);
        System.out.println("jresnet serve: listening on " + server.url() + (key != null ? " (API key required)" : ""));
        System.out.println("  pages: " + server.url() + "/ (classify)" + (runs != null ? ", " + server.url() + "/runs (runs in "
                + runs + ")" : ""));
        for (ModelSpec s : specs) {
            ModelMetadata m = s.metadata();
            System.out.printf(Locale.ROOT, "  model %s: %s, %d classes, %dx%d input%n", s.name(), m.model(), m.numClasses(),
                    m.inputSize()[1], m.inputSize()[2]);
        }
        server.warm().whenComplete((v, t) -> System.out.println(t == null ? "jresnet serve: ready"
                : "jresnet serve: warm-up failed: " + Errors.describe(t.getCause() != null ? t.getCause() : t)));
        server.awaitStop();
        System.out.println("jresnet serve: stopped");
        return 0;
    }

    /** {@code [NAME=]FILE}: a file jresnet wrote (its metadata says which network and classes). */
    static ModelSpec load(String arg) throws Exception {
        String name = null, file = arg;
        int eq = arg.indexOf('=');
        if (eq > 0 && !Files.exists(Path.of(arg)) && ModelSpec.NAME.matcher(arg.substring(0, eq)).matches()) {
            name = arg.substring(0, eq);
            file = arg.substring(eq + 1);
        }
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) throw new java.nio.file.NoSuchFileException(file);
        if (name == null) {
            String f = p.getFileName().toString();
            name = f.contains(".") ? f.substring(0, f.lastIndexOf('.')) : f;
            if (!ModelSpec.NAME.matcher(name).matches()) {
                throw new Errors.UsageException("'" + f + "' makes no model name; give one: --weights NAME=" + file);
            }
        }
        if (!ModelMetadata.isJresnet(SafeTensors.read(p).metadata())) {
            throw new Errors.UsageException(file + " has no jresnet metadata; serve takes files jresnet wrote"
                    + " (train, or python/export_torchvision.py for PyTorch weights)");
        }
        ModelFiles.Loaded l = ModelFiles.load(p);
        String top1 = l.file().metadata().get(RunFiles.TEST_TOP1_KEY);
        Double acc = null;
        if (top1 != null) {
            try {
                acc = Double.parseDouble(top1);
            } catch (NumberFormatException e) {
                throw new Errors.UsageException(file + ": metadata " + RunFiles.TEST_TOP1_KEY + " is not a number: " + top1);
            }
        }
        return new ModelSpec(name, l.model(), l.metadata(), acc);
    }
}
