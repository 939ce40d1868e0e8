package org.jresnet.nn;

import java.util.function.Function;
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
    private Tensor y, g, dx;         // [N,OH,OW,cout] relu(F(x)+S(x)) and dL/dH below that relu;  [N,H,W,cin]
    private Place sumGradPlace = Place.OWN, dxPlace = Place.OWN;   // g's and dx's, as the MemoryPlan says
    private TransientBuffers slots;
    private TransientBuffers inference;   // where a fused inference pass puts the shortcut's and the block's output
    private boolean lastFused;            // the last forward was an inference pass: nothing kept for backward
    // Recording (gradient-flow and layer-response experiments): the block keeps copies of its last
    // pass, unfused, so they survive the shared in-place buffers. Off in training: nothing is paid.
    private boolean recording;
    private Tensor sum, lastBranchOut, lastSumGrad, lastBranchInputGrad, lastInputGrad;

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

    /** F(x): the residual branch, ending in its last BN (no relu). Not used by {@link #forward}, which fuses that BN. */
    public final Tensor branchForward(Tensor x) { return lastBn().forward(branchBody(x)); }

    /** The branch up to its last BN: the last convolution's output. */
    protected abstract Tensor branchBody(Tensor x);

    /**
     * relu(F(x) + res) (res null: relu(F(x))) at inference, every BN applied by the convolution
     * before it ({@link BatchNorm2d#forwardAddReluAfter}); the same numbers as {@link #forward}'s
     * unfused path. The output goes over res where it can, else to {@code elsewhere}'s tensor for
     * its shape (null: the last convolution's own buffer).
     */
    protected abstract Tensor fusedBranch(Tensor x, Tensor res, Function<int[], Tensor> elsewhere);

    /** F'(x)^T dy: the branch's input gradient; accumulates the branch's parameter gradients. */
    public abstract Tensor branchBackward(Tensor dy);

    protected abstract long branchMacs(int[] in);

    /** The branch's last BN: its gamma is zeroed by {@code zero_init_residual}. */
    public abstract BatchNorm2d lastBn();

    /**
     * Where this block's tensors live when the network shares its transient buffers: the block
     * type's {@code MEMORY_PLAN}, which a network builder applies ({@link MemoryPlan#apply}).
     */
    public abstract MemoryPlan memoryPlan();

    /** Where backward writes dL/dH: its own buffer or a slot. Set by a {@link MemoryPlan}. */
    void placeSumGradient(Place p, TransientBuffers buffers) {
        MemoryPlan.requireOwnOrSlot(p, buffers, "a block's dL/dH");
        sumGradPlace = p;
        slots = buffers != null ? buffers : slots;
    }

    /**
     * Where backward writes the block's dx, the branch's dx plus the shortcut's: its own buffer,
     * or a slot; the slot of the branch's first convolution's dx makes the add in place. Set by a
     * {@link MemoryPlan}.
     */
    void placeDx(Place p, TransientBuffers buffers) {
        MemoryPlan.requireOwnOrSlot(p, buffers, "a block's dx");
        dxPlace = p;
        slots = buffers != null ? buffers : slots;
    }

    /**
     * The slots a fused inference pass ({@code ResNet.infer}) writes this block's output and its
     * shortcut's to, taking turns in {@link TransientBuffers.Slot#SUM} and
     * {@link TransientBuffers.Slot#BRANCH_INPUT} so that neither is written over the block's
     * input while it is read; the inner outputs go where the memory plan puts their BN's output.
     * Null: the layers' own buffers. Set by the network's builder with the memory plan.
     */
    public final void setInferenceBuffers(TransientBuffers buffers) { inference = buffers; }

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

    /**
     * S(x) with a projection's BN fused into its convolution (see {@link #fusedBranch}), into the
     * inference slot that does not hold x.
     */
    private Tensor fusedShortcut(Tensor x) {
        if (shortcut instanceof Sequential p && p.get(0) instanceof Conv2d conv && p.get(1) instanceof BatchNorm2d bn) {
            return bn.forwardAfter(conv, x, apartFrom(x, conv.outputShape(x.shape())));
        }
        if (shortcut instanceof ShortcutA a) return a.forward(x, apartFrom(x, a.outputShape(x.shape())));
        return shortcutForward(x);
    }

    /** An inference slot for {@code shape} that does not hold {@code keep}; null without inference slots. */
    private Tensor apartFrom(Tensor keep, int[] shape) {
        return inference == null ? null : inference.viewApartFrom(keep, TransientBuffers.Slot.SUM,
                TransientBuffers.Slot.BRANCH_INPUT, shape);
    }

    private Tensor shortcutBackward(Tensor dy) { return shortcut == null ? dy : shortcut.backward(dy); }

    /** With {@link #setRecording}: F(x) of the last forward (after the last BN, before the addition and relu); null if deleted. */
    public final Tensor lastBranchOutput() { return lastBranchOut; }

    /** dL/dH of the last backward, H = F(x) + S(x) (plain: H = F(x)): the gradient below the final relu. */
    public final Tensor lastSumGradient() { return lastSumGrad; }

    /** F'(x)^T dL/dH of the last backward: the branch's share of the input gradient; null if deleted. */
    public final Tensor lastBranchInputGradient() { return lastBranchInputGrad; }

    /** dL/dx of the last backward (what {@link #backward} returned). */
    public final Tensor lastInputGradient() { return lastInputGrad; }

    @Override public Tensor forward(Tensor x) {
        lastFused = false;
        if (deleted) {                                              // F = 0
            if (recording) lastBranchOut = null;
            return relu.forward(shortcutForward(x));
        }
        if (recording) return recordedForward(x);
        if (lastBn().fusesIntoConv()) {                              // inference: BN, add and relu in the convolutions' stores
            // the output may be written over the shortcut (x itself for an identity): x is dead after
            // the block. Not kept as y: a backward cannot follow, and a slot's old array would stay alive.
            lastFused = true;
            y = null;
            Tensor s = residual() ? fusedShortcut(x) : null;
            Tensor keep = s != null ? s : x;
            return fusedBranch(x, s, inference == null ? null : shape -> apartFrom(keep, shape));
        }
        Tensor z = branchBody(x);                                   // F(x) before its last BN
        Tensor s = residual() ? shortcutForward(x) : null;          // S(x)   [N,OH,OW,cout]
        y = lastBn().forwardAddRelu(z, s);                          // relu(F(x) + S(x)), one pass
        return y;
    }

    /** The same function, unfused, keeping F(x) (after the last BN) for {@link #lastBranchOutput}. */
    private Tensor recordedForward(Tensor x) {
        Tensor f = branchForward(x);                                // F(x)   [N,OH,OW,cout]
        lastBranchOut = f.copy();
        Tensor h = f;
        if (residual()) {
            Tensor s = shortcutForward(x);                          // S(x)   [N,OH,OW,cout]
            sum = Tensor.reuse(sum, f.shape());
            Elementwise.add(f.data(), f.offset(), s.data(), s.offset(), sum.data(), sum.offset(), f.size());
            h = sum;
        }
        y = relu.forward(h).copy();
        return y;
    }

    @Override public Tensor backward(Tensor dy) {
        if (lastFused) {
            throw backwardAfterInference();
        }
        lastBranchInputGrad = null;
        if (deleted) {
            Tensor dxDeleted = shortcutBackward(relu.backward(dy));
            if (recording) {
                lastSumGrad = relu.backward(dy).copy();
                lastInputGrad = dxDeleted.copy();
            }
            return dxDeleted;
        }
        Tensor g = sumGradPlace.kind() == Place.Kind.OWN ? (this.g = Tensor.reuse(this.g, y.shape()))
                : slots.view(sumGradPlace.slot(), y.shape());     // dL/dH, H = F(x) + S(x)
        Elementwise.reluBackward(y.data(), y.offset(), dy.data(), dy.offset(), g.data(), g.offset(), g.size());
        if (recording) lastSumGrad = g.copy();                      // before in-place layers reuse the slot
        Tensor dxBranch = branchBackward(g);                        // F'(x)^T g
        if (recording) lastBranchInputGrad = dxBranch.copy();
        if (!residual()) {
            if (recording) lastInputGrad = dxBranch.copy();
            return dxBranch;
        }
        Tensor dxShortcut = shortcutBackward(g);                    // identity: g itself, the "+1" of H' = F' + 1
        Tensor dx = dxPlace.kind() == Place.Kind.OWN ? (this.dx = Tensor.reuse(this.dx, dxBranch.shape()))
                : slots.view(dxPlace.slot(), dxBranch.shape());   // the branch's dx slot: in place
        Elementwise.add(dxBranch.data(), dxBranch.offset(), dxShortcut.data(), dxShortcut.offset(),
                dx.data(), dx.offset(), dx.size());
        if (recording) lastInputGrad = dx.copy();
        return dx;
    }

    /**
     * Keeps copies of the last pass ({@link #lastBranchOutput} and the gradients) for experiments
     * that look inside blocks; the forward then runs unfused. Off by default; the copies of the
     * last recorded pass stay readable after it is switched off.
     */
    public final void setRecording(boolean on) {
        recording = on;
    }
}
