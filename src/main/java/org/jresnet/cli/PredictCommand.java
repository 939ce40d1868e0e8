package org.jresnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jresnet.data.ImageDecoder;
import org.jresnet.io.Normalization;
import org.jresnet.data.ResizeCenterCrop;
import org.jresnet.data.Transforms;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.Preprocessing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Classify images: the top classes with their probabilities, preprocessing from the model's metadata.")
final class PredictCommand implements Callable<Integer> {
    @Mixin WeightsOption weights;
    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "JPEG/PNG files, or folders of them.")
    List<Path> inputs;
    @Option(names = "--top", description = "Classes to list per image (default ${DEFAULT-VALUE}).") int top = 5;
    @Option(names = "--batch", description = "Images per forward pass (default ${DEFAULT-VALUE}).") int batch = 64;
    @Option(names = "--json", description = "Print a JSON array, in input order.") boolean json;
    @Mixin EngineOptions engine;

    @Override public Integer call() throws Exception {
        if (top < 1) throw new Errors.UsageException("--top must be >= 1");
        if (batch < 1) throw new Errors.UsageException("--batch must be >= 1");
        List<Path> files = expand(inputs);
        ModelFiles.Loaded loaded = weights.load();
        ModelMetadata meta = loaded.metadata();
        int size = meta.inputSize()[1];
        Normalization norm = meta.normalization();
        ResizeCenterCrop prep = Preprocessing.resizeCrop(norm, size);
        int k = meta.numClasses(), shown = Math.min(top, k);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int start = 0; start < files.size(); start += batch) {
            int n = Math.min(batch, files.size() - start);
            Tensor x = Tensor.zeros(n, size, size, 3);
            for (int i = 0; i < n; i++) {
                Path f = files.get(start + i);
                Transforms.applyToImage(prep, ImageDecoder.decode(read(f), f.toString()), x.data(), i * size * size * 3);
            }
            Tensor logits = loaded.model().forward(x);
            for (int i = 0; i < n; i++) {
                double[] p = softmax(logits, i, k);
                Integer[] order = new Integer[k];
                for (int j = 0; j < k; j++) order[j] = j;
                java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
                List<Map<String, Object>> topList = new ArrayList<>();
                for (int j = 0; j < shown; j++) {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("class", meta.classes().get(order[j]));
                    t.put("index", order[j]);
                    t.put("prob", p[order[j]]);
                    topList.add(t);
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("file", files.get(start + i).toString());
                r.put("top", topList);
                out.add(r);
            }
        }
        if (json) {
            Json.print(out);
        } else {
            for (Map<String, Object> r : out) {
                StringBuilder b = new StringBuilder(r.get("file").toString()).append(':');
                for (Object o : (List<?>) r.get("top")) {
                    Map<?, ?> t = (Map<?, ?>) o;
                    b.append(String.format(Locale.ROOT, "  %s %.1f%%", t.get("class"), 100 * (Double) t.get("prob")));
                }
                System.out.println(b);
            }
        }
        return 0;
    }

    private static byte[] read(Path f) throws IOException {
        if (!Files.isRegularFile(f)) throw new java.nio.file.NoSuchFileException(f.toString());
        return Files.readAllBytes(f);
    }

    /** Files as given; folders contribute their JPEG/PNG files (recursively, sorted). */
    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    List<Path> found = s.filter(Files::isRegularFile).filter(PredictCommand::isImage).sorted().toList();
                    if (found.isEmpty()) throw new IllegalArgumentException("no JPEG or PNG images in " + p);
                    files.addAll(found);
                }
            } else if (!Files.exists(p)) {
                throw new java.nio.file.NoSuchFileException(p.toString());
            } else {
                files.add(p);
            }
        }
        return files;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    private static double[] softmax(Tensor logits, int i, int k) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        double[] p = new double[k];
        for (int j = 0; j < k; j++) max = Math.max(max, logits.get(i * k + j));
        for (int j = 0; j < k; j++) sum += p[j] = Math.exp(logits.get(i * k + j) - max);
        for (int j = 0; j < k; j++) p[j] /= sum;
        return p;
    }
}
