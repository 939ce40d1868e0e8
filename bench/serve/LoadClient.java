import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * Load client of bench/serve: a fixed number of POSTs of JPEGs to one model of a server on
 * 127.0.0.1, at each concurrency level; one Markdown table row per level (throughput, latency
 * percentiles, mean batch size read from the server's /metrics, errors). Runs as a source file:
 *
 *   java bench/serve/LoadClient.java --url http://127.0.0.1:8080 --model r50 --size 224 \
 *        --levels 1,4,16,64 --requests 2000 --label jresnet
 */
public class LoadClient {
    static final int DISTINCT_IMAGES = 64;

    public static void main(String[] args) throws Exception {
        String url = null, model = null, label = "server";
        int size = 224, requests = 100;
        int[] levels = {1, 4, 16, 64};
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) usage("missing value for " + args[i]);
            switch (args[i]) {
                case "--url" -> url = v;
                case "--model" -> model = v;
                case "--size" -> size = Integer.parseInt(v);
                case "--requests" -> requests = Integer.parseInt(v);
                case "--levels" -> levels = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--label" -> label = v;
                default -> usage("unknown option " + args[i]);
            }
        }
        if (url == null || model == null) usage("--url and --model are required");
        URI host = URI.create(url);
        if (!"127.0.0.1".equals(host.getHost())) usage("loopback only: the URL must be http://127.0.0.1:PORT");
        List<byte[]> images = jpegs(size);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        String target = url + "/v1/models/" + model + "/predict";
        for (int c : levels) row(client, url, target, model, label, size, images, c, requests);
    }

    static void usage(String m) {
        System.err.println("LoadClient: " + m);
        System.exit(2);
    }

    /** Distinct smooth-plus-noise pictures, JPEG-encoded (quality: ImageIO's default). */
    static List<byte[]> jpegs(int size) throws Exception {
        List<byte[]> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(42);
        for (int k = 0; k < DISTINCT_IMAGES; k++) {
            BufferedImage b = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            int a = r.nextInt(256), g = r.nextInt(256);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int red = (a + x * 255 / size + r.nextInt(32)) & 0xff;
                    int green = (g + y * 255 / size + r.nextInt(32)) & 0xff;
                    int blue = ((x ^ y) + k * 8 + r.nextInt(32)) & 0xff;
                    b.setRGB(x, y, (red << 16) | (green << 8) | blue);
                }
            }
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ImageIO.write(b, "jpg", o);
            out.add(o.toByteArray());
        }
        return out;
    }

    static void row(HttpClient client, String base, String target, String model, String label, int size, List<byte[]> images,
                    int concurrency, int requests) throws Exception {
        double[] before = batchStats(client, base, model);
        long[] latency = new long[requests];
        AtomicInteger next = new AtomicInteger(), errors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            fs.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < requests; ) {
                    HttpRequest req = HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(120))
                            .header("Content-Type", "image/jpeg")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(images.get(i % images.size()))).build();
                    long s = System.nanoTime();
                    try {
                        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) errors.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    latency[i] = System.nanoTime() - s;
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
        double wall = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        double[] after = batchStats(client, base, model);
        double batches = after[1] - before[1];
        String meanBatch = batches > 0 ? String.format(Locale.ROOT, "%.2f", (after[0] - before[0]) / batches) : "n/a";
        Arrays.sort(latency);
        System.out.printf(Locale.ROOT, "| %s | %s | %dx%d | %d | %d | %.1f | %.1f | %.1f | %.1f | %s | %d |%n", label, model,
                size, size, concurrency, requests, requests / wall, ms(latency, 0.50), ms(latency, 0.95), ms(latency, 0.99),
                meanBatch, errors.get());
    }

    static double ms(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** {sum, count} of jresnet_batch_size for the model from /metrics (zeros when absent). */
    static double[] batchStats(HttpClient client, String base, String model) {
        double[] out = new double[2];
        try {
            String m = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : m.split("\n")) {
                String sel = "{model=\"" + model + "\"} ";
                if (line.startsWith("jresnet_batch_size_sum" + sel)) out[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (line.startsWith("jresnet_batch_size_count" + sel)) out[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        } catch (Exception e) {
            // no metrics: the mean batch column says n/a
        }
        return out;
    }
}
