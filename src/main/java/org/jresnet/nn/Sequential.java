package org.jresnet.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jresnet.tensor.Tensor;

/** Layers applied in order; children are named "0", "1", ... as in torch.nn.Sequential. */
public final class Sequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) append(l);
    }

    public Sequential append(Layer l) {
        add(Integer.toString(layers.size()), l);
        layers.add(l);
        return this;
    }

    public List<Layer> layers() { return Collections.unmodifiableList(layers); }
    public Layer get(int i) { return layers.get(i); }
    public int size() { return layers.size(); }

    @Override public Tensor forward(Tensor x) {
        for (Layer l : layers) x = l.forward(x);
        return x;
    }

    @Override public Tensor backward(Tensor dy) {
        for (int i = layers.size() - 1; i >= 0; i--) dy = layers.get(i).backward(dy);
        return dy;
    }

    @Override public int[] outputShape(int[] in) {
        for (Layer l : layers) in = l.outputShape(in);
        return in;
    }

    /** Sum over the children along the data flow. */
    @Override public long macs(int[] in) {
        long m = 0;
        for (Layer l : layers) {
            m += l.macs(in);
            in = l.outputShape(in);
        }
        return m;
    }
}
