package org.jresnet.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jresnet.engine.Engine;
import org.jresnet.nn.BasicBlock;
import org.jresnet.nn.BatchNorm2d;
import org.jresnet.nn.Bottleneck;
import org.jresnet.nn.Conv2d;
import org.jresnet.nn.GlobalAvgPool;
import org.jresnet.nn.Init;
import org.jresnet.nn.Layer;
import org.jresnet.nn.Linear;
import org.jresnet.nn.MaxPool2d;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.nn.Sequential;
import org.jresnet.nn.TransientBuffers;
import org.jresnet.tensor.Tensor;

/**
 * A residual (or plain) network, read like torchvision's {@code resnet.py}:
 * stem (ImageNet: conv1 7x7/2 + bn1 + relu + maxpool 3x3/2; CIFAR: conv1 3x3 16 + bn1 + relu),
 * stages {@code layer1..layerK} of blocks, global average pooling, fc. Input NHWC [N,H,W,3],
 * output logits [N,numClasses]; {@link #features} gives the pooled vector before fc.
 */
public final class ResNet extends Layer {
    /** One row of a summary: a stage's output shape (NHWC, batch 1), parameters and multiply-adds per image. */
    public record StageInfo(String name, int[] outputShape, long params, long macs) {}

    private static final int[] IMAGENET_PLANES = {64, 128, 256, 512};
    private static final int[] CIFAR_PLANES = {16, 32, 64};

    public final ModelConfig config;
    public final Conv2d conv1;
    public final BatchNorm2d bn1;
    public final MaxPool2d maxpool;            // null in CIFAR nets
    public final Linear fc;
    private final List<Sequential> stages = new ArrayList<>();
    private final List<ResidualBlock> blocks = new ArrayList<>();
    private final List<BatchNorm2d> norms = new ArrayList<>();      // every BN, for infer()'s fusion
    private final GlobalAvgPool avgpool;
    private Tensor chunkedOut;                                       // infer's output when it runs in chunks
    private int[] chunkedFor = {0, 0, 0};                            // the image shape (H, W, C) chunkedBytes is for
    private long chunkedBytes;                                       // its largest activation, bytes an image
    private TransientBuffers inference;                              // the stem's slots in a fused pass (null: own buffers)

    /**
     * Bytes of one activation tensor (the largest) of an inference chunk, per engine thread: about
     * a core's L2 (1 MB on Zen 4 and 5), so that a layer's input, output and shortcut come from
     * cache rather than memory. Zen 4 (family 25), 2 threads, one JVM alternating, medians of 40
     * passes: ResNet-20 at batch 256 whole 97.6 ms, in chunks of 64 88.5, 32 86.7, 16 87.7, 8 84.0;
     * ResNet-56 295 -> 270 ms in chunks of 32; ResNet-20 at batch 64 within noise.
     */
    static final long CHUNK_BYTES_PER_THREAD = 1L << 20;
    /**
     * Fewest images a chunk may have: below it every weight is read for too few images.
     * ResNet-50 (3.2 MB an image after its stem) at batch 16 gains nothing from chunks:
     * 575 ms whole, 582 in chunks of 8, 598 of 4, 611 of 2.
     */
    static final int MIN_CHUNK = 8;

    ResNet(ModelConfig config) { this(config, true); }

    /** {@code initialize} false: no initialisation (the weights stay 0), for a caller that writes every value. */
    ResNet(ModelConfig config, boolean initialize) {
        this.config = config;
        Models.Arch arch = Models.arch(config.name());
        int[] planes = arch.cifar() ? CIFAR_PLANES : IMAGENET_PLANES;
        int width = planes[0];
        if (arch.cifar()) {
            conv1 = add("conv1", new Conv2d(3, width, 3, 1, 1, false));
            bn1 = add("bn1", new BatchNorm2d(width));
            maxpool = null;
        } else {
            conv1 = add("conv1", new Conv2d(3, width, 7, 2, 3, false));
            bn1 = add("bn1", new BatchNorm2d(width));
            maxpool = add("maxpool", new MaxPool2d(3, 2, 1));
        }
        bn1.setFusedRelu(true);                        // the stem's relu runs inside bn1
        int expansion = arch.block() == Models.Block.BASIC ? BasicBlock.EXPANSION : Bottleneck.EXPANSION;
        int cin = width;
        for (int s = 0; s < planes.length; s++) {
            Sequential stage = add("layer" + (s + 1), new Sequential());
            for (int i = 0; i < arch.blocks()[s]; i++) {
                int stride = i == 0 && s > 0 ? 2 : 1;    // halve the map at the start of every stage but the first
                ResidualBlock b = arch.block() == Models.Block.BASIC
                        ? new BasicBlock(cin, planes[s], stride, config.shortcut())
                        : new Bottleneck(cin, planes[s], stride, config.shortcut(), config.strideOn3x3());
                stage.append(b);
                blocks.add(b);
                cin = planes[s] * expansion;
            }
            stages.add(stage);
        }
        avgpool = add("avgpool", new GlobalAvgPool());
        fc = add("fc", new Linear(cin, config.numClasses()));
        if (initialize) initialize();
        setInputGradient(false);
        for (Layer m : modules().values()) if (m instanceof BatchNorm2d bn) norms.add(bn);
    }

