package org.jresnet.api;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jresnet.data.BadImageException;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.RgbImage;
import org.jresnet.engine.Engine;
import org.jresnet.engine.VectorModule;
import org.jresnet.io.ModelFiles;
import org.jresnet.kernel.KernelWorkspace;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.Normalization;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Buffer;
import org.jresnet.nn.Parameter;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.Sgd;
import org.jresnet.train.TrainStep;

/**
 * The embeddable face of jresnet: a ResNet with its metadata (class names, normalisation), for
 * inference, feature extraction, training steps and weight files.
 *
 * <pre>{@code
 *   Network net = Network.load(Path.of("resnet20.safetensors"));   // or Network.create("resnet20")
 *   float[] logits = net.predict(images, 32, 32, Network.Layout.NCHW); // [N * numClasses]
 * }</pre>
 *
 * <p>Images are float arrays of normalised RGB pixels ({@code (v / 255 - mean) / std} per channel,
 * see {@link #normalize}), N images of H x W, in either layout: {@link Layout#NCHW} as PyTorch
 * ({@code [N,3,H,W]}) or {@link Layout#NHWC} ({@code [N,H,W,3]}, the engine's own, no copy).
 *
 * <p>Threads: {@link #predict}, {@link #features} and {@link #classify} may be called from any
 * number of threads at once. Each running call uses a replica of the network, kept in a pool: its
 * own activation buffers and kernel scratch, over the master's weights and packed weights (shared,
 * not copied: {@link org.jresnet.nn.Layer#shareWeightsOf}); at most {@link #maxConcurrentCalls()}
 * calls (default: the number of processors) run at once, so at most that many replicas exist, and
 * further callers wait their turn. An inference call holds a read lock while it runs;
 * {@link #trainStep}, {@link #loadWeights} and {@link #modelChanged} change the master weights
 * under the write lock, so they wait for the calls in progress, and inference sees the weights
 * before or after a step, never half of one.
 *
 * <p>Engine: a network bound to an engine ({@link #engine(Engine)}) runs every computation on
 * that engine's threads and settings, whatever thread calls it; one engine per served model or
 * per Spark task keeps their thread pools apart. Unbound, it uses the caller's
 * {@link Engine#current()}.
 *
 * <p>Arguments: a null one is a NullPointerException naming it, before anything runs; a value
 * that cannot be (an array length that is not whole images, a NaN pixel, a label outside the
 * classes) an IllegalArgumentException that says what was wrong. Weight files that cannot be read
 * or do not fit are IOExceptions ({@link org.jresnet.io.WeightsException} and its kin) naming the
 * file and the problem.
 *
 * <p>JVM: the kernels use the incubating Vector API, so the JVM must be started with
 * {@code --add-modules jdk.incubator.vector}; without it every factory here throws an
 * IllegalStateException that says so ({@link VectorModule}).
 */
public final class Network {
    /** Memory order of an image batch. */
    public enum Layout {
        /** {@code [N, 3, H, W]}: PyTorch's order. */
        NCHW,
        /** {@code [N, H, W, 3]}: jresnet's internal order (channels innermost). */
        NHWC
    }

    /** Result of one {@link #trainStep}: mean cross-entropy and top-1 correct count of the batch (before the update). */
    public record StepResult(float loss, int correct, int batch) {}

    /** SGD defaults of the paper: momentum 0.9, weight decay 1e-4. */
    public static final float DEFAULT_MOMENTUM = 0.9f, DEFAULT_WEIGHT_DECAY = 1e-4f;

    private final ResNet master;
    private ModelMetadata meta;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ConcurrentLinkedQueue<Replica> idle = new ConcurrentLinkedQueue<>();
    /**
     * Admits at most {@link #maxConcurrentCalls()} inference calls at once, so at most that many
     * replicas exist: each holds the activations of its calls and its kernel scratch (a ResNet-50
     * at 224x224: 23 MB at batch 1, 148 MB at batch 16), and an unbounded pool grew one per
     * concurrent caller and never shrank (when each also copied the weights, 8 callers of a
     * ResNet-50 ran a 3 GB heap out of memory).
     */
    private volatile Gate gate = new Gate(DEFAULT_MAX_CONCURRENT_CALLS);
    private final java.util.concurrent.atomic.AtomicInteger replicasMade = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long version;
    private TrainStep step;
    private volatile Engine engine;

