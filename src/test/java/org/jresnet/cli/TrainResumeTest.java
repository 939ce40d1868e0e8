package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.TensorData;
import org.jresnet.train.RunFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise of checkpoints: a run killed (SIGKILL) or stopped (SIGTERM) in the middle of an
 * epoch and resumed ends with weights bit-identical to an uninterrupted run.
 */
class TrainResumeTest {
    @TempDir static Path tmp;
    static Path data;
    static Path reference;

    static List<String> args(Path out) {
        return new ArrayList<>(List.of("train", "--model", "resnet20", "--data", data.toString(), "--epochs", "3",
                "--batch", "8", "--lr", "0.05", "--warmup", "3", "--seed", "3", "--threads", "2", "--quiet",
                "--cache-dir", tmp.resolve("cache").toString(), "--out", out.toString()));
    }

    @BeforeAll static void uninterrupted() throws Exception {
        data = TinyImageFolder.write(tmp, 16, 4, 12);
        reference = tmp.resolve("ref");
        assertThat(Main.execute(args(reference).toArray(String[]::new))).isZero();
        assertThat(reference.resolve("model.safetensors")).exists();
        assertThat(Files.readAllLines(reference.resolve("metrics.csv"))).hasSize(4);
    }

    private static Process start(Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args(out));
        cmd.addAll(List.of("--ckpt-every", "1", "--step-delay-ms", "150"));
        return new ProcessBuilder(cmd).redirectError(tmp.resolve(out.getFileName() + ".err").toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Waits until the run's checkpoint is at iteration >= {@code it}, in the middle of an epoch. */
    private static void awaitMidEpochCheckpoint(Path out, long it, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("training process ended early").isTrue();
            Path ck = out.resolve("checkpoint.safetensors");
            if (Files.exists(ck)) {
                try {
                    var state = RunFiles.readCheckpoint(out).state();
                    if (state.iteration() >= it && state.batchInEpoch() > 0) return;
                } catch (java.io.IOException racing) {
                    // read while being replaced: try again
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no checkpoint at iteration " + it);
    }

    private static void assertSameWeights(Path a, Path b) throws Exception {
        SafeTensorsFile fa = SafeTensors.read(a), fb = SafeTensors.read(b);
        assertThat(fb.tensors().keySet()).isEqualTo(fa.tensors().keySet());
        for (Map.Entry<String, TensorData> e : fa.tensors().entrySet()) {
            TensorData x = e.getValue(), y = fb.tensors().get(e.getKey());
            if (x.floats() != null) assertThat(y.floats()).as(e.getKey()).containsExactly(x.floats());
            else assertThat(y.longs()).as(e.getKey()).containsExactly(x.longs());
        }
    }

    @Test void sigkillMidEpochThenResumeIsBitIdentical() throws Exception {
        Path out = tmp.resolve("killed");
        Process p = start(out);
        awaitMidEpochCheckpoint(out, 9, p);  // 6 iterations an epoch: iteration 9 is inside epoch 2
        p.destroyForcibly().waitFor();
        assertThat(Main.execute("train", "--resume", out.toString(), "--threads", "2", "--quiet")).isZero();
        assertSameWeights(reference.resolve("model.safetensors"), out.resolve("model.safetensors"));
        assertThat(Files.readAllLines(out.resolve("metrics.csv"))).hasSize(4);
    }

    @Test void sigtermSavesThenResumeIsBitIdentical() throws Exception {
        Path out = tmp.resolve("stopped");
        Process p = start(out);
        awaitMidEpochCheckpoint(out, 4, p);
        p.destroy();  // SIGTERM: the shutdown hook checkpoints at the next step
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        var state = RunFiles.readCheckpoint(out).state();
        assertThat(state.iteration()).isGreaterThanOrEqualTo(4);
        assertThat(Main.execute("train", "--resume", out.toString(), "--threads", "2", "--quiet")).isZero();
        assertSameWeights(reference.resolve("model.safetensors"), out.resolve("model.safetensors"));
    }

    @Test void resumeRefusesRunOptionsAndFinishedRunsSayDone() {
        assertThat(Main.execute("train", "--resume", reference.toString(), "--lr", "0.2")).isEqualTo(2);
        assertThat(Main.execute("train", "--resume", reference.toString(), "--quiet")).isZero();
        assertThat(Main.execute("train", "--resume", tmp.resolve("nothing").toString())).isEqualTo(1);
    }

    /** A resume on changed data (its path records only where it is) is refused, not trained on other batches. */
    @Test void resumeOnChangedDataIsRefused() throws Exception {
        Path own = TinyImageFolder.write(tmp.resolve("changing.zip"), 16, 4, 12, TinyImageFolder.CLASSES);
        Path out = tmp.resolve("changed");
        List<String> a = args(out);
        a.set(a.indexOf(data.toString()), own.toString());
        a.set(a.indexOf("--epochs") + 1, "1");
        assertThat(Main.execute(a.toArray(String[]::new))).isZero();
        TinyImageFolder.write(own, 10, 4, 12, TinyImageFolder.CLASSES);   // 30 training images instead of 48
        CliRun r = CliRun.of("train", "--resume", out.toString(), "--epochs", "2", "--quiet");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("jresnet: the training data changed since the checkpoint: the run had 48 training"
                + " images, " + own + " has 30 now; resume it on the data it started with");
    }

}