    /**
     * Whether {@link #backward} computes dL/dx for the input images (off by default: training
     * needs only the parameter gradients, and the stem's input gradient costs as much as its
     * forward). Turn it on for saliency maps or adversarial inputs.
     */
    public void setInputGradient(boolean on) { conv1.setInputGradient(on); }

    /**
     * {@link #forward} for inference: nothing is kept for a backward, so in eval mode every BN,
     * and each block's add and ReLU, is applied by the convolution before it as it stores its
     * output ({@link BatchNorm2d#setInferenceFusion}): one pass over the activations instead of two
     * or three, the same logits bit for bit; and a block's last convolution may write its output
     * over the block's shortcut, so inner layers' outputs are not left in place for inspection
     * (use {@link ResidualBlock#setRecording} or {@link #forward} for that). The pass's activations
     * go to the network's transient slots, not to the layers' own buffers, and no layer keeps its
     * input: a network that only infers holds four activation-sized arrays. {@link #backward}
     * cannot follow it. A batch of small images runs in chunks ({@link #inferenceChunk}) whose
     * activations stay in cache, with the same logits.
     */
    @Override public Tensor infer(Tensor x) { return inChunks(x, this::forward); }

    /** {@link #features} for inference, as {@link #infer}. */
    public Tensor inferFeatures(Tensor x) { return inChunks(x, this::features); }

    /**
     * The last stage's output, NHWC [N,h,w,C] (ResNet-18: [N,7,7,512] at 224x224; ResNet-20:
     * [N,8,8,64] at 32x32), for inference: the tensor {@link #features} pools and {@link #fc}
     * then reads, computed as {@link #infer} computes it (fused, in chunks), so
     * {@link #head}{@code (lastStage(x))} gives {@link #infer}{@code (x)}'s logits bit for bit. For
     * class activation maps (package {@code explain}). Needs eval mode ({@code setTraining(false)}):
     * in training mode BN would normalise by the batch's statistics. The tensor is the model's
     * own buffer: valid until its next pass.
     */
    public Tensor lastStage(Tensor x) {
        if (isTraining()) throw new IllegalStateException("lastStage is for inference: call setTraining(false) first");
        return inChunks(x, this::stagesForward);
    }

    /** Global average pooling then fc: a {@link #lastStage} output [N,h,w,C] -> logits [N,numClasses]. */
    public Tensor head(Tensor lastStage) { return fc.forward(avgpool.forward(lastStage)); }

    /**
     * Images per pass of {@link #infer} for input NHWC {@code in} on the current engine: the whole
     * batch, unless chunks of at least {@link #MIN_CHUNK} images keep the largest activation within
     * {@link #CHUNK_BYTES_PER_THREAD} per engine thread. An image's outputs do not depend on the
     * other images of its pass (BatchInvarianceTest), so the logits are the same bits either way.
     */
    public int inferenceChunk(int[] in) {
        if (in[0] <= MIN_CHUNK) return in[0];   // no chunk of at least MIN_CHUNK images is smaller
        long chunk = CHUNK_BYTES_PER_THREAD * Engine.current().threads() / activationBytesPerImage(in);
        return chunk < MIN_CHUNK ? in[0] : (int) Math.min(in[0], chunk);
    }

    /** Bytes of the largest activation of one image of NHWC shape {@code in}: the stem's or a stage's output. */
    private long activationBytesPerImage(int[] in) {
        if (in[1] != chunkedFor[0] || in[2] != chunkedFor[1] || in[3] != chunkedFor[2]) {
            int[] h = in.clone();
            h[0] = 1;
            h = conv1.outputShape(h);
            long largest = Tensor.numel(h);
            if (maxpool != null) h = maxpool.outputShape(h);
            for (Sequential stage : stages) {
                h = stage.outputShape(h);
                largest = Math.max(largest, Tensor.numel(h));
            }
            chunkedFor = new int[] {in[1], in[2], in[3]};
            chunkedBytes = largest * Float.BYTES;
        }
        return chunkedBytes;
    }