    private static final class Replica {
        final ResNet net;
        final Gate gate;
        /** Kernel scratch of this replica's calls, whichever thread makes them (not one per caller thread, for good). */
        final KernelWorkspace workspace = new KernelWorkspace();
        long version = -1;

        Replica(ResNet net, Gate gate) {
            this.net = net;
            this.gate = gate;
        }
    }

    /** The permits of one {@link #maxConcurrentCalls(int)} setting; replicas made under an older one are let go. */
    private static final class Gate {
        final int max;
        final java.util.concurrent.Semaphore permits;

        Gate(int max) {
            this.max = max;
            this.permits = new java.util.concurrent.Semaphore(max);
        }
    }

    /** Default of {@link #maxConcurrentCalls(int)}: the number of processors, beyond which calls only queue for cores. */
    public static final int DEFAULT_MAX_CONCURRENT_CALLS = Runtime.getRuntime().availableProcessors();

    private Network(ResNet model, ModelMetadata meta) {
        this.master = model;
        this.meta = meta;
        this.step = stepFor(new Sgd(model.parameters(), DEFAULT_MOMENTUM, DEFAULT_WEIGHT_DECAY, false));
    }

    /**
     * A step that fails (TrainStep.NonFiniteException) rather than write a NaN loss's gradients into
     * every weight, or keep BN running statistics its forward made infinite (a finite batch whose
     * values are far outside the normalised range: at 1e19 a running variance overflowed while the
     * loss stayed finite, and the network could no longer be saved). trainStep then puts the
     * statistics back.
     */
    private TrainStep stepFor(Sgd sgd) {
        return TrainStep.builder(master, sgd).requireFiniteLoss().hook(seam -> requireFiniteStatistics()).build();
    }

    private void requireFiniteStatistics() {
        for (var e : master.buffers().entrySet()) {
            Tensor v = e.getValue().value();
            int bad = 0;
            for (int i = 0; i < v.size(); i++) if (!Float.isFinite(v.get(i))) bad++;
            if (bad > 0) {
                throw new TrainStep.NonFiniteException(e.getKey() + " became NaN or infinite (" + bad + " of " + v.size()
                        + " values) in this step's forward: the batch's values are far outside the normalised range");
            }
        }
    }

    /**
     * Runs this network's computations on {@code e} (null: on the caller's current engine); returns
     * this. Calls after {@code e} is closed throw IllegalStateException ("engine N is closed").
     */
    public Network engine(Engine e) {
        engine = e;
        return this;
    }

    /** The engine this network is bound to, or null (the caller's current engine). */
    public Engine engine() { return engine; }

    /**
     * At most {@code max} calls of {@link #predict}, {@link #features} and {@link #classify} run at
     * once; a caller beyond them waits (uninterruptibly, as a call in progress does not stop on
     * interrupt either) until one returns. Each running call has its own replica of the network, so
     * this also bounds their memory. Calls that already hold a replica finish on it; the setting
     * applies to calls that start afterwards. Default {@link #DEFAULT_MAX_CONCURRENT_CALLS}.
     *
     * @return this
     * @throws IllegalArgumentException when {@code max < 1}
     */
    public Network maxConcurrentCalls(int max) {
        if (max < 1) throw new IllegalArgumentException("max concurrent calls must be >= 1, got " + max);
        gate = new Gate(max);
        idle.clear();   // replicas of the old setting: let go (those in use are dropped when they return)
        return this;
    }

    /** How many inference calls may run at once ({@link #maxConcurrentCalls(int)}). */
    public int maxConcurrentCalls() { return gate.max; }

    /** Replicas made so far (tests: the pool stays within {@link #maxConcurrentCalls()}). */
    int replicasMade() { return replicasMade.get(); }

    /** Binds this network's engine (unbound: the current one, again) to the calling thread for one call. */
    private Engine.Scope bindEngine() {
        Engine e = engine;
        return (e != null ? e : Engine.current()).bind();
    }

    // ------------------------------------------------------------------ construction

    /** A new randomly initialised network by name ("resnet50", "resnet20", "plain20", ...) with its defaults. */
    public static Network create(String name) {
        return create(ModelConfig.of(name));
    }

