package org.jresnet.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jresnet.kernel.KernelWorkspace;
import org.jresnet.kernel.PackedWeightCache;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Conv2d;
import org.jresnet.nn.HeldFloats;
import org.jresnet.nn.Parameter;
import org.jresnet.nn.RandomTensors;
import java.util.IdentityHashMap;
import java.util.Set;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.TensorData;
import org.jresnet.io.WeightsException;
import org.jresnet.models.ModelConfig;
import org.jresnet.nn.Shortcut;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkTest {
    @TempDir Path dir;

    private static float[] randomImages(long seed, int n, int h, int w) {
        return RandomTensors.gaussian(new Random(seed), n * 3 * h * w);
    }

    @Test
    void concurrentInferenceEqualsSequentialResults() throws Exception {
        Network net = Network.create(ModelConfig.of("resnet20").withShortcut(Shortcut.B).withSeed(5));
        int threads = 6, calls = 3;
        List<float[]> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        List<float[]> expectedFeatures = new ArrayList<>();
        for (int t = 0; t < threads * calls; t++) {
            float[] x = randomImages(t, 1 + t % 3, 16, 16);
            inputs.add(x);
            expected.add(net.predict(x, 16, 16, Network.Layout.NCHW));
            expectedFeatures.add(net.features(x, 16, 16, Network.Layout.NCHW));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<float[][]>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t * calls;
                Callable<List<float[][]>> job = () -> {
                    start.await();
                    List<float[][]> out = new ArrayList<>();
                    for (int i = first; i < first + calls; i++) {
                        out.add(new float[][] {net.predict(inputs.get(i), 16, 16, Network.Layout.NCHW),
                                net.features(inputs.get(i), 16, 16, Network.Layout.NCHW)});
                    }
                    return out;
                };
                results.add(pool.submit(job));
            }
            start.countDown();
            for (int t = 0; t < threads; t++) {
                List<float[][]> got = results.get(t).get();
                for (int i = 0; i < calls; i++) {
                    assertThat(got.get(i)[0]).containsExactly(expected.get(t * calls + i));
                    assertThat(got.get(i)[1]).containsExactly(expectedFeatures.get(t * calls + i));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Every concurrent caller used to get a replica of its own (a whole network with activation
     * buffers, 0.5 GB for a ResNet-50 at 224x224) that stayed in the pool for good: 8 callers of a
     * ResNet-50 ran a 3 GB heap out of memory. The calls beyond the limit now wait for a replica.
     */
    @Test
    void concurrentCallersShareAtMostMaxConcurrentCallsReplicas() throws Exception {
        Network net = Network.create(ModelConfig.of("resnet20").withSeed(3)).maxConcurrentCalls(2);
        assertThat(net.maxConcurrentCalls()).isEqualTo(2);
        float[] x = randomImages(1, 16, 32, 32);   // long enough a call that 8 of them overlap
        float[] expected = net.predict(x, 32, 32, Network.Layout.NCHW);
        predictAtOnce(net, x, 8, expected);
        assertThat(net.replicasMade()).isBetween(1, 2);

        net.maxConcurrentCalls(1);   // a lower setting lets the older replicas go
        assertThat(net.predict(x, 32, 32, Network.Layout.NCHW)).containsExactly(expected);
        assertThat(net.replicasMade()).isBetween(2, 3);
        assertThatThrownBy(() -> net.maxConcurrentCalls(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 1");
        assertThat(Network.create("resnet20").maxConcurrentCalls()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A replica holds what its calls need, activations and kernel scratch, over the master's
     * weights: each used to copy every weight and pack its own copies of them (a ResNet-50's
     * replica: 102 + 124 MB).
     */
    @Test
    void replicasShareTheMastersWeightsAndPackedWeights() throws Exception {
        Network net = Network.create(ModelConfig.of("resnet20").withSeed(3)).maxConcurrentCalls(2);
        float[] x = randomImages(1, 16, 32, 32);
        float[] expected = net.predict(x, 32, 32, Network.Layout.NCHW);
        predictAtOnce(net, x, 4, expected);
        assertThat(net.replicasMade()).isBetween(1, 2);
        ResNet master = net.model();
        Set<float[]> values = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Parameter p : HeldFloats.instances(net, Parameter.class)) values.add(p.value().data());
        assertThat(values).as("distinct weight arrays").hasSize(master.parameters().size());
        long convs = master.modules().values().stream().filter(l -> l instanceof Conv2d).count();
        assertThat(HeldFloats.instances(net, PackedWeightCache.class)).as("packed weight caches").hasSize((int) convs);
    }

    /**
     * Kernel scratch belongs to a replica, not to the threads that call: a server's threads each
     * kept theirs for good (a ResNet-50's: 14 MB at batch 1, 31 MB at batch 16), however few calls
     * ran at once.
     */
    @Test
    void callingThreadsKeepNoKernelScratch() throws Exception {
        Network net = Network.create(ModelConfig.of("resnet20").withSeed(3));
        float[] x = randomImages(1, 4, 32, 32);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            long held = pool.submit(() -> {
                net.predict(x, 32, 32, Network.Layout.NCHW);
                net.features(x, 32, 32, Network.Layout.NCHW);
                return HeldFloats.floats(HeldFloats.arrays(KernelWorkspace.forThisThread(), o -> false));
            }).get();
            assertThat(held).as("floats of kernel scratch the calling thread keeps").isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Training steps and concurrent inference: every prediction is the network's before or after
     * a step, never half of one, nor of weights packed before a step (the replicas share the
     * master's weights and their packed copies).
     */
    @Test
    void predictionsDuringTrainingStepsSeeWholeSteps() throws Exception {
        ModelConfig config = ModelConfig.of("resnet20").withSeed(9);
        Network twin = Network.create(config), net = Network.create(config).maxConcurrentCalls(2);
        float[] x = randomImages(1, 2, 16, 16), batch = randomImages(2, 4, 16, 16);
        int[] labels = {0, 1, 2, 3};
        int steps = 4;
        List<float[]> versions = new ArrayList<>();
        versions.add(twin.predict(x, 16, 16, Network.Layout.NCHW));
        for (int i = 0; i < steps; i++) {
            twin.trainStep(batch, labels, 16, 16, Network.Layout.NCHW, 0.2f);
            versions.add(twin.predict(x, 16, 16, Network.Layout.NCHW));
        }
        assertThat(net.predict(x, 16, 16, Network.Layout.NCHW)).containsExactly(versions.get(0));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            java.util.concurrent.atomic.AtomicBoolean training = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<Future<List<float[]>>> seen = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                seen.add(pool.submit(() -> {
                    List<float[]> out = new ArrayList<>();
                    while (training.get()) out.add(net.predict(x, 16, 16, Network.Layout.NCHW));
                    return out;
                }));
            }
            Future<?> trainer = pool.submit(() -> {
                try {
                    for (int i = 0; i < steps; i++) net.trainStep(batch, labels, 16, 16, Network.Layout.NCHW, 0.2f);
                } finally {
                    training.set(false);
                }
            });
            trainer.get();
            for (Future<List<float[]>> f : seen) {
                for (float[] logits : f.get()) {
                    assertThat(versions).as("a prediction during training").anySatisfy(v -> assertThat(logits).containsExactly(v));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(net.predict(x, 16, 16, Network.Layout.NCHW)).containsExactly(versions.get(steps));
    }

    /** A refused input is refused before a replica is made for it (a ResNet-50's holds 23 MB of activations and scratch at batch 1, 148 MB at 16). */
    @Test
    void badInputIsRefusedBeforeAReplicaIsMade() {
        Network net = Network.create("resnet20");
        assertThatThrownBy(() -> net.predict(new float[5], 32, 32, Network.Layout.NCHW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> net.features(new float[] {Float.NaN, 0, 0}, 1, 1, Network.Layout.NHWC)).isInstanceOf(IllegalArgumentException.class);
        assertThat(net.replicasMade()).isZero();
    }

    /**
     * Null and mis-sized arguments are named at the API, not found deep inside: load(file, null)
     * read the whole file and then failed with "Cannot invoke ModelConfig.cifar() because c is
     * null", create(null) inside ResNet's constructor, the public transposes and TopClasses with
     * an ArrayIndexOutOfBoundsException.
     */
    @Test
    void nullAndMisSizedArgumentsAreNamed() throws Exception {
        Network net = Network.create("resnet20");
        Path file = dir.resolve("r20.safetensors");
        net.save(file);
        assertThatThrownBy(() -> Network.create((ModelConfig) null)).isInstanceOf(NullPointerException.class).hasMessage("config");
        assertThatThrownBy(() -> Network.load(null)).isInstanceOf(NullPointerException.class).hasMessage("file");
        assertThatThrownBy(() -> Network.load(file, null)).isInstanceOf(NullPointerException.class).hasMessage("config");
        assertThatThrownBy(() -> net.save(null)).isInstanceOf(NullPointerException.class).hasMessage("file");
        assertThatThrownBy(() -> net.loadWeights(null)).isInstanceOf(NullPointerException.class).hasMessage("file");
        assertThatThrownBy(() -> net.setMetadata(null)).isInstanceOf(NullPointerException.class).hasMessage("metadata");
        assertThatThrownBy(() -> net.normalize((byte[]) null)).isInstanceOf(NullPointerException.class).hasMessage("rgb");
        assertThatThrownBy(() -> net.normalize((List<BufferedImage>) null)).isInstanceOf(NullPointerException.class).hasMessage("images");
        List<BufferedImage> withNull = new ArrayList<>();
        withNull.add(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB));
        withNull.add(null);
        assertThatThrownBy(() -> net.normalize(withNull)).isInstanceOf(NullPointerException.class).hasMessage("images holds null at 1");
        assertThatThrownBy(() -> Network.softmax(null, 3)).isInstanceOf(NullPointerException.class).hasMessage("logits");
        BufferedImage huge = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB) {   // the size alone matters
            @Override public int getWidth() { return 20000; }
            @Override public int getHeight() { return 20000; }
        };
        assertThatThrownBy(() -> net.normalize(List.of(huge, huge, huge, huge))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("4 images of 20000x20000 are more pixels than one Java array holds");

        assertThatThrownBy(() -> Network.nchwToNhwc(new float[5], 1, 3, 2, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("5 floats are not 1 x 3 x 2 x 2");
        assertThatThrownBy(() -> Network.nhwcToNchw(new float[13], 1, 2, 2, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("13 floats are not 1 x 3 x 2 x 2");
        assertThat(Network.nhwcToNchw(Network.nchwToNhwc(new float[] {1, 2, 3, 4, 5, 6}, 1, 3, 1, 2), 1, 1, 2, 3))
                .containsExactly(1, 2, 3, 4, 5, 6);
        assertThatThrownBy(() -> TopClasses.softmax(new float[10], 1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no row 1 of k = 10 in 10 logits");
        assertThatThrownBy(() -> TopClasses.top(new double[] {0.5, 0.5}, List.of("a"), 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("2 probabilities but 1 class names");
    }

    /**
     * A file whose keys do not say which ResNet it is: the advice is for the caller of the Java API
     * too (it said only "--model resnet50", an option of the command line).
     */
    @Test
    void aFileOfNoKnownModelSaysHowToNameOneInJava() throws Exception {
        Path file = dir.resolve("no-fc.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>(ModelFiles.stateDict(Network.create("resnet20").model()));
        tensors.remove("fc.weight");
        SafeTensors.write(file, tensors, Map.of());   // no jresnet metadata
        assertThatThrownBy(() -> Network.load(file)).isInstanceOf(WeightsException.class)
                .hasMessageContaining("no fc.weight")
                .hasMessageContaining("Network.load(file, ModelConfig.of(\"resnet50\"))");
    }

    @Test
    void inferenceSeesTrainingStepsAndLayoutsAgree() {
        Network net = Network.create("resnet20");
        float[] nchw = randomImages(1, 2, 8, 8);
        float[] nhwc = Network.nchwToNhwc(nchw, 2, 3, 8, 8);
        assertThat(Network.nhwcToNchw(nhwc, 2, 8, 8, 3)).containsExactly(nchw);
        float[] before = net.predict(nchw, 8, 8, Network.Layout.NCHW);
        assertThat(net.predict(nhwc, 8, 8, Network.Layout.NHWC)).containsExactly(before);
        Network.StepResult r = net.trainStep(nchw, new int[] {1, 2}, 8, 8, Network.Layout.NCHW, 0.5f);
        assertThat(r.batch()).isEqualTo(2);
        assertThat(net.predict(nchw, 8, 8, Network.Layout.NCHW)).isNotEqualTo(before);
        assertThat(Network.softmax(before, 10)).satisfies(p -> {
            double sum = 0;
            for (int j = 0; j < 10; j++) sum += p[j];
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        });
    }

    @Test
    void badInputsAreClearErrors() {
        Network net = Network.create("resnet20");
        assertThatThrownBy(() -> net.predict(new float[100], 8, 8, Network.Layout.NCHW))
                .hasMessage("100 floats is not a whole number of 3x8x8 images");
        assertThatThrownBy(() -> net.trainStep(new float[192], new int[] {1, 2}, 8, 8, Network.Layout.NHWC, 0.1f))
                .hasMessage("1 images but 2 labels");
        assertThatThrownBy(() -> Network.create("resnet19")).hasMessageStartingWith("unknown model 'resnet19'");
        assertThatThrownBy(() -> Network.softmax(new float[] {1, 2, 3}, 0)).hasMessage("3 logits are not whole rows of k = 0");
        assertThatThrownBy(() -> Network.softmax(new float[] {1, 2, 3}, 2)).hasMessage("3 logits are not whole rows of k = 2");
        assertThatThrownBy(() -> net.predict(new float[3], 65536, 65536, Network.Layout.NCHW))
                .hasMessage("3 floats is not a whole number of 3x65536x65536 images");
        assertThatThrownBy(() -> net.predict(new float[192], 8, 8, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("layout");
        float[] nan = new float[192];
        nan[7] = Float.NaN;
        nan[9] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> net.classify(nan, 8, 8, Network.Layout.NHWC))
                .hasMessage("images hold 2 NaN or infinite values (the first at 7)");
    }

    /** A step refused for its labels or rate leaves the model as it was, BN's running statistics included. */
    @Test
    void aRefusedStepChangesNothing() {
        Network net = Network.create("resnet20");
        float[] x = new float[2 * 8 * 8 * 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
        float[] before = net.predict(x, 8, 8, Network.Layout.NHWC);
        float[] mean = net.model().buffers().get("bn1.running_mean").value().toArray();
        assertThatThrownBy(() -> net.trainStep(x, new int[] {1, 99}, 8, 8, Network.Layout.NHWC, 0.1f))
                .hasMessage("label 99 outside [0, 10)");
        assertThatThrownBy(() -> net.trainStep(x, new int[] {1, 2}, 8, 8, Network.Layout.NHWC, Float.NaN))
                .hasMessage("learning rate must be finite and >= 0, got NaN");
        assertThat(net.model().buffers().get("bn1.running_mean").value().toArray()).containsExactly(mean);
        assertThat(net.predict(x, 8, 8, Network.Layout.NHWC)).containsExactly(before);
        Network.StepResult ok = net.trainStep(x, new int[] {1, 2}, 8, 8, Network.Layout.NHWC, 0.1f);
        assertThat(ok.loss()).isFinite();
    }

    /**
     * A step refused for its loss (TrainStep.NonFiniteException) updated no weight, but its forward
     * had already written its batch statistics into every BN's running mean and variance: NaN
     * there made every later prediction NaN and the network unsaveable (NonFiniteWeightsException)
     * although no weight had changed. They are put back as they were.
     */
    @Test
    void aStepRefusedForItsLossLeavesTheRunningStatisticsAsTheyWere() throws Exception {
        Network net = Network.create("resnet20");
        float[] x = randomImages(2, 2, 8, 8);
        net.trainStep(x, new int[] {1, 2}, 8, 8, Network.Layout.NCHW, 1e30f);   // finite loss; weights now ~1e30
        Map<String, float[]> stats = new LinkedHashMap<>();
        for (String k : net.model().buffers().keySet()) stats.put(k, net.tensor(k));
        float[] before = net.predict(x, 8, 8, Network.Layout.NCHW);

        assertThatThrownBy(() -> net.trainStep(x, new int[] {1, 2}, 8, 8, Network.Layout.NCHW, 0.1f))
                .isInstanceOf(org.jresnet.train.TrainStep.NonFiniteException.class);
        for (var e : stats.entrySet()) assertThat(net.tensor(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
        assertThat(net.predict(x, 8, 8, Network.Layout.NCHW)).containsExactly(before);
        net.save(dir.resolve("after-refused-step.safetensors"));   // finite statistics: it saves
    }

    /**
     * model() is the documented way to drive the layers directly, but predict ran on replicas that
     * copied the master only after trainStep or loadWeights: weights set through model() were seen
     * by tensor() and save() but never by predict (a fc.bias of 900 left every logit as it was).
     * modelChanged() says so; predict then agrees with the saved file.
     */
    @Test
    void weightsChangedThroughModelReachInferenceAfterModelChanged() throws Exception {
        Network net = Network.create("resnet20");
        float[] x = randomImages(4, 2, 8, 8);
        float[] before = net.predict(x, 8, 8, Network.Layout.NCHW);
        var bias = net.model().parameters().get("fc.bias").value();
        for (int i = 0; i < bias.size(); i++) bias.set(i, 100f * i);
        net.modelChanged();
        float[] after = net.predict(x, 8, 8, Network.Layout.NCHW);
        assertThat(after).isNotEqualTo(before);
        Path file = dir.resolve("changed.safetensors");
        net.save(file);
        assertThat(Network.load(file).predict(x, 8, 8, Network.Layout.NCHW)).containsExactly(after);
        assertThat(net.features(x, 8, 8, Network.Layout.NCHW)).containsExactly(Network.load(file).features(x, 8, 8, Network.Layout.NCHW));
    }

    /**
     * Finite pixels far outside the normalised range (1e20) passed the input check; the step's
     * loss stayed finite, but bn1's running variance overflowed to infinity: predictions changed
     * and save refused the network (NonFiniteWeightsException). Such a step is refused like one
     * with a non-finite loss, and changes nothing.
     */
    @Test
    void aStepThatWouldMakeRunningStatisticsInfiniteIsRefused() throws Exception {
        Network net = Network.create("resnet20");
        float[] x = randomImages(3, 2, 8, 8);
        float[] huge = x.clone();
        for (int i = 0; i < huge.length; i++) huge[i] *= 1e20f;
        float[] before = net.predict(x, 8, 8, Network.Layout.NCHW), fc = net.tensor("fc.weight");
        assertThatThrownBy(() -> net.trainStep(huge, new int[] {1, 2}, 8, 8, Network.Layout.NCHW, 0.1f))
                .isInstanceOf(org.jresnet.train.TrainStep.NonFiniteException.class)
                .hasMessageContaining("bn1.running_var became NaN or infinite");
        assertThat(net.tensor("fc.weight")).containsExactly(fc);
        assertThat(net.predict(x, 8, 8, Network.Layout.NCHW)).containsExactly(before);
        net.save(dir.resolve("still-saveable.safetensors"));
        assertThat(net.trainStep(x, new int[] {1, 2}, 8, 8, Network.Layout.NCHW, 0.1f).loss()).isFinite();
    }

    /**
     * Two class names for a 3-class network were refused as "metadata describes another model:
     * resnet20" of a resnet20; the message now says what differs.
     */
    @Test
    void metadataOfAnotherClassCountSaysSo() {
        Network net = Network.create(ModelConfig.of("resnet20").withNumClasses(3));
        assertThatThrownBy(() -> net.setMetadata(net.metadata().withClasses(List.of("cat", "dog"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metadata describes resnet20 (shortcut A, variant v1.5, 2 classes), this network is resnet20"
                        + " (shortcut A, variant v1.5, 3 classes): give one class name per output of fc");
        net.setMetadata(net.metadata().withClasses(List.of("cat", "dog", "fox")));
        assertThat(net.classes()).containsExactly("cat", "dog", "fox");
    }

    @Test
    void normalisesPixelsWithTheModelStatistics() {
        Network net = Network.create("resnet20");
        BufferedImage im = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        im.setRGB(0, 0, 0xff8000);
        im.setRGB(1, 0, 0x0000ff);
        float[] x = net.normalize(List.of(im));
        double[] md = ModelMetadata.CIFAR10.mean(), sd = ModelMetadata.CIFAR10.std();
        float[] m = {(float) md[0], (float) md[1], (float) md[2]}, s = {(float) sd[0], (float) sd[1], (float) sd[2]};
        assertThat(x).containsExactly((1 - m[0]) / s[0], (128 / 255f - m[1]) / s[1], (0 - m[2]) / s[2],
                (0 - m[0]) / s[0], (0 - m[1]) / s[1], (1 - m[2]) / s[2]);
    }

    /**
     * ImageIO reads an 8-bit grey PNG or JPEG as TYPE_BYTE_GRAY, whose linear grey colour space
     * getRGB "corrects" to sRGB: grey 128 became 188 here, while the command line and PIL (and so
     * torchvision) read 128. The samples are now read from the raster, as ImageDecoder does.
     */
    @Test
    void greyImagesNormaliseTheirStoredValuesLikeTheCommandLine() throws Exception {
        Network net = Network.create("resnet20");
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);
        grey.getRaster().setSample(1, 0, 0, 30);
        float[] x = net.normalize(List.of(grey));
        byte[] expected = {(byte) 128, (byte) 128, (byte) 128, 30, 30, 30};
        assertThat(x).containsExactly(net.normalize(expected));

        // a PNG file, through ImageIO as an embedder reads it, against the command line's decoder
        Path png = dir.resolve("grey.png");
        javax.imageio.ImageIO.write(grey, "png", png.toFile());
        BufferedImage read = javax.imageio.ImageIO.read(png.toFile());
        assertThat(read.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        byte[] decoded = org.jresnet.data.ImageDecoder.decode(java.nio.file.Files.readAllBytes(png), "grey.png").pixels();
        assertThat(net.normalize(List.of(read))).containsExactly(net.normalize(decoded));

        // layouts the decoder does not read (premultiplied alpha) still go through getRGB
        BufferedImage pre = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB_PRE);
        pre.setRGB(0, 0, 0xff102030);
        assertThat(net.normalize(List.of(pre))).containsExactly(net.normalize(new byte[] {0x10, 0x20, 0x30}));
    }

    @Test
    void weightsRoundTripThroughFiles() throws Exception {
        Network a = Network.create(ModelConfig.of("plain20").withSeed(1));
        Network b = Network.create(ModelConfig.of("plain20").withSeed(2));
        float[] x = randomImages(3, 2, 8, 8);
        Path p = dir.resolve("w.safetensors");
        a.save(p);
        assertThat(b.predict(x, 8, 8, Network.Layout.NCHW)).isNotEqualTo(a.predict(x, 8, 8, Network.Layout.NCHW));
        b.loadWeights(p);
        assertThat(b.predict(x, 8, 8, Network.Layout.NCHW)).containsExactly(a.predict(x, 8, 8, Network.Layout.NCHW));
        assertThat(b.tensor("fc.weight")).containsExactly(a.tensor("fc.weight"));
        assertThatThrownBy(() -> Network.create("resnet32").loadWeights(p)).hasMessageContaining("does not fit resnet32");
    }

    /** {@code callers} threads predict x at once (released together); each must get {@code expected}. */
    private static void predictAtOnce(Network net, float[] x, int callers, float[] expected) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return net.predict(x, 32, 32, Network.Layout.NCHW);
                }));
            }
            start.countDown();
            for (Future<float[]> f : results) assertThat(f.get()).containsExactly(expected);
        } finally {
            pool.shutdownNow();
        }
    }
}