    /** {@code pass} in eval-fused mode over chunks of {@link #inferenceChunk} images, its outputs gathered. */
    private Tensor inChunks(Tensor x, java.util.function.Function<Tensor, Tensor> pass) {
        int[] shape = x.shape();
        int n = shape[0], chunk = inferenceChunk(shape);
        if (chunk >= n) return fused(() -> pass.apply(x));
        int per = x.size() / n;
        Tensor out = null;
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int m = Math.min(chunk, n - i0);
            shape[0] = m;
            Tensor part = new Tensor(x.data(), x.offset() + i0 * per, shape);
            Tensor y = fused(() -> pass.apply(part));
            if (out == null) {
                int[] outShape = y.shape();
                outShape[0] = n;
                out = chunkedOut = Tensor.reuse(chunkedOut, outShape);
            }
            System.arraycopy(y.data(), y.offset(), out.data(), out.offset() + i0 * (y.size() / m), y.size());
        }
        return out;
    }

    private Tensor fused(java.util.function.Supplier<Tensor> pass) {
        for (BatchNorm2d bn : norms) bn.setInferenceFusion(true);
        try {
            return pass.get();
        } finally {
            for (BatchNorm2d bn : norms) bn.setInferenceFusion(false);
        }
    }

    /** torchvision's init (see {@link Init} for the seed scheme), then zero_init_residual if asked. */
    public void initialize() {
        long seed = config.seed();
        for (var e : modules().entrySet()) {
            Layer m = e.getValue();
            if (m instanceof Conv2d c) Init.kaimingNormalFanOut(c, Init.stream(seed, e.getKey() + "weight"));
            else if (m instanceof BatchNorm2d bn) Init.batchNorm(bn);
            else if (m instanceof Linear l) Init.linearDefault(l, seed, e.getKey());
        }
        if (config.zeroInitResidual()) for (ResidualBlock b : blocks) b.lastBn().weight.value().fill(0f);
    }

    /** Blocks in forward order (layer1.0, layer1.1, ..., layerK.last). */
    public List<ResidualBlock> blocks() { return Collections.unmodifiableList(blocks); }

    public List<Sequential> stages() { return Collections.unmodifiableList(stages); }

    public int featureSize() { return fc.in; }

    /** [N,H,W,3] -> pooled features [N, featureSize]. */
    public Tensor features(Tensor x) { return avgpool.forward(stagesForward(x)); }

    /**
     * Where a fused inference pass writes the stem's output and then the maxpool's: the two slots
     * the blocks' outputs take turns in ({@link ResidualBlock#setInferenceBuffers}); null: the
     * layers' own buffers. Set with the memory plans ({@link ResNetMemory}).
     */
    void setInferenceBuffers(TransientBuffers buffers) { inference = buffers; }

    /** Stem and stages: [N,H,W,3] -> the last stage's output [N,h,w,C]. */
    private Tensor stagesForward(Tensor x) {
        boolean fused = bn1.fusesIntoConv();
        Tensor h = bn1.forwardAfter(conv1, x, fused ? apartFrom(x, conv1.outputShape(x.shape())) : null);
        if (maxpool != null) h = fused ? maxpool.infer(h, apartFrom(h, maxpool.outputShape(h.shape()))) : maxpool.forward(h);
        for (Sequential s : stages) h = s.forward(h);
        return h;
    }

    /** An inference slot for {@code shape} that does not hold {@code keep}; null without inference slots. */
    private Tensor apartFrom(Tensor keep, int[] shape) {
        return inference == null ? null : inference.viewApartFrom(keep, TransientBuffers.Slot.SUM,
                TransientBuffers.Slot.BRANCH_INPUT, shape);
    }

    /**
     * dL/dfeatures [N,F] -> dL/dx [N,H,W,3] (null unless {@link #setInputGradient} is on),
     * accumulating every gradient below fc.
     */
    public Tensor featuresBackward(Tensor dfeat) {
        Tensor g = avgpool.backward(dfeat);
        for (int i = stages.size() - 1; i >= 0; i--) g = stages.get(i).backward(g);
        if (maxpool != null) g = maxpool.backward(g);
        return conv1.backward(bn1.backward(g));
    }

    @Override public Tensor forward(Tensor x) { return fc.forward(features(x)); }

    @Override public Tensor backward(Tensor dy) { return featuresBackward(fc.backward(dy)); }

    @Override public int[] outputShape(int[] in) {
        List<StageInfo> s = summary(in);
        return s.get(s.size() - 1).outputShape();
    }

    /** Multiply-adds of the whole network (convolutions and fc) for input {@code in}. */
    @Override public long macs(int[] in) {
        long m = 0;
        for (StageInfo s : summary(in)) m += s.macs();
        return m;
    }

    /** Stem, each stage, pooling and fc, for input NHWC {@code in}: shapes, parameters, multiply-adds. */
    public List<StageInfo> summary(int[] in) {
        List<StageInfo> out = new ArrayList<>();
        int[] h = conv1.outputShape(in);
        long macs = conv1.macs(in);
        long params = conv1.parameterCount() + bn1.parameterCount();
        if (maxpool != null) h = maxpool.outputShape(h);
        out.add(new StageInfo("stem", h, params, macs));
        for (int i = 0; i < stages.size(); i++) {
            Sequential s = stages.get(i);
            out.add(new StageInfo("layer" + (i + 1), s.outputShape(h), s.parameterCount(), s.macs(h)));
            h = s.outputShape(h);
        }
        h = avgpool.outputShape(h);
        out.add(new StageInfo("avgpool", h, 0, 0));
        out.add(new StageInfo("fc", fc.outputShape(h), fc.parameterCount(), fc.macs(h)));
        return out;
    }
}
