package org.jresnet.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jresnet.export.proto.OnnxProto.ModelProto;
import org.jresnet.export.proto.OnnxProto.OperatorSetIdProto;
import org.jresnet.export.proto.OnnxProto.StringStringEntryProto;
import org.jresnet.io.AtomicFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.models.ResNet;
import org.jresnet.nn.BasicBlock;
import org.jresnet.nn.BatchNorm2d;
import org.jresnet.nn.Bottleneck;
import org.jresnet.nn.Conv2d;
import org.jresnet.nn.Layer;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.nn.Sequential;
import org.jresnet.nn.ShortcutA;

/**
 * A network as an ONNX model, read like {@link ResNet} itself: stem Conv (+ Relu, MaxPool), per
 * block Conv/Relu of the branch, the shortcut (identity; option A as a strided Slice and a
 * channel Pad; a projection as Conv), Add, Relu; then GlobalAveragePool, Flatten, Gemm.
 *
 * <p>Every BN is folded into the convolution before it ({@link BnFolding}): the export is for
 * inference, where BN is a fixed per-channel affine map, and a folded graph is what ONNX Runtime,
 * TensorRT and OpenVINO would make of a BatchNormalization node anyway; it has a third fewer nodes
 * and tools that do not fold get the fast graph too. The price: the file holds W' and b', not
 * gamma, beta and the running statistics, so it cannot be trained further (the safetensors file
 * can).
 *
 * <p>Input {@code input}: float32 NCHW {@code [batch, 3, H, W]}, RGB scaled to [0, 1] then
 * normalised with the metadata's mean and std; output {@code logits} {@code [batch, classes]}.
 * Opset {@value #OPSET}, IR version {@value #IR_VERSION} (what ONNX 1.12's checker accepts). The
 * model's {@link ModelMetadata} goes into {@code metadata_props} (classes, mean, std, input size).
 */
public final class OnnxExporter {
    public static final int OPSET = 17;
    public static final long IR_VERSION = 8;
    public static final String INPUT = "input", OUTPUT = "logits";
    /** Extra metadata_props keys beside {@link ModelMetadata#toMap()}. */
    public static final String INPUT_LAYOUT_KEY = "input_layout", INPUT_PREPROCESSING_KEY = "input_preprocessing";

    private final ResNet model;
    private final OnnxGraph g;

    private OnnxExporter(ResNet model) {
        this.model = model;
        this.g = new OnnxGraph(model.config.name());
    }

    /** Writes the model atomically to {@code file}. */
    public static void write(Path file, ResNet model, ModelMetadata meta, OnnxOptions options) throws IOException {
        ModelProto m = export(model, meta, options);
        AtomicFiles.write(file, m::writeTo);
    }

    /** The ONNX model of {@code model} in eval mode (running statistics), described by {@code meta}. */
    public static ModelProto export(ResNet model, ModelMetadata meta, OnnxOptions options) {
        if (!meta.model().equals(model.config.name()) || meta.numClasses() != model.config.numClasses()) {
            throw new IllegalArgumentException("metadata describes a " + meta.model() + " with " + meta.numClasses()
                    + " classes, the network is a " + model.config.name() + " with " + model.config.numClasses());
        }
        int[] in = meta.inputSize();
        model.outputShape(new int[] {1, in[1], in[2], 3});   // a clear error if the input is too small for the net
        Long batch = options.batch().isPresent() ? (long) options.batch().getAsInt() : null;
        OnnxExporter e = new OnnxExporter(model);
        String x = e.g.input(INPUT, OnnxOptions.DYNAMIC_BATCH, batch, 3L, (long) in[1], (long) in[2]);
        e.network(x);
        e.g.output(OUTPUT, OnnxOptions.DYNAMIC_BATCH, batch, (long) meta.numClasses());

        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("jresnet")
                .setProducerVersion(producerVersion())
                .setDocString(model.config.name() + " (shortcut " + model.config.shortcut()
                        + "), exported by jresnet; BatchNorm folded into the convolutions")
                .setGraph(e.g.build());
        for (Map.Entry<String, String> p : meta.toMap().entrySet()) m.addMetadataProps(prop(p.getKey(), p.getValue()));
        m.addMetadataProps(prop(INPUT_LAYOUT_KEY, "NCHW"));
        m.addMetadataProps(prop(INPUT_PREPROCESSING_KEY, "RGB scaled to [0, 1], then (x - mean) / std per channel"));
        return m.build();
    }

