package org.jresnet.nn;

import org.jresnet.kernel.Elementwise;
import org.jresnet.tensor.Tensor;

/**
 * y = relu(F(x) + S(x)): a residual branch F (defined by {@link BasicBlock} / {@link Bottleneck})
 * plus a shortcut S: the identity, {@link ShortcutA}, or the projection {@code downsample}
 * (1x1 conv + BN, options B/C). With {@link Shortcut#NONE} there is no S: y = relu(F(x)), the
 * plain network's block, built by the same code.
 *
 * <p>Deleted (lesion study, Veit et al. 2016): the residual branch is removed, F = 0, so
 * y = relu(S(x)). Because every block's input is the output of a relu, this is exactly S(x) for the
 * identity and option-A shortcuts; only a B/C projection's negative outputs are clipped, as the
 * intact block would clip them. In a plain net only a shape-preserving block can be deleted, and
 * then it is the identity.
 */
public abstract class ResidualBlock extends Layer {
    public final int cin, cout, stride;
    public final Shortcut kind;
    private Layer shortcut;          // null: identity (or none when kind == NONE)
    private final ReLU relu = new ReLU();
    private boolean deleted;
    private Tensor sum, dx;          // [N,OH,OW,cout] F(x)+S(x);  [N,H,W,cin]
    // The last pass seen from outside (gradient-flow and layer-response experiments): references to
    // layer-owned tensors, valid until the next pass; no copies, so training pays nothing.
    private Tensor lastBranchOut, lastSumGrad, lastBranchInputGrad, lastInputGrad;

    protected ResidualBlock(int cin, int cout, int stride, Shortcut kind) {
        this.cin = cin;
        this.cout = cout;
        this.stride = stride;
        this.kind = kind;
    }

    /** Called by subclasses after their branch layers, so the keys come in torchvision's order. */
    protected final void buildShortcut() {
        boolean reshapes = stride != 1 || cin != cout;
        switch (kind) {
            case NONE -> shortcut = null;
            case A -> shortcut = reshapes ? add("downsample", new ShortcutA(cin, cout, stride)) : null;
            case B, C -> shortcut = reshapes || kind == Shortcut.C
                    ? add("downsample", new Sequential(new Conv2d(cin, cout, 1, stride, 0, false), new BatchNorm2d(cout)))
                    : null;
        }
    }

    /** F(x): the residual branch, ending in its last BN (no relu). */
    public abstract Tensor branchForward(Tensor x);

    /** F'(x)^T dy: the branch's input gradient; accumulates the branch's parameter gradients. */
    public abstract Tensor branchBackward(Tensor dy);

    protected abstract long branchMacs(int[] in);

    /** The branch's last BN: its gamma is zeroed by {@code zero_init_residual}. */
    public abstract BatchNorm2d lastBn();

    /** The shortcut layer: null for the identity and for plain blocks. */
    public final Layer shortcut() { return shortcut; }

    public final boolean residual() { return kind != Shortcut.NONE; }

    public final boolean deleted() { return deleted; }

    public final void setDeleted(boolean on) {
        if (on && !residual() && (stride != 1 || cin != cout)) {
            throw new IllegalStateException("a plain block that changes the shape (" + cin + "->" + cout + ", stride "
                    + stride + ") cannot be deleted");
        }
        deleted = on;
    }

    @Override public int[] outputShape(int[] in) {
        if (in.length != 4 || in[3] != cin) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " expects [N,H,W," + cin + "], got "
                    + java.util.Arrays.toString(in));
        }
        return new int[] {in[0], (in[1] - 1) / stride + 1, (in[2] - 1) / stride + 1, cout};
    }

    @Override public long macs(int[] in) {
        long m = branchMacs(in);
        if (shortcut != null) m += shortcut.macs(in);
        return m;
    }

    private Tensor shortcutForward(Tensor x) { return shortcut == null ? x : shortcut.forward(x); }

    private Tensor shortcutBackward(Tensor dy) { return shortcut == null ? dy : shortcut.backward(dy); }

    /** F(x) of the last forward: the branch after its last BN, before the addition and relu; null if deleted. */
    public final Tensor lastBranchOutput() { return lastBranchOut; }

    /** dL/dH of the last backward, H = F(x) + S(x) (plain: H = F(x)): the gradient below the final relu. */
    public final Tensor lastSumGradient() { return lastSumGrad; }

    /** F'(x)^T dL/dH of the last backward: the branch's share of the input gradient; null if deleted. */
    public final Tensor lastBranchInputGradient() { return lastBranchInputGrad; }

    /** dL/dx of the last backward (what {@link #backward} returned). */
    public final Tensor lastInputGradient() { return lastInputGrad; }

    @Override public Tensor forward(Tensor x) {
        lastBranchOut = null;
        if (deleted) return relu.forward(shortcutForward(x));       // F = 0
        Tensor f = branchForward(x);                                // F(x)   [N,OH,OW,cout]
        lastBranchOut = f;
        if (!residual()) return relu.forward(f);                    // plain: relu(F(x))
        Tensor s = shortcutForward(x);                              // S(x)   [N,OH,OW,cout]
        sum = Tensor.reuse(sum, f.shape());
        Elementwise.add(f.data(), f.offset(), s.data(), s.offset(), sum.data(), sum.offset(), f.size());
        return relu.forward(sum);
    }

    @Override public Tensor backward(Tensor dy) {
        Tensor g = relu.backward(dy);                               // dL/dH with H = F(x) + S(x)
        lastSumGrad = g;
        lastBranchInputGrad = null;
        if (deleted) return lastInputGrad = shortcutBackward(g);
        Tensor dxBranch = branchBackward(g);                        // F'(x)^T g
        lastBranchInputGrad = dxBranch;
        if (!residual()) return lastInputGrad = dxBranch;
        Tensor dxShortcut = shortcutBackward(g);                    // identity: g itself, the "+1" of H' = F' + 1
        dx = Tensor.reuse(dx, dxBranch.shape());
        Elementwise.add(dxBranch.data(), dxBranch.offset(), dxShortcut.data(), dxShortcut.offset(),
                dx.data(), dx.offset(), dx.size());
        return lastInputGrad = dx;
    }
}
