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
import org.jresnet.data.BadImageException;
import org.jresnet.data.DecodeLimits;
import org.jresnet.data.ImageBytes;
import org.jresnet.data.ImageDecoder;
import org.jresnet.io.Normalization;
import org.jresnet.data.ResizeCenterCrop;
import org.jresnet.data.RgbImage;
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
    @Mixin DecodeLimitsOptions limits;
    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR",
            description = "JPEG/PNG/BMP/GIF files, or folders of them (hidden files skipped).")
    List<Path> inputs;
    @Option(names = "--top", description = "Classes to list per image (default ${DEFAULT-VALUE}).") int top = 5;
    @Option(names = "--batch", description = "Images per forward pass (default ${DEFAULT-VALUE}).") int batch = 64;
    @Option(names = "--json", description = "Print a JSON array, in input order.") boolean json;
    @Mixin EngineOptions engine;
    @Option(names = "--skip-bad", description = "Report an unreadable image (an \"error\" entry in --json, a line on"
            + " stderr otherwise) and predict the rest; exit 1 if any failed.") boolean skipBad;

    @Override public Integer call() throws Exception {
        if (top < 1) throw new Errors.UsageException("--top must be >= 1");
        if (batch < 1) throw new Errors.UsageException("--batch must be >= 1");
        List<Path> files = expand(inputs);
        DecodeLimits lim = limits.limits();
        ModelFiles.Loaded loaded = weights.load();
        ModelMetadata meta = loaded.metadata();
        int size = meta.inputSize()[1];
        Normalization norm = meta.normalization();
        ResizeCenterCrop prep = Preprocessing.resizeCrop(norm, size);
        int k = meta.numClasses(), shown = Math.min(top, k);
        List<Map<String, Object>> out = new ArrayList<>();
        int failed = 0;
        for (int start = 0; start < files.size(); start += batch) {
            int n = Math.min(batch, files.size() - start);
            Tensor x = Tensor.zeros(n, size, size, 3);
            String[] errors = new String[n];
            for (int i = 0; i < n; i++) {
                Path f = files.get(start + i);
                try {
                    RgbImage img = ImageDecoder.decode(read(f, lim), f.toString(), lim);
                    Transforms.applyToImage(prep, img, x.data(), i * size * size * 3);
                } catch (BadImageException | IOException e) {
                    if (!skipBad) throw e;
                    errors[i] = Errors.reason(e);
                    failed++;
                    if (!json) System.err.println("jresnet: skipping " + errors[i]);
                }
            }
            Tensor logits = loaded.model().infer(x);
            for (int i = 0; i < n; i++) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("file", files.get(start + i).toString());
                if (errors[i] != null) {
                    r.put("error", errors[i]);
                    out.add(r);
                    continue;
                }
                double[] p = org.jresnet.nn.SoftmaxCrossEntropy.probabilities(logits.data(), logits.offset() + i * k, k);
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
                r.put("top", topList);
                out.add(r);
            }
        }
        if (json) {
            Json.print(out);
        } else {
            for (Map<String, Object> r : out) {
                if (r.containsKey("error")) continue;  // already on stderr
                StringBuilder b = new StringBuilder(r.get("file").toString()).append(':');
                for (Object o : (List<?>) r.get("top")) {
                    Map<?, ?> t = (Map<?, ?>) o;
                    b.append(String.format(Locale.ROOT, "  %s %.1f%%", t.get("class"), 100 * (Double) t.get("prob")));
                }
                System.out.println(b);
            }
        }
        if (failed > 0 && !json) System.err.println("jresnet: " + failed + " of " + files.size() + " images could not be read");
        return failed > 0 ? 1 : 0;
    }

    static byte[] read(Path f, DecodeLimits limits) throws IOException {
        if (!Files.exists(f)) throw new java.nio.file.NoSuchFileException(f.toString());
        if (!Files.isRegularFile(f)) throw new IOException(f + " is not a regular file");
        return ImageBytes.readFile(f, f.toString(), limits);
    }

    /**
     * Files as given; folders contribute their image files (recursively, sorted), hidden ones
     * (".x.jpg", macOS's AppleDouble "._x.jpg", anything under a hidden folder) left out.
     */
    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                List<Path> regular;
                try (Stream<Path> s = Files.walk(p)) {
                    regular = s.filter(f -> !hiddenBelow(p, f)).filter(Files::isRegularFile).sorted().toList();
                }
                List<Path> found = regular.stream().filter(PredictCommand::isImage).toList();
                if (found.isEmpty()) {
                    throw new IllegalArgumentException("no " + String.join("/", ImageDecoder.FORMATS) + " images in " + p
                            + (regular.isEmpty() ? "" : " (" + regular.size() + " other files; image names end in "
                            + String.join(" ", IMAGE_EXTENSIONS) + ")"));
                }
                int other = regular.size() - found.size();
                if (other > 0) {
                    // said, not silently dropped: a .tif or a file without an extension is easy to miss
                    System.err.printf(Locale.ROOT, "jresnet: %s: %d file%s without an image extension (%s) left out%n",
                            p, other, other == 1 ? "" : "s", String.join(" ", IMAGE_EXTENSIONS));
                }
                files.addAll(found);
            } else if (!Files.exists(p)) {
                throw new java.nio.file.NoSuchFileException(p.toString());
            } else {
                files.add(p);
            }
        }
        return files;
    }

    private static boolean hiddenBelow(Path root, Path p) {
        for (Path part : root.relativize(p)) if (part.toString().startsWith(".")) return true;
        return false;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String ext : IMAGE_EXTENSIONS) if (n.endsWith(ext)) return true;
        return false;
    }

    /** The file names of {@link ImageDecoder#FORMATS}. */
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".gif");

}