    /** A new randomly initialised network of {@code config} (model, shortcut, classes, seed). */
    public static Network create(ModelConfig config) {
        Objects.requireNonNull(config, "config");
        VectorModule.require();
        return new Network(Models.create(config), ModelMetadata.defaults(config));
    }

    /** Names accepted by {@link #create(String)}. */
    public static List<String> modelNames() { return Models.names(); }

    /**
     * A model from a weights file alone. A file jresnet wrote (or python/export_torchvision.py)
     * names its model in its metadata; any other safetensors file or PyTorch checkpoint (a
     * state_dict, a checkpoint dict holding one, DataParallel's {@code module.} keys) gets the
     * registered model its keys and shapes describe. Loading is strict: every key, every shape.
     *
     * @throws IOException the file cannot be read; a {@link org.jresnet.io.WeightsException} when
     *     it fits no model (or several: then {@link #load(Path, ModelConfig)} names one), a
     *     {@link org.jresnet.io.SafeTensorsException} or
     *     {@link org.jresnet.io.torch.TorchCheckpointException} when it is not a well-formed file,
     *     a {@link org.jresnet.io.NonFiniteWeightsException} when it holds NaN or infinite weights
     */
    public static Network load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        VectorModule.require();   // before reading a file the model could not run on
        ModelFiles.Loaded l = ModelFiles.load(file);
        return new Network(l.model(), l.metadata());
    }

    /**
     * A file (typically one without jresnet metadata, a plain PyTorch export) into the model
     * {@code config} describes, strictly: every key and shape must fit it.
     *
     * @throws IOException as {@link #load(Path)}; a {@link org.jresnet.io.WeightsException} lists
     *     the missing, unexpected and mis-shaped keys when the file does not fit {@code config}
     */
    public static Network load(Path file, ModelConfig config) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(config, "config");   // before reading the file, not after
        VectorModule.require();
        ModelFiles.Loaded l = ModelFiles.load(file, config, true);
        return new Network(l.model(), l.metadata());
    }

    // ------------------------------------------------------------------ description

    public ModelMetadata metadata() { return meta; }
    public String name() { return meta.model(); }
    public int numClasses() { return meta.numClasses(); }
    public List<String> classes() { return meta.classes(); }
    /** Length of the pooled feature vector before fc (64 for CIFAR nets, 512 or 2048 for ImageNet nets). */
    public int featureSize() { return master.featureSize(); }
    public long parameterCount() { return master.parameterCount(); }

    /** Replaces class names / normalisation stored with the weights (e.g. after fine-tuning on new data). */
    public void setMetadata(ModelMetadata m) {
        Objects.requireNonNull(m, "metadata");
        if (!m.toConfig().equals(meta.toConfig())) {
            throw new IllegalArgumentException("metadata describes " + describe(m) + ", this network is " + describe(meta)
                    + (m.numClasses() != meta.numClasses() ? ": give one class name per output of fc" : ""));
        }
        meta = m;
    }

    private static String describe(ModelMetadata m) {
        return m.model() + " (shortcut " + m.shortcut() + ", variant " + ModelConfig.variantName(m.strideOn3x3()) + ", "
                + m.numClasses() + " classes)";
    }

    /**
     * The master network itself, for code that drives layers directly. It is not guarded: do not use
     * it while other threads call this object. It is in train mode after a {@link #trainStep}
     * (BN then uses batch statistics); {@code setTraining(false)} it for an eval forward of your own.
     * {@link #predict}, {@link #features} and {@link #classify} run on replicas that share its
     * weights and the convolutions' packed copies of them: after changing its weights or BN
     * statistics yourself (by hand, with a TrainStep of your own, ...) call {@link #modelChanged()},
     * or they may keep packed copies of the old weights.
     */
    public ResNet model() { return master; }

    /**
     * Says that the master network's weights or BN statistics were changed through {@link #model()}:
     * the convolutions pack them again ({@link ResNet#parametersChanged()} is called on it) and the
     * replicas share them again (a {@code flatten()} rebinds them), at the next inference call.
     * Not needed after {@link #trainStep} or {@link #loadWeights}, which do it themselves.
     */
    public void modelChanged() {
        lock.writeLock().lock();
        try {
            master.parametersChanged();
            version++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ------------------------------------------------------------------ inference (thread-safe)

    /**
     * Logits {@code [N * numClasses]} (row per image) in eval mode. Images, here and in every call
     * taking them, must be finite: a NaN or infinite value is refused (IllegalArgumentException).
     */
    public float[] predict(float[] images, int height, int width, Layout layout) {
        Tensor x = input(images, height, width, layout);   // refused before a replica is taken (or made)
        return onReplica(net -> net.infer(x).toArray());
    }

    /** Pooled features before fc, {@code [N * featureSize]}, in eval mode. */
    public float[] features(float[] images, int height, int width, Layout layout) {
        Tensor x = input(images, height, width, layout);
        return onReplica(net -> net.inferFeatures(x).toArray());
    }

    /**
     * {@code call} on a replica over the current master weights, under the read lock (the
     * replica reads the master's weights: a step must not change them meanwhile), on this
     * network's engine and the replica's kernel scratch.
     */
    private float[] onReplica(java.util.function.Function<ResNet, float[]> call) {
        Replica r = borrow();
        try (var s = bindEngine(); var w = r.workspace.bind()) {
            lock.readLock().lock();
            try {
                if (r.version != version) {
                    // again after every change: a flatten() through model() rebinds the master's tensors
                    r.net.shareWeightsOf(master);
                    r.version = version;
                }
                return call.apply(r.net);
            } finally {
                lock.readLock().unlock();
            }
        } finally {
            giveBack(r);
        }
    }

    /** The top-1 class index of each image. */
    public int[] classify(float[] images, int height, int width, Layout layout) {
        float[] z = predict(images, height, width, layout);
        int k = numClasses();
        int[] out = new int[z.length / k];
        for (int i = 0; i < out.length; i++) out[i] = SoftmaxCrossEntropy.argmax(z, i * k, k);
        return out;
    }

    /** Row-wise softmax of logits {@code [N * k]} (in place on a copy). */
    public static float[] softmax(float[] logits, int k) {
        Objects.requireNonNull(logits, "logits");
        if (k < 1 || logits.length % k != 0) {
            throw new IllegalArgumentException(logits.length + " logits are not whole rows of k = " + k);
        }
        float[] p = logits.clone();
        for (int row = 0; row < p.length; row += k) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, p[row + j]);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(p[row + j] - max);
            for (int j = 0; j < k; j++) p[row + j] = (float) (Math.exp(p[row + j] - max) / sum);
        }
        return p;
    }

    /**
     * Normalised NHWC floats from 8-bit RGB pixels {@code [N, H, W, 3]} (interleaved, as image
     * libraries store them): {@code (v / 255 - mean[c]) / std[c]} with this model's statistics.
     */
    public float[] normalize(byte[] rgb) {
        Objects.requireNonNull(rgb, "rgb");
        if (rgb.length % 3 != 0) throw new IllegalArgumentException("RGB bytes must be a multiple of 3, got " + rgb.length);
        Normalization norm = meta.normalization();
        float[] out = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) out[i] = norm.apply(i % 3, rgb[i] & 0xff);
        return out;
    }

    /**
     * Normalised NHWC floats of images that all have the same size (no resizing here). Pixels are
     * read as the command line and PIL's {@code convert("RGB")} read them: grey replicated as
     * stored, alpha dropped, palettes looked up ({@link ImageDecoder#toRgb}); other layouts
     * through {@link BufferedImage#getRGB}.
     */
    public float[] normalize(List<BufferedImage> images) {
        Objects.requireNonNull(images, "images");
        if (images.isEmpty()) throw new IllegalArgumentException("no images");
        for (int i = 0; i < images.size(); i++) {
            if (images.get(i) == null) throw new NullPointerException("images holds null at " + i);
        }
        int h = images.get(0).getHeight(), w = images.get(0).getWidth();
        long bytes = 3L * images.size() * h * w;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(images.size() + " images of " + w + "x" + h + " are more pixels than one Java array holds");
        }
        byte[] rgb = new byte[(int) bytes];
        int o = 0;
        for (int i = 0; i < images.size(); i++) {
            BufferedImage im = images.get(i);
            if (im.getHeight() != h || im.getWidth() != w) {
                throw new IllegalArgumentException("images differ in size: " + w + "x" + h + " and " + im.getWidth() + "x" + im.getHeight());
            }
            RgbImage stored;
            try {
                // the samples as stored, as the command line and PIL read them: getRGB would turn
                // ImageIO's linear grey (every 8-bit grey PNG or JPEG) into sRGB, 128 into 188
                stored = ImageDecoder.toRgb(im, "image " + i);
            } catch (BadImageException e) {
                stored = null;   // a layout no decoder produces (premultiplied alpha, 5-6-5): getRGB's sRGB
            }
            if (stored != null) {
                System.arraycopy(stored.pixels(), 0, rgb, o, stored.pixels().length);
                o += stored.pixels().length;
                continue;
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = im.getRGB(x, y);
                    rgb[o++] = (byte) (p >> 16);
                    rgb[o++] = (byte) (p >> 8);
                    rgb[o++] = (byte) p;
                }
            }
        }
        return normalize(rgb);
    }

    /** A replica (its weights shared when the call runs), once the gate admits this call ({@link #giveBack} releases both). */
    private Replica borrow() {
        Gate g = gate;
        g.permits.acquireUninterruptibly();
        try {
            Replica r = idle.poll();
            while (r != null && r.gate != g) r = idle.poll();   // made under an older setting
            if (r == null) {
                // uninitialised: its parameters allocate nothing until they share the master's
                ResNet net = Models.createUninitialized(master.config);
                net.setTraining(false);   // before sharing: it drops derived state, which would be the master's
                r = new Replica(net, g);
                replicasMade.incrementAndGet();
            }
            return r;
        } catch (RuntimeException | Error e) {
            g.permits.release();
            throw e;
        }
    }

    private void giveBack(Replica r) {
        if (r.gate == gate) idle.add(r);
        r.gate.permits.release();
    }

    /** The batch as an NHWC tensor (a view when already NHWC). */
    private static Tensor input(float[] images, int h, int w, Layout layout) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(layout, "layout");
        if (h < 1 || w < 1) throw new IllegalArgumentException("image size must be positive, got " + h + "x" + w);
        long perImage = 3L * h * w;   // long: 65536 x 65536 images must not wrap to a division by 0
        if (images.length == 0 || images.length % perImage != 0) {
            throw new IllegalArgumentException(images.length + " floats is not a whole number of 3x" + h + "x" + w + " images");
        }
        int per = (int) perImage, n = images.length / per;
        // a NaN pixel makes every logit NaN (argmax then says class 0), and one such training batch
        // every weight: refused, not passed on
        int bad = 0, first = -1;
        for (int i = 0; i < images.length; i++) {
            if (!Float.isFinite(images[i])) {
                if (bad++ == 0) first = i;
            }
        }
        if (bad > 0) throw new IllegalArgumentException("images hold " + bad + " NaN or infinite values (the first at " + first + ")");
        if (layout == Layout.NHWC) return new Tensor(images, 0, n, h, w, 3);
        return Tensor.of(nchwToNhwc(images, n, 3, h, w), n, h, w, 3);
    }

    /** Refuses a transpose whose array is not exactly {@code n * c * h * w} floats. */
    private static void checkLength(float[] src, int n, int c, int h, int w) {
        Objects.requireNonNull(src, "src");
        if (n < 0 || c < 0 || h < 0 || w < 0 || (long) n * c * h * w != src.length) {
            throw new IllegalArgumentException(src.length + " floats are not " + n + " x " + c + " x " + h + " x " + w);
        }
    }

    /** {@code [N,C,H,W]} to {@code [N,H,W,C]}. */
    public static float[] nchwToNhwc(float[] src, int n, int c, int h, int w) {
        checkLength(src, n, c, h, w);
        float[] dst = new float[n * c * h * w];
        int hw = h * w;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int s = (i * c + ch) * hw, d = i * hw * c + ch;
                for (int p = 0; p < hw; p++) dst[d + p * c] = src[s + p];
            }
        }
        return dst;
    }

    /** {@code [N,H,W,C]} to {@code [N,C,H,W]}. */
    public static float[] nhwcToNchw(float[] src, int n, int h, int w, int c) {
        checkLength(src, n, c, h, w);
        float[] dst = new float[n * c * h * w];
        int hw = h * w;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int d = (i * c + ch) * hw, s = i * hw * c + ch;
                for (int p = 0; p < hw; p++) dst[d + p] = src[s + p * c];
            }
        }
        return dst;
    }

    // ------------------------------------------------------------------ training

    /** Replaces the optimizer (its momentum starts afresh). Defaults: {@link #DEFAULT_MOMENTUM}, {@link #DEFAULT_WEIGHT_DECAY}. */
    public void setOptimizer(float momentum, float weightDecay, boolean nesterov) {
        lock.writeLock().lock();
        try {
            step = stepFor(new Sgd(master.parameters(), momentum, weightDecay, nesterov));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * One SGD step on a labelled batch in train mode (BN uses and updates batch statistics):
     * forward, softmax cross-entropy, backward, update with learning rate {@code lr}. It holds the
     * write lock: concurrent inference sees the weights before or after it.
     *
     * @throws IllegalArgumentException for images {@link #predict} refuses, a label count that is not
     *     the image count, a label outside {@code [0, numClasses)}, a rate that is not finite and
     *     {@code >= 0}; checked before anything runs, so the network is unchanged
     * @throws TrainStep.NonFiniteException when the loss, or a BN running statistic, became NaN or
     *     infinite: no weight and no momentum is updated, and BN's running statistics are put back
     *     as they were
     */
    public StepResult trainStep(float[] images, int[] labels, int height, int width, Layout layout, float lr) {
        Tensor x = input(images, height, width, layout);
        Objects.requireNonNull(labels, "labels");
        if (x.dim(0) != labels.length) {
            throw new IllegalArgumentException(x.dim(0) + " images but " + labels.length + " labels");
        }
        // checked before the forward, which updates BN's running statistics even in a step that then fails
        int k = numClasses();
        for (int l : labels) if (l < 0 || l >= k) throw new IllegalArgumentException("label " + l + " outside [0, " + k + ")");
        if (!(lr >= 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        lock.writeLock().lock();
        try (var s = bindEngine()) {
            master.setTraining(true);
            // a step refused at its seam (a non-finite loss) changes no weight, but its forward has
            // updated BN's running statistics by then (NaN ones: every later prediction NaN, and a
            // network save refuses): they are put back. A few KB per step (ResNet-50: 0.2 MB).
            Map<String, float[]> buffers = new HashMap<>();
            for (var e : master.buffers().entrySet()) buffers.put(e.getKey(), e.getValue().value().toArray());
            try {
                TrainStep.Result r = step.run(x, labels, lr);
                return new StepResult(r.loss(), r.correct(), r.batch());
            } catch (TrainStep.NonFiniteException e) {
                for (var b : master.buffers().entrySet()) {
                    Tensor v = b.getValue().value();
                    v.copyFrom(Tensor.of(buffers.get(b.getKey()), v.shape()));
                }
                throw e;
            }
        } finally {
            version++;   // the inference replicas copy again
            lock.writeLock().unlock();
        }
    }

    /** The optimizer, e.g. to save or restore its momentum buffers. */
    public Sgd optimizer() { return step.optimizer(); }

    // ------------------------------------------------------------------ weights

    /**
     * Writes weights + metadata (atomically); the file loads with {@link #load(Path)} and strictly in PyTorch.
     *
     * @throws org.jresnet.io.NonFiniteWeightsException (an IOException) when a weight or BN
     *     statistic is NaN or infinite; the file is then not touched
     */
    public void save(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        lock.readLock().lock();
        try {
            ModelFiles.save(file, master, meta);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Loads weights for this same architecture from a file (strict: every key, every shape); the
     * class names and normalisation stay this network's. Nothing changes unless everything fits.
     *
     * @throws IOException as {@link #load(Path, ModelConfig)}
     */
    public void loadWeights(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        var f = org.jresnet.io.WeightFiles.read(file);
        lock.writeLock().lock();
        try {
            ModelFiles.loadInto(master, f, file, true);
            version++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** A copy of one parameter or buffer by its state_dict key (e.g. "fc.weight"); IllegalArgumentException for an unknown key. */
    public float[] tensor(String key) {
        lock.readLock().lock();
        try {
            Parameter p = master.parameters().get(key);
            if (p != null) return p.value().toArray();
            Buffer b = master.buffers().get(key);
            if (b != null) return b.value().toArray();
            throw new IllegalArgumentException("no tensor '" + key + "' in " + name());
        } finally {
            lock.readLock().unlock();
        }
    }
}
