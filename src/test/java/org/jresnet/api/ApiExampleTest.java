package org.jresnet.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's example, compiled and run as it is printed there (docs/api-example.md). */
@Tag("smoke")
class ApiExampleTest {
    @TempDir Path dir;

    @Test
    void readmeExample() throws Exception {
        // --- README example begins
        Network net = Network.create("resnet20");                 // or Network.load(Path.of("model.safetensors"))

        int n = 4, h = 32, w = 32;
        float[] images = new float[n * 3 * h * w];                // normalised RGB, [N,3,H,W] like PyTorch
        Random random = new Random(0);                            // (net.normalize(...) makes them from pixels)
        for (int i = 0; i < images.length; i++) images[i] = (float) random.nextGaussian();

        float[] logits = net.predict(images, h, w, Network.Layout.NCHW);      // [N * 10], thread-safe
        int[] top1 = net.classify(images, h, w, Network.Layout.NCHW);         // class indices
        float[] features = net.features(images, h, w, Network.Layout.NCHW);   // [N * 64], pooled, before fc

        int[] labels = {3, 1, 4, 1};
        Network.StepResult step = net.trainStep(images, labels, h, w, Network.Layout.NCHW, 0.1f); // SGD, momentum 0.9
        System.out.printf("loss %.3f, first image: %s%n", step.loss(), net.classes().get(top1[0]));

        Path file = dir.resolve("resnet20.safetensors");
        net.save(file);                                           // weights + metadata, loads in PyTorch too
        Network again = Network.load(file);                       // the file alone rebuilds the model
        // --- README example ends

        assertThat(logits).hasSize(n * 10);
        assertThat(features).hasSize(n * net.featureSize());
        assertThat(top1).hasSize(n);
        assertThat(step.loss()).isFinite().isPositive();
        assertThat(again.predict(images, h, w, Network.Layout.NCHW)).containsExactly(net.predict(images, h, w, Network.Layout.NCHW));
    }
}
