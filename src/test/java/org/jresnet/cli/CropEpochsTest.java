package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.RunFiles;
import org.jresnet.train.TrainConfig;
import org.jresnet.train.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --crop-epochs N --crop-size S}: parsed, checked, stored, and a run that crosses the switch resumes exactly. */
class CropEpochsTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll static void data() throws Exception {
        data = TinyImageFolder.write(tmp, 8, 3, 8);
    }

    private static TrainConfig parse(String... args) { return TrainArgs.parse(args).config(); }

    @Test void optionsAndDefaults() {
        assertThat(parse().data().cropEpochs()).isZero();
        assertThat(parse().data().cropSize()).isZero();
        TrainConfig c = parse("--crop-epochs", "9");
        assertThat(c.data().cropEpochs()).isEqualTo(9);
        assertThat(c.data().cropSize()).isEqualTo(TrainCommand.DEFAULT_CROP_SIZE);
        assertThat(parse("--crop-epochs", "9", "--crop-size", "20").data().cropSize()).isEqualTo(20);
        assertThat(parse("--recipe", "fast", "--crop-epochs", "4").data().cropEpochs()).isEqualTo(4);
    }

    private static void assertUsageError(String fragment, String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--data", data.toString(), "--epochs", "1", "--batch", "8",
                "--cache-dir", tmp.resolve("cache").toString(), "--out", tmp.resolve("rejected").toString()));
        all.addAll(List.of(args));
        CliRun r = CliRun.of(all.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.lastErrLine()).startsWith("jresnet: ").contains(fragment);   // decoding progress may come first
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(Files.exists(tmp.resolve("rejected"))).isFalse();
    }

    @Test void badValuesAreOneLineUsageErrors() {
        assertUsageError("--crop-epochs must be >= 0", "--crop-epochs", "-1");
        assertUsageError("--crop-size applies only with", "--crop-size", "20");
        assertUsageError("--crop-size must be >= 1", "--crop-epochs", "1", "--crop-size", "0");
        // known only once the images are read: these are 8x8
        assertUsageError("--crop-size must be smaller than the 8x8 images", "--crop-epochs", "1", "--crop-size", "8");
        CliRun r = CliRun.of("train", "--resume", tmp.resolve("none").toString(), "--crop-epochs", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--crop-epochs cannot be combined with --resume");
    }

    /**
     * Three epochs, the first on 6x6 crops of the 8x8 images, a test pass after each: the model
     * trains and tests across the size change, the checkpoint stores the option, and a run resumed
     * at the end of epoch 1 (before the switch) ends with the uninterrupted run's weights.
     */
    @Test void aRunCrossingTheSwitchStoresItAndResumesBitIdentically() throws Exception {
        Path whole = tmp.resolve("whole"), copy = tmp.resolve("copy");
        TrainConfig cfg = parse("--data", data.toString(), "--batch", "8", "--epochs", "3", "--crop-epochs", "1",
                "--crop-size", "6", "--cache-dir", tmp.resolve("cache").toString(), "--out", whole.toString());
        ProgressReporter quiet = new ProgressReporter(ProgressReporter.Mode.QUIET);
        FolderAtEpoch atEpoch1 = new FolderAtEpoch(1, whole, copy);
        TrainingRun.Outcome o = TrainingRun.start(cfg, TrainingRun.Data.open(cfg, true), quiet, atEpoch1);
        assertThat(o.complete()).isTrue();
        assertThat(atEpoch1.copied).hasSize(1);
        List<String> rows = Files.readAllLines(whole.resolve("metrics.jsonl"));
        assertThat(rows).hasSize(3).allSatisfy(row -> assertThat(row).contains("test_err"));

        RunFiles.Resumed r = RunFiles.readCheckpoint(copy);
        assertThat(r.config()).isEqualTo(cfg);
        JsonNode j = new ObjectMapper().readTree(
                SafeTensors.read(copy.resolve("checkpoint.safetensors")).metadata().get(RunFiles.CONFIG_KEY));
        assertThat(j.get("cropEpochs").asInt()).isEqualTo(1);
        assertThat(j.get("cropSize").asInt()).isEqualTo(6);

        assertThat(TrainingRun.resume(copy, r, TrainingRun.Data.open(r.config(), true), quiet, null).complete()).isTrue();
        SafeTensorsFile want = SafeTensors.read(whole.resolve("model.safetensors"));
        SafeTensorsFile got = SafeTensors.read(copy.resolve("model.safetensors"));
        for (String k : want.tensors().keySet()) assertThat(got.get(k).floats()).as(k).isEqualTo(want.get(k).floats());

        // The small crops reach the training: the same run without them ends with other weights.
        Path plain = tmp.resolve("plain");
        TrainConfig plainCfg = parse("--data", data.toString(), "--batch", "8", "--epochs", "3",
                "--cache-dir", tmp.resolve("cache").toString(), "--out", plain.toString());
        TrainingRun.start(plainCfg, TrainingRun.Data.open(plainCfg, true), quiet, null);
        assertThat(SafeTensors.read(plain.resolve("model.safetensors")).get("fc.weight").floats())
                .isNotEqualTo(want.get("fc.weight").floats());
    }
}
