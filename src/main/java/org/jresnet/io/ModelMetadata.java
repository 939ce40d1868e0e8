package org.jresnet.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.nn.Shortcut;

/**
 * What a weights file says about its model, stored as the safetensors {@code __metadata__}
 * (string to string, as the format requires; lists are JSON arrays): enough to rebuild the network
 * and to feed it images, so loading a file jresnet wrote needs no other flag.
 *
 * <pre>
 *   format          "jresnet"                 format_version  "1"
 *   model           "resnet50", "plain20"...  shortcut        "A" | "B" | "C" | "none"
 *   variant         "v1.5" (bottleneck stride on the 3x3, torchvision) | "v1" (on the first 1x1)
 *   num_classes     "10"                      classes         ["airplane", ...]
 *   mean, std       [0.4914, 0.4822, 0.4465]  per RGB channel, of images scaled to [0, 1]
 *   input_size      [3, 32, 32]               C, H, W the model was trained at
 * </pre>
 */
public record ModelMetadata(String model, Shortcut shortcut, boolean strideOn3x3, int numClasses,
                            List<String> classes, Normalization normalization, int[] inputSize) {
    public static final String FORMAT = "jresnet";
    public static final String FORMAT_VERSION = "1";

    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");
    /** CIFAR-10 training-set statistics as commonly used by PyTorch CIFAR code (float32, as stored). */
    public static final Normalization CIFAR10 = new Normalization(new double[] {0.4914f, 0.4822f, 0.4465f},
            new double[] {0.2470f, 0.2435f, 0.2616f});

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelMetadata {
        Models.arch(model);
        java.util.Objects.requireNonNull(classes, "classes");
        java.util.Objects.requireNonNull(normalization, "normalization");
        java.util.Objects.requireNonNull(inputSize, "inputSize");
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i) == null) throw new IllegalArgumentException("class name " + i + " is null");
        }
        classes = List.copyOf(classes);
        if (classes.size() != numClasses) {
            throw new IllegalArgumentException(classes.size() + " class names for " + numClasses + " classes");
        }
        if (inputSize.length != 3 || inputSize[0] != 3 || inputSize[1] < 1 || inputSize[2] < 1) {
            throw new IllegalArgumentException("input size must be [3, H, W], got " + Arrays.toString(inputSize));
        }
        // Evaluation resizes and centre-crops to one side, so H != W could only be ignored; and one
        // image must fit in one tensor.
        if (inputSize[1] != inputSize[2] || 3L * inputSize[1] * inputSize[2] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input size must be [3, S, S] with 3*S*S at most " + Integer.MAX_VALUE
                    + ", got " + Arrays.toString(inputSize));
        }
        // Stored as float32 (the file's JSON and the preprocessing's arithmetic): hold exactly that.
        normalization = normalization.toFloat32();
        inputSize = inputSize.clone();
    }

    /**
     * The usual metadata of a freshly built model: CIFAR-10 or ImageNet statistics; class names
     * CIFAR-10's for a 10-class CIFAR net, ImageNet's ({@link ImageNetClasses}) for 1000 classes,
     * numbered otherwise.
     */
    public static ModelMetadata defaults(ModelConfig c) {
        boolean cifar = c.cifar();
        List<String> classes = cifar && c.numClasses() == CIFAR10_CLASSES.size() ? CIFAR10_CLASSES : named(numbered(c.numClasses()));
        return new ModelMetadata(c.name(), c.shortcut(), c.strideOn3x3(), c.numClasses(), classes,
                cifar ? CIFAR10 : Normalization.IMAGENET,
                cifar ? new int[] {3, 32, 32} : new int[] {3, 224, 224});
    }

    /** Numbered names are no names: 1000 of them become ImageNet's; any other list is kept. */
    public static List<String> named(List<String> classes) {
        return classes.size() == ImageNetClasses.COUNT && classes.equals(numbered(ImageNetClasses.COUNT))
                ? ImageNetClasses.names() : classes;
    }

    /** True for names that only number the classes or are the default ImageNet labels: they say nothing about a dataset's folders. */
    public static boolean defaultNames(List<String> classes) {
        return classes.equals(numbered(classes.size())) || classes.equals(ImageNetClasses.names());
    }

    public static List<String> numbered(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(Integer.toString(i));
        return out;
    }

    /** The configuration that rebuilds this model (initialisation options do not matter once weights load). */
    public ModelConfig toConfig() {
        return new ModelConfig(model, numClasses, shortcut, strideOn3x3, false, 0L);
    }

    public ModelMetadata withClasses(List<String> names) {
        return new ModelMetadata(model, shortcut, strideOn3x3, names.size(), names, normalization, inputSize);
    }

    public ModelMetadata withNormalization(Normalization n) {
        return new ModelMetadata(model, shortcut, strideOn3x3, numClasses, classes, n, inputSize);
    }

    public ModelMetadata withInputSize(int h, int w) {
        return new ModelMetadata(model, shortcut, strideOn3x3, numClasses, classes, normalization, new int[] {3, h, w});
    }

    @Override public int[] inputSize() { return inputSize.clone(); }

    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        m.put("model", model);
        m.put("shortcut", shortcut == Shortcut.NONE ? "none" : shortcut.name());
        m.put("variant", ModelConfig.variantName(strideOn3x3));
        m.put("num_classes", Integer.toString(numClasses));
        try {
            m.put("classes", JSON.writeValueAsString(classes));
            m.put("mean", JSON.writeValueAsString(float32(normalization.mean())));
            m.put("std", JSON.writeValueAsString(float32(normalization.std())));
            m.put("input_size", JSON.writeValueAsString(inputSize));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    /** True when {@code meta} was written by jresnet (has {@code format = jresnet}). */
    public static boolean isJresnet(Map<String, String> meta) {
        return FORMAT.equals(meta.get("format"));
    }

    /**
     * Parses jresnet metadata; {@code file} is only for messages. Optional keys (classes, mean, std,
     * input_size) default as in {@link #defaults}.
     */
    public static ModelMetadata fromMap(Map<String, String> m, Path file) throws WeightsException {
        if (!isJresnet(m)) {
            throw new WeightsException(file + ": no jresnet metadata (format=jresnet) in the file; give the model"
                    + " name explicitly (e.g. --model resnet50) to load a plain PyTorch export");
        }
        String version = m.getOrDefault("format_version", FORMAT_VERSION);
        if (!version.equals(FORMAT_VERSION)) {
            throw new WeightsException(file + ": metadata format_version " + version + " is not supported (this jresnet reads "
                    + FORMAT_VERSION + ")");
        }
        try {
            String model = required(m, "model", file);
            Models.Arch arch = Models.arch(model);
            ModelConfig base = ModelConfig.of(model);
            Shortcut shortcut = m.containsKey("shortcut") ? Shortcut.parse(m.get("shortcut")) : base.shortcut();
            boolean strideOn3x3 = m.containsKey("variant") ? ModelConfig.parseVariant(m.get("variant")) : base.strideOn3x3();
            int k = m.containsKey("num_classes") ? Integer.parseInt(m.get("num_classes").trim()) : base.numClasses();
            ModelConfig config = new ModelConfig(model, k, shortcut, strideOn3x3, false, 0L);
            ModelMetadata d = defaults(config);
            List<String> classes = m.containsKey("classes") ? named(strings(m, "classes")) : d.classes();
            Normalization norm = d.normalization();
            if (m.containsKey("mean") || m.containsKey("std")) {
                double[] mean = m.containsKey("mean") ? numbers(m, "mean") : norm.mean();
                double[] std = m.containsKey("std") ? numbers(m, "std") : norm.std();
                norm = new Normalization(mean, std);
            }
            int[] in = m.containsKey("input_size") ? integers(m, "input_size")
                    : arch.cifar() ? new int[] {3, 32, 32} : new int[] {3, 224, 224};
            return new ModelMetadata(model, shortcut, strideOn3x3, k, classes, norm, in);
        } catch (JsonProcessingException e) {
            throw new WeightsException(file + ": bad metadata: " + e.getOriginalMessage().split("\n")[0]);
        } catch (IllegalArgumentException e) {
            throw new WeightsException(file + ": bad metadata: " + e.getMessage());
        }
    }

    /**
     * The JSON array under {@code key}, each element checked by {@code ok} (named {@code what} in
     * the message): a null, a string where numbers belong, or a nested value is bad metadata,
     * not a NullPointerException or a base64 decoding error later.
     */
    private static JsonNode array(Map<String, String> m, String key, java.util.function.Predicate<JsonNode> ok, String what)
            throws JsonProcessingException {
        JsonNode n = JSON.readTree(m.get(key));
        if (n == null || !n.isArray()) throw new IllegalArgumentException("'" + key + "' is not a JSON array of " + what + ": " + OneLine.of(m.get(key)));
        for (int i = 0; i < n.size(); i++) {
            if (!ok.test(n.get(i))) throw new IllegalArgumentException("'" + key + "'[" + i + "] is not " + what + ": " + n.get(i));
        }
        return n;
    }

    private static List<String> strings(Map<String, String> m, String key) throws JsonProcessingException {
        List<String> out = new ArrayList<>();
        for (JsonNode e : array(m, key, JsonNode::isTextual, "a string")) out.add(e.asText());
        return out;
    }

    /** Numbers, rounded to float32 as they are stored. */
    private static double[] numbers(Map<String, String> m, String key) throws JsonProcessingException {
        JsonNode n = array(m, key, JsonNode::isNumber, "a number");
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) d[i] = (float) n.get(i).asDouble();
        return d;
    }

    private static int[] integers(Map<String, String> m, String key) throws JsonProcessingException {
        JsonNode n = array(m, key, e -> e.isIntegralNumber() && e.canConvertToInt(), "an integer");
        int[] v = new int[n.size()];
        for (int i = 0; i < v.length; i++) v[i] = n.get(i).asInt();
        return v;
    }

    private static float[] float32(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static String required(Map<String, String> m, String key, Path file) throws WeightsException {
        String v = m.get(key);
        if (v == null || v.isBlank()) throw new WeightsException(file + ": metadata has no '" + key + "'");
        return v.trim();
    }

    @Override public boolean equals(Object o) {
        return o instanceof ModelMetadata x && x.model.equals(model) && x.shortcut == shortcut && x.strideOn3x3 == strideOn3x3
                && x.numClasses == numClasses && x.classes.equals(classes) && x.normalization.equals(normalization)
                && Arrays.equals(x.inputSize, inputSize);
    }

    @Override public int hashCode() { return model.hashCode() * 31 + classes.hashCode(); }

    @Override public String toString() { return "ModelMetadata" + toMap(); }
}
