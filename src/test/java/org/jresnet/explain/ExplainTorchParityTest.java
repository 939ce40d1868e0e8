package org.jresnet.explain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jresnet.api.Network;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.Transforms;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.Python;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.TensorData;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.BatchNorm2d;
import org.jresnet.nn.Layer;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.Preprocessing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * jresnet's class activation maps against Grad-CAM computed by PyTorch's autograd
 * (python/gradcam.py: hooks on the last stage, gradients of the class logit, their spatial mean as
 * channel weights, ReLU of the weighted sum, F.interpolate bilinear with align_corners=False,
 * min-max normalisation; float64 from the same float32 weights and inputs). Two nets: the shipped
 * ResNet-20 on real CIFAR-10 images of the bundled sample, every class of each; a ResNet-18 with
 * random weights (BN statistics and affine perturbed) on random 160x128 inputs (a non-square map,
 * 5x4, so a swapped axis shows), its top-1 class and two others.
 *
 * <p>Held: the normalised, resized maps to {@link #TOL_MAP} absolute (they are in [0,1]); the
 * low-resolution maps (jresnet's CAM divided by h*w, Grad-CAM's scale) to {@link #TOL_RAW} of
 * their largest value; the logits to {@link #TOL_RAW} of theirs; the top-1 class to PyTorch's.
 * And the check can fail: the same maps resized with align_corners=True differ from jresnet's by
 * more than {@link #WRONG_RESIZE_MIN}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplainTorchParityTest {
    static final double TOL_MAP = 1e-4, TOL_RAW = 1e-4, WRONG_RESIZE_MIN = 1e-2;
    @TempDir Path tmp;
    private final Map<String, String> summary = new LinkedHashMap<>();

    @AfterAll void report() {
        System.out.println("Grad-CAM parity with PyTorch (float64 autograd reference):");
        summary.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    }

    @Test void shippedResNet20OnSampleImagesEveryClass() throws Exception {
        Path weights = Path.of("models/resnet20-cifar10.safetensors");
        ModelFiles.Loaded loaded = ModelFiles.load(weights);
        ResNet model = loaded.model();
        model.setTraining(false);
        ModelMetadata meta = loaded.metadata();
        int size = meta.inputSize()[1], k = meta.numClasses();
        var prep = Preprocessing.resizeCrop(meta.normalization(), size);
        List<float[]> images = new ArrayList<>();
        try (ZipFile zip = new ZipFile("data/cifar10-sample.zip")) {
            for (String name : List.of("test/cat/0000.jpg", "test/airplane/0002.jpg", "test/dog/0004.jpg")) {
                ZipEntry e = zip.getEntry(name);
                assertThat(e).as(name + " in the bundled sample").isNotNull();
                float[] x = new float[size * size * 3];
                Transforms.applyToImage(prep, ImageDecoder.decode(zip.getInputStream(e).readAllBytes(), name), x, 0);
                images.add(x);
            }
        }
        List<Integer> which = new ArrayList<>(), classes = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            for (int c = 0; c < k; c++) {
                which.add(i);
                classes.add(c);
            }
        }
        compare("resnet20 (shipped), 3 sample images x 10 classes, 32x32", weights, model, images, size, size, which, classes);
    }

    @Test void randomResNet18OnNonSquareInputs() throws Exception {
        ResNet model = Models.create("resnet18");
        Random rnd = new Random(42);
        for (Layer m : model.modules().values()) {
            if (m instanceof BatchNorm2d bn) {
                // statistics and affine away from the identity, so eval-mode BN is exercised
                uniform(bn.buffers().get("running_mean").value(), rnd, -0.1, 0.1);
                uniform(bn.buffers().get("running_var").value(), rnd, 0.5, 1.5);
                uniform(bn.weight.value(), rnd, 0.5, 1.5);
                uniform(bn.bias.value(), rnd, -0.1, 0.1);
            }
        }
        model.parametersChanged();
        model.setTraining(false);
        Path weights = tmp.resolve("resnet18.safetensors");
        ModelFiles.save(weights, model, ModelMetadata.defaults(model.config));
        int h = 160, w = 128;
        List<float[]> images = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            float[] x = new float[h * w * 3];
            for (int j = 0; j < x.length; j++) x[j] = (float) rnd.nextGaussian();
            images.add(x);
        }
        List<Integer> which = new ArrayList<>(), classes = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            int top = ClassActivationMap.compute(model, Tensor.of(images.get(i).clone(), 1, h, w, 3), ClassActivationMap.TOP1)
                    .get(0).classIndex();
            for (int c : new int[] {top, 1, 500}) {
                which.add(i);
                classes.add(c);
            }
        }
        compare("resnet18 (random), 2 inputs x 3 classes, 160x128", weights, model, images, h, w, which, classes);
    }

    private void compare(String label, Path weights, ResNet model, List<float[]> images, int h, int w,
                         List<Integer> which, List<Integer> classes) throws IOException {
        int n = which.size();
        float[] x = new float[n * h * w * 3];
        long[] cls = new long[n];
        int[] classArray = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.get(which.get(i)), 0, x, i * h * w * 3, h * w * 3);
            cls[i] = classArray[i] = classes.get(i);
        }
        Path in = tmp.resolve("input.safetensors"), out = tmp.resolve("gradcam.safetensors");
        SafeTensors.write(in, Map.of("input", TensorData.f32(Network.nhwcToNchw(x, n, h, w, 3), n, 3, h, w),
                "classes", TensorData.i64(cls, n)), Map.of());
        Python.requireTorch();
        System.out.print("gradcam.py: " + Python.check(600, "gradcam.py", weights.toAbsolutePath().toString(),
                in.toAbsolutePath().toString(), out.toAbsolutePath().toString()));
        SafeTensorsFile ref = SafeTensors.read(out);
        float[] refCam = ref.get("cam").toFloats(), refAc = ref.get("cam_align_corners").toFloats();
        float[] refRaw = ref.get("raw").toFloats(), refLogits = ref.get("logits").toFloats();

        List<ClassActivationMap> maps = ClassActivationMap.compute(model, Tensor.of(x, n, h, w, 3), classArray);
        double mapDiff = 0, wrongResize = Double.POSITIVE_INFINITY, rawRel = 0, logitRel = 0;
        int lowH = maps.get(0).lowH(), lowW = maps.get(0).lowW(), k = refLogits.length / n;
        for (int i = 0; i < n; i++) {
            ClassActivationMap m = maps.get(i);
            assertThat(m.classIndex()).isEqualTo(classArray[i]);
            assertThat(m.map().length).isEqualTo(h * w);
            double d = 0, dac = 0;
            for (int p = 0; p < h * w; p++) {
                d = Math.max(d, Math.abs(m.map()[p] - refCam[i * h * w + p]));
                dac = Math.max(dac, Math.abs(m.map()[p] - refAc[i * h * w + p]));
            }
            mapDiff = Math.max(mapDiff, d);
            if (maxAbs(refRaw, i * lowH * lowW, lowH * lowW) > 0) wrongResize = Math.min(wrongResize, dac);
            float[] raw = new float[lowH * lowW];
            for (int p = 0; p < raw.length; p++) raw[p] = m.lowRes()[p] / (lowH * lowW);  // Grad-CAM's scale
            rawRel = Math.max(rawRel, relDiff(raw, refRaw, i * raw.length, raw.length));
            logitRel = Math.max(logitRel, relDiff(m.logits(), refLogits, i * k, k));
            // the top-1 class, each image alone, is the one PyTorch's logits rank first
            int top = 0;
            for (int c = 1; c < k; c++) if (refLogits[i * k + c] > refLogits[i * k + top]) top = c;
            int javaTop = ClassActivationMap.compute(model, Tensor.of(java.util.Arrays.copyOfRange(x, i * h * w * 3,
                    (i + 1) * h * w * 3), 1, h, w, 3), ClassActivationMap.TOP1).get(0).classIndex();
            assertThat(javaTop).as("top-1 class of case " + i).isEqualTo(top);
        }
        summary.put(label, String.format(Locale.ROOT, "map max|diff| %.2e [%.0e], low-res map %.2e and logits %.2e of"
                + " max|PyTorch| [%.0e], align_corners=True map differs by >= %.3f", mapDiff, TOL_MAP, rawRel, logitRel,
                TOL_RAW, wrongResize));
        assertThat(mapDiff).as(label + ": max |map - PyTorch's|").isLessThanOrEqualTo(TOL_MAP);
        assertThat(rawRel).as(label + ": low-res map").isLessThanOrEqualTo(TOL_RAW);
        assertThat(logitRel).as(label + ": logits").isLessThanOrEqualTo(TOL_RAW);
        assertThat(wrongResize).as(label + ": a wrong resize must fail the check").isGreaterThan(WRONG_RESIZE_MIN);
    }

    private static double maxAbs(float[] a, int off, int len) {
        double m = 0;
        for (int i = 0; i < len; i++) m = Math.max(m, Math.abs(a[off + i]));
        return m;
    }

    /** max|got - want[off..]| / max|want[off..]| (0 when both are zero). */
    private static double relDiff(float[] got, float[] want, int off, int len) {
        double d = 0;
        for (int i = 0; i < len; i++) d = Math.max(d, Math.abs(got[i] - want[off + i]));
        double ref = maxAbs(want, off, len);
        return ref == 0 ? d : d / ref;
    }

    private static void uniform(Tensor t, Random rnd, double lo, double hi) {
        for (int i = 0; i < t.size(); i++) t.set(i, (float) (lo + (hi - lo) * rnd.nextDouble()));
    }
}
