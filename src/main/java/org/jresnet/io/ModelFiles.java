package org.jresnet.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Buffer;
import org.jresnet.nn.Layer;
import org.jresnet.nn.Parameter;
import org.jresnet.tensor.Tensor;

/**
 * A model's weights in a safetensors file: exactly its state_dict (parameters and buffers under
 * torchvision's keys, in torchvision's order; integer buffers such as {@code num_batches_tracked}
 * as I64), plus {@link ModelMetadata} so that the file alone rebuilds the model. Such a file loads
 * with {@code model.load_state_dict(..., strict=True)} in PyTorch.
 *
 * <p>Keys under {@value #OPTIM_PREFIX} (optimizer state in checkpoints) are not weights: loading
 * skips them. Loading is strict by default: one error lists every missing, unexpected and
 * mis-shaped key, and nothing is changed in the model unless everything fits.
 */
public final class ModelFiles {
    /** Reserved key prefix for optimizer state stored beside the weights in checkpoints. */
    public static final String OPTIM_PREFIX = "optim.";

    private ModelFiles() {}

    /** A model loaded from a file, with what the file says about it and what matched. */
    public record Loaded(ResNet model, ModelMetadata metadata, LoadReport report, SafeTensorsFile file) {}

    /** The state_dict of {@code model}: per module (in walk order) its parameters, then its buffers. */
    public static Map<String, TensorData> stateDict(Layer model) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (var e : entries(model).entrySet()) {
            Object o = e.getValue();
            out.put(e.getKey(), o instanceof Parameter p ? TensorData.f32(p.value()) : buffer((Buffer) o));
        }
        return out;
    }

    /** Parameters and buffers in torchvision's state_dict order. */
    private static Map<String, Object> entries(Layer model) {
        Map<String, Parameter> ps = model.parameters();
        Map<String, Buffer> bs = model.buffers();
        Map<String, Object> out = new LinkedHashMap<>();
        for (String prefix : model.modules().keySet()) {
            for (var e : ps.entrySet()) if (ownedBy(prefix, e.getKey())) out.put(e.getKey(), e.getValue());
            for (var e : bs.entrySet()) if (ownedBy(prefix, e.getKey())) out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static boolean ownedBy(String modulePrefix, String key) {
        return key.startsWith(modulePrefix) && key.indexOf('.', modulePrefix.length()) < 0;
    }

    private static TensorData buffer(Buffer b) {
        Tensor v = b.value();
        if (!b.integer()) return TensorData.f32(v);
        long[] l = new long[v.size()];
        for (int i = 0; i < l.length; i++) l[i] = Math.round(v.get(i));
        return TensorData.i64(l, v.shape());
    }

    public static void save(Path file, Layer model, ModelMetadata meta) throws IOException {
        save(file, model, meta, Map.of(), Map.of());
    }

    /**
     * Weights plus {@code extraTensors} (keys under {@value #OPTIM_PREFIX}) and {@code extraMetadata}
     * (e.g. a checkpoint's step and schedule; must not redefine the model's keys). Weights with a
     * NaN or infinite value are refused ({@link NonFiniteWeightsException}): the file is not touched.
     */
    public static void save(Path file, Layer model, ModelMetadata meta, Map<String, TensorData> extraTensors,
                            Map<String, String> extraMetadata) throws IOException {
        Map<String, TensorData> tensors = stateDict(model);
        for (var e : extraTensors.entrySet()) {
            if (!e.getKey().startsWith(OPTIM_PREFIX)) {
                throw new IllegalArgumentException("extra tensor '" + e.getKey() + "' must be under '" + OPTIM_PREFIX + "'");
            }
            tensors.put(e.getKey(), e.getValue());
        }
        Map<String, Integer> bad = NonFiniteWeightsException.scan(tensors);
        if (!bad.isEmpty()) {
            throw new NonFiniteWeightsException(file + " not written: " + NonFiniteWeightsException.describe(bad), bad);
        }
        Map<String, String> m = meta.toMap();
        for (var e : extraMetadata.entrySet()) {
            if (m.containsKey(e.getKey())) throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is reserved");
            m.put(e.getKey(), e.getValue());
        }
        SafeTensors.write(file, tensors, m);
    }

    /**
     * A file jresnet wrote: the model is rebuilt from its metadata, then loaded strictly. A file
     * without jresnet metadata (a PyTorch checkpoint or export) gets the model its keys and shapes
     * describe ({@link ArchitectureInference}).
     */
    public static Loaded load(Path file) throws IOException {
        return load(file, WeightFiles.read(file));
    }

    /** As {@link #load(Path)}, for a file already read ({@link WeightFiles#read}). */
    public static Loaded load(Path file, SafeTensorsFile f) throws IOException {
        if (!ModelMetadata.isJresnet(f.metadata())) {
            try {
                return load(file, f, ArchitectureInference.infer(f.tensors()).config(), true);
            } catch (ArchitectureInference.Ambiguous e) {
                throw new WeightsException(file + ": no jresnet metadata and "
                        + e.advice("name the model: Network.load(file, ModelConfig.of(\"resnet50\")) in Java,"
                        + " --model resnet50 on the command line"));
            }
        }
        ModelMetadata meta = ModelMetadata.fromMap(f.metadata(), file);
        ResNet model = Models.createUninitialized(meta.toConfig());   // strict: the file writes every value
        return new Loaded(model, meta, loadInto(model, f, file, true), f);
    }

    /**
     * Any file (e.g. a PyTorch export without our metadata) into the model {@code config} describes.
     * Class names and normalisation come from the file's jresnet metadata when it has some for the
     * same number of classes, else from {@link ModelMetadata#defaults}. With {@code strict} false
     * the matching tensors load and the report lists the rest.
     */
    public static Loaded load(Path file, ModelConfig config, boolean strict) throws IOException {
        return load(file, WeightFiles.read(file), config, strict);
    }

    /** As {@link #load(Path, ModelConfig, boolean)}, for a file already read ({@link WeightFiles#read}). */
    public static Loaded load(Path file, SafeTensorsFile f, ModelConfig config, boolean strict) throws IOException {
        ModelMetadata meta = ModelMetadata.defaults(config);
        if (ModelMetadata.isJresnet(f.metadata())) {
            ModelMetadata fm = ModelMetadata.fromMap(f.metadata(), file);
            meta = new ModelMetadata(config.name(), config.shortcut(), config.strideOn3x3(), config.numClasses(),
                    fm.numClasses() == config.numClasses() ? fm.classes() : meta.classes(), fm.normalization(),
                    fm.inputSize());
        }
        // strict: the file writes every value; else the ones it lacks keep their initialisation
        ResNet model = strict ? Models.createUninitialized(config) : Models.create(config);
        return new Loaded(model, meta, loadInto(model, f, file, strict), f);
    }

    /**
     * Copies the file's tensors into {@code model}'s parameters and buffers by name (keys mapped by
     * {@link StateDictKeys} when the model does not know them as they are). Strict: any missing,
     * unexpected or mis-shaped key is a {@link WeightsException} and the model is left untouched;
     * so, strict or not, is a NaN or infinite value in a tensor it would load
     * ({@link NonFiniteWeightsException}).
     */
    public static LoadReport loadInto(Layer model, SafeTensorsFile f, Path file, boolean strict) throws IOException {
        Map<String, Tensor> targets = new LinkedHashMap<>();
        for (var e : entries(model).entrySet()) {
            Object o = e.getValue();
            targets.put(e.getKey(), o instanceof Parameter p ? p.value() : ((Buffer) o).value());
        }

        Map<String, String> sourceOf = new HashMap<>();   // model key -> file key
        List<String> unexpected = new ArrayList<>(), mismatched = new ArrayList<>(), renamed = new ArrayList<>();
        for (var e : f.tensors().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(OPTIM_PREFIX)) continue;
            String target = key;
            if (!targets.containsKey(key)) {
                target = StateDictKeys.normalise(key).filter(targets::containsKey).orElse(null);
                if (target == null) {
                    unexpected.add(key);
                    continue;
                }
                renamed.add(key + " -> " + target);
            }
            String other = sourceOf.put(target, key);
            if (other != null) {
                throw new WeightsException(file + ": keys '" + other + "' and '" + key + "' both give '" + target + "'");
            }
            int[] want = targets.get(target).shape(), got = e.getValue().shape();
            if (!Arrays.equals(want, got)) {
                mismatched.add(target + ": expected " + Arrays.toString(want) + " found " + Arrays.toString(got));
                sourceOf.remove(target);
            }
        }
        List<String> missing = new ArrayList<>(), filled = new ArrayList<>();
        for (String k : targets.keySet()) {
            if (!sourceOf.containsKey(k) && mismatched.stream().noneMatch(m -> m.startsWith(k + ": "))) {
                (isPre041Counter(k, sourceOf) ? filled : missing).add(k);
            }
        }
        LoadReport report = new LoadReport(sourceOf.size(), missing, unexpected, mismatched, renamed, filled);
        if (strict && !report.complete()) {
            throw new WeightsException(file + ": does not fit " + describe(model) + ": " + report.describe());
        }
        Map<String, TensorData> loading = new LinkedHashMap<>();   // in the file's order
        var sources = new java.util.HashSet<>(sourceOf.values());
        for (var e : f.tensors().entrySet()) if (sources.contains(e.getKey())) loading.put(e.getKey(), e.getValue());
        Map<String, Integer> bad = NonFiniteWeightsException.scan(loading);
        if (!bad.isEmpty()) {
            throw new NonFiniteWeightsException(file + ": " + NonFiniteWeightsException.describe(bad)
                    + ": broken weights (from a diverged training?)", bad);
        }
        for (var e : sourceOf.entrySet()) {
            Tensor t = targets.get(e.getKey());
            float[] v = f.tensors().get(e.getValue()).toFloats();
            System.arraycopy(v, 0, t.data(), t.offset(), v.length);
        }
        for (String k : filled) {
            Tensor t = targets.get(k);
            Arrays.fill(t.data(), t.offset(), t.offset() + t.size(), 0f);
        }
        model.parametersChanged();
        return report;
    }

    /**
     * BN's {@code num_batches_tracked} arrived in PyTorch 0.4.1; older state dicts lack it and
     * PyTorch loads them with the counter at 0 (BatchNorm's versioned state-dict upgrade). So may we,
     * when the same BN's running statistics are in the file.
     */
    private static boolean isPre041Counter(String key, Map<String, String> sourceOf) {
        String suffix = "num_batches_tracked";
        return key.endsWith("." + suffix)
                && sourceOf.containsKey(key.substring(0, key.length() - suffix.length()) + "running_mean");
    }

    private static String describe(Layer model) {
        if (model instanceof ResNet r) {
            ModelConfig c = r.config;
            return c.name() + " (shortcut " + c.shortcut() + ", " + c.numClasses() + " classes)";
        }
        return model.getClass().getSimpleName();
    }
}
