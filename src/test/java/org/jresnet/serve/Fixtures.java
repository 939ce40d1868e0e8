package org.jresnet.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;

/** What the server tests share: tiny random-weight models in files, images, an HTTP client. */
final class Fixtures {
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Fixtures() {}

    /** A randomly initialised ResNet-20 (CIFAR-10 metadata) written to {@code file}. */
    static Path model(Path file, long seed) throws IOException {
        ModelConfig c = ModelConfig.of("resnet20").withSeed(seed);
        ResNet net = Models.create(c);
        ModelFiles.save(file, net, ModelMetadata.defaults(c));
        return file;
    }

    static ModelSpec spec(String name, Path file) throws IOException {
        ModelFiles.Loaded l = ModelFiles.load(file);
        return new ModelSpec(name, l.model(), l.metadata(), null);
    }

    /** A PNG of random pixels. */
    static byte[] png(int w, int h, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) b.setRGB(x, y, r.nextInt(1 << 24));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(b, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static HttpRequest.Builder request(String url, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return b;
    }

    static HttpResponse<String> get(String url, String key) throws Exception {
        return CLIENT.send(request(url, key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String url, String key, byte[] body, String type) throws Exception {
        return CLIENT.send(request(url, key).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A multipart/form-data body with one file part per image. */
    record Multipart(String contentType, byte[] body) {}

    static Multipart multipart(List<String> names, List<byte[]> files) {
        String boundary = "jresnet-test-boundary-7f3a";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < files.size(); i++) {
            String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image" + i + "\"; filename=\""
                    + names.get(i) + "\"\r\nContent-Type: image/png\r\n\r\n";
            out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(files.get(i));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return new Multipart("multipart/form-data; boundary=" + boundary, out.toByteArray());
    }
}