    private static StringStringEntryProto prop(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static String producerVersion() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** input -> logits, as {@link ResNet#forward}. */
    private void network(String x) {
        String h = relu("relu", convBn("conv1", model.conv1, model.bn1, x));
        if (model.maxpool != null) {
            int k = model.maxpool.kernel, p = model.maxpool.pad, s = model.maxpool.stride;
            h = g.node("MaxPool", "maxpool", List.of(h), OnnxGraph.ints("kernel_shape", k, k),
                    OnnxGraph.ints("strides", s, s), OnnxGraph.ints("pads", p, p, p, p));
        }
        for (int s = 0; s < model.stages().size(); s++) {
            Sequential stage = model.stages().get(s);
            for (int i = 0; i < stage.size(); i++) h = block("layer" + (s + 1) + "." + i, (ResidualBlock) stage.get(i), h);
        }
        h = g.node("GlobalAveragePool", "avgpool", List.of(h));
        h = g.node("Flatten", "flatten", List.of(h), OnnxGraph.integer("axis", 1));
        String w = g.floats("fc.weight", model.fc.weight.value().toArray(), model.fc.out, model.fc.in);
        String b = g.floats("fc.bias", model.fc.bias.value().toArray(), model.fc.out);
        g.node("Gemm", OUTPUT, List.of(h, w, b), OnnxGraph.real("alpha", 1f), OnnxGraph.real("beta", 1f),
                OnnxGraph.integer("transB", 1));
    }

    /** relu(F(x) + S(x)); plain blocks relu(F(x)); a deleted (lesioned) block relu(S(x)), as {@link ResidualBlock#forward}. */
    private String block(String p, ResidualBlock b, String x) {
        String s = b.residual() ? shortcut(p, b, x) : x;
        if (b.deleted()) return relu(p + ".relu", s);
        String f = branch(p, b, x);
        String h = b.residual() ? g.node("Add", p + ".add", List.of(f, s)) : f;
        return relu(p + ".relu", h);
    }

    /** F(x) up to its last BN (folded), without the final relu. */
    private String branch(String p, ResidualBlock b, String x) {
        if (b instanceof BasicBlock bb) {
            String h = relu(p + ".relu1", convBn(p + ".conv1", bb.conv1, bb.bn1, x));
            return convBn(p + ".conv2", bb.conv2, bb.bn2, h);
        }
        if (b instanceof Bottleneck bn) {
            String h = relu(p + ".relu1", convBn(p + ".conv1", bn.conv1, bn.bn1, x));
            h = relu(p + ".relu2", convBn(p + ".conv2", bn.conv2, bn.bn2, h));
            return convBn(p + ".conv3", bn.conv3, bn.bn3, h);
        }
        throw new IllegalArgumentException("cannot export block " + p + " of type " + b.getClass().getSimpleName());
    }

    private String shortcut(String p, ResidualBlock b, String x) {
        Layer s = b.shortcut();
        if (s == null) return x;                                       // identity
        if (s instanceof ShortcutA a) return zeroPadShortcut(p + ".downsample", a, x);
        if (s instanceof Sequential proj && proj.size() == 2 && proj.get(0) instanceof Conv2d c
                && proj.get(1) instanceof BatchNorm2d bn) {
            return convBn(p + ".downsample.0", c, bn, x);
        }
        throw new IllegalArgumentException("cannot export shortcut of " + p + ": " + s.getClass().getSimpleName());
    }

    /** Option A: x[:, :, ::s, ::s] then (cout - cin) zero channels split before and after, as {@link ShortcutA}. */
    private String zeroPadShortcut(String p, ShortcutA a, String x) {
        String h = x;
        if (a.stride != 1) {
            long s = a.stride;
            h = g.node("Slice", p + ".slice", List.of(h, g.longs(p + ".starts", 0, 0),
                    g.longs(p + ".ends", Long.MAX_VALUE, Long.MAX_VALUE), g.longs(p + ".axes", 2, 3),
                    g.longs(p + ".steps", s, s)));
        }
        long after = a.cout - a.cin - a.before;
        if (a.cout != a.cin) {
            // pads: [begin of N, C, H, W, end of N, C, H, W]
            h = g.node("Pad", p + ".pad", List.of(h, g.longs(p + ".pads", 0, a.before, 0, 0, 0, after, 0, 0)));
        }
        return h;
    }

    /** bn(conv(x)) as one Conv with the BN folded in; the node and its weights are named after the convolution. */
    private String convBn(String name, Conv2d c, BatchNorm2d bn, String x) {
        BnFolding.FoldedConv f = BnFolding.fold(c, bn);
        String w = g.floats(name + ".weight", f.weight(), c.cout, c.cin, c.kernel, c.kernel);
        String b = g.floats(name + ".bias", f.bias(), c.cout);
        int k = c.kernel, p = c.pad, s = c.stride;
        return g.node("Conv", name, List.of(x, w, b), OnnxGraph.ints("kernel_shape", k, k), OnnxGraph.ints("strides", s, s),
                OnnxGraph.ints("pads", p, p, p, p));
    }

    private String relu(String name, String x) { return g.node("Relu", name, List.of(x)); }
}
