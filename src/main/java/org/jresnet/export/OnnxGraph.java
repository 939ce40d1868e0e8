package org.jresnet.export;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jresnet.export.proto.OnnxProto.AttributeProto;
import org.jresnet.export.proto.OnnxProto.GraphProto;
import org.jresnet.export.proto.OnnxProto.NodeProto;
import org.jresnet.export.proto.OnnxProto.TensorProto;
import org.jresnet.export.proto.OnnxProto.TensorShapeProto;
import org.jresnet.export.proto.OnnxProto.TypeProto;
import org.jresnet.export.proto.OnnxProto.ValueInfoProto;

/**
 * An ONNX graph under construction: nodes in topological order (the order they are added),
 * initializers (constant tensors, little-endian raw data as the format requires), the graph's
 * inputs and outputs. Every node has one output named like the node; names must be unique.
 */
final class OnnxGraph {
    private final GraphProto.Builder g = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();

    OnnxGraph(String name) { g.setName(name); }

    private String claim(String name) {
        if (!names.add(name)) throw new IllegalStateException("duplicate ONNX name " + name);
        return name;
    }

    /** A float32 tensor of the given dims, as an initializer; returns its name. */
    String floats(String name, float[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return tensor(name, TensorProto.DataType.FLOAT, ByteString.copyFrom(b), data.length, dims);
    }

    /** An int64 vector initializer (shapes, axes, pads); returns its name. */
    String longs(String name, long... data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return tensor(name, TensorProto.DataType.INT64, ByteString.copyFrom(b), data.length, data.length);
    }

    private String tensor(String name, TensorProto.DataType type, ByteString raw, int count, long... dims) {
        long n = 1;
        for (long d : dims) n *= d;
        if (n != count) throw new IllegalArgumentException(name + ": " + count + " values for dims " + java.util.Arrays.toString(dims));
        TensorProto.Builder t = TensorProto.newBuilder().setName(claim(name)).setDataType(type.getNumber()).setRawData(raw);
        for (long d : dims) t.addDims(d);
        g.addInitializer(t);
        return name;
    }

    /** Adds node {@code op} named {@code name} reading {@code inputs}; its single output is named {@code name} too. */
    String node(String op, String name, List<String> inputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(claim(name));
        for (AttributeProto a : attributes) n.addAttribute(a);
        g.addNode(n);
        return name;
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    /**
     * Declares a float32 graph input or output of shape {@code dims}; a null entry in {@code dims}
     * is the symbolic dimension {@code symbol}.
     */
    private static ValueInfoProto value(String name, String symbol, Long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Long d : dims) {
            shape.addDim(d == null ? TensorShapeProto.Dimension.newBuilder().setDimParam(symbol)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto.Tensor t = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber())
                .setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }

    String input(String name, String symbol, Long... dims) {
        g.addInput(value(claim(name), symbol, dims));
        return name;
    }

    void output(String name, String symbol, Long... dims) {
        if (!names.contains(name)) throw new IllegalStateException("output " + name + " is not produced by any node");
        g.addOutput(value(name, symbol, dims));
    }

    GraphProto build() { return g.build(); }
}
