package org.jresnet.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jresnet.engine.TestEngines;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.RunFiles;
import org.jresnet.train.RunState;
import org.jresnet.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shared runs: a run that crashed mid-epoch resumes from its checkpoint to the same weights; finished runs are reused. */
class RunStoreTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll static void data() throws Exception {
        data = tmp.resolve("tiny.zip");
        SplittableRandom rnd = new SplittableRandom(3);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(data))) {
            for (String split : new String[] {"train", "test"}) {
                for (int c = 0; c < 2; c++) {
                    for (int i = 0; i < (split.equals("train") ? 12 : 3); i++) {
                        z.putNextEntry(new ZipEntry(split + "/c" + c + "/" + i + ".png"));
                        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                        for (int p = 0; p < 64; p++) img.setRGB(p % 8, p / 8, rnd.nextInt(0, 1 << 24) | (c == 0 ? 0xff0000 : 0xff));
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        ImageIO.write(img, "png", b);
                        z.write(b.toByteArray());
                        z.closeEntry();
                    }
                }
            }
        }
    }

    static RunStore store(Path root) {
        Recipe r = new Recipe(data, 2, 4, 0.05, 0.9, 1e-4, -1, 1, 1, tmp.resolve("cache"));
        return new RunStore(root, r, new ProgressReporter(ProgressReporter.Mode.QUIET), true);
    }

    @org.junit.jupiter.api.AfterEach void restore() { TestEngines.reset(); }

    @Test void crashedRunResumesToTheSameWeightsAndFinishedRunsAreReused() throws Exception {
        TestEngines.use(c -> c.withThreads(2));
        TrainedModel ref = store(tmp.resolve("a")).obtain("resnet20", null);
        assertThat(ref.rows()).hasSize(2);

        RunStore crashing = store(tmp.resolve("b"));
        crashing.setListener(new Trainer.Listener() {
            @Override public void stepDone(RunState s) {
                if (s.iteration() == 5) throw new IllegalStateException("simulated crash");  // mid epoch 1 (6 iterations an epoch)
            }
        });
        assertThatThrownBy(() -> crashing.obtain("resnet20", null)).hasMessage("simulated crash");
        Path dir = crashing.dirOf("resnet20", null);
        assertThat(RunFiles.readCheckpoint(dir).state().iteration()).isEqualTo(4);
        assertThat(RunFiles.readCheckpoint(dir).state().batchInEpoch()).isEqualTo(4);
        assertThat(dir.resolve("model.safetensors")).doesNotExist();

        TrainedModel resumed = store(tmp.resolve("b")).obtain("resnet20", null);
        assertThat(resumed.rows()).hasSize(2);
        var a = ref.net().parameters();
        var b = resumed.net().parameters();
        for (var e : a.entrySet()) {
            assertThat(b.get(e.getKey()).value().toArray()).as(e.getKey()).containsExactly(e.getValue().value().toArray());
        }
        long mtime = Files.getLastModifiedTime(dir.resolve("model.safetensors")).toMillis();
        TrainedModel again = store(tmp.resolve("b")).obtain("resnet20", null);
        assertThat(Files.getLastModifiedTime(dir.resolve("model.safetensors")).toMillis()).isEqualTo(mtime);
        assertThat(again.last().testErr()).isEqualTo(resumed.last().testErr());
    }

    /**
     * Training a run holds its folder's lock, as `train` does: another training of it (a second
     * experiment, a `train --resume`) is refused; a run refused before it wrote anything leaves no
     * folder; a finished run is read without the lock.
     */
    @Test void aRunBeingTrainedIsLockedAndARefusedOneLeavesNoFolder() throws Exception {
        TestEngines.use(c -> c.withThreads(1));
        RunStore s = store(tmp.resolve("locked"));
        Path dir = s.dirOf("resnet20", null);
        Files.createDirectories(dir);
        try (org.jresnet.train.RunLock other = org.jresnet.train.RunLock.acquire(dir)) {
            assertThatThrownBy(() -> s.obtain("resnet20", null)).hasMessageContaining("is in use by another training");
        }
        java.util.concurrent.atomic.AtomicBoolean heldWhileTraining = new java.util.concurrent.atomic.AtomicBoolean();
        s.setListener(new Trainer.Listener() {
            @Override public void stepDone(RunState st) {
                if (st.iteration() == 1) heldWhileTraining.set(org.jresnet.train.RunLock.isHeld(dir));
            }
        });
        s.obtain("resnet20", null);
        assertThat(heldWhileTraining).isTrue();
        assertThat(org.jresnet.train.RunLock.isHeld(dir)).isFalse();

        // finished: another holder of the lock does not keep it from being read
        try (org.jresnet.train.RunLock other = org.jresnet.train.RunLock.acquire(dir)) {
            assertThat(store(tmp.resolve("locked")).obtain("resnet20", null).rows()).hasSize(2);
        }

        // refused before its first write (no full batch): no folder is left
        Recipe huge = new Recipe(data, 2, 1000, 0.05, 0.9, 1e-4, -1, 1, 1, tmp.resolve("cache"));
        RunStore refused = new RunStore(tmp.resolve("refused"), huge, new ProgressReporter(ProgressReporter.Mode.QUIET), true);
        assertThatThrownBy(() -> refused.obtain("resnet20", null)).hasMessageContaining("full batch");
        assertThat(refused.dirOf("resnet20", null)).doesNotExist();
    }

    @Test void runKeysNameTheModelAndSeparateRecipes() {
        Recipe r = new Recipe(data, 2, 4, 0.05, 0.9, 1e-4, -1, 1, 0, null);
        Recipe other = new Recipe(data, 2, 4, 0.1, 0.9, 1e-4, -1, 1, 0, null);
        assertThat(r.runKey("resnet56", null, 24)).startsWith("resnet56-A-tiny-e2-");
        assertThat(r.runKey("plain56", null, 24)).startsWith("plain56-tiny-e2-");
        assertThat(r.runKey("resnet56", org.jresnet.nn.Shortcut.A, 24)).isEqualTo(r.runKey("resnet56", null, 24));
        assertThat(other.runKey("resnet56", null, 24)).isNotEqualTo(r.runKey("resnet56", null, 24));
        assertThat(r.warmupIterations(24)).isEqualTo(1);             // a tenth of 12 iterations
        assertThat(r.warmupIterations(50_000 * 4)).isEqualTo(200);   // the train command's warm-up
    }
}
