package org.jresnet.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code spark train}'s checks on the driver, before any job: what every task would fail on (and
 * Spark relaunch the barrier stage for, four times) is refused once, in one line. No Spark context:
 * the job given to {@code run} must not start.
 */
class TrainCommandTest {
    private static final Path SHIPPED = Path.of("..").toAbsolutePath().normalize().resolve("models/resnet20-cifar10.safetensors");
    @TempDir static Path tmp;
    private static Path data;

    @BeforeAll
    static void data() throws IOException {
        data = NoiseImageFolder.write(tmp.resolve("data"), 5, 4, 4);
    }

    private static TrainCommand command(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--data", data.toString(), "--epochs", "1", "--batch", "4", "--quiet",
                "--out", out.toString()));
        a.addAll(List.of(extra));
        TrainCommand cmd = new TrainCommand();
        new CommandLine(cmd).parseArgs(a.toArray(String[]::new));
        return cmd;
    }

    @Test void anInitFileThatIsNotWeightsIsRefusedBeforeTheJob() throws IOException {
        Path notWeights = Files.writeString(tmp.resolve("notes.txt"), "not a model");
        Path out = tmp.resolve("run-init");
        assertThatThrownBy(() -> command(out, "--init", notWeights.toString()).run(1, args -> {
            throw new AssertionError("the job started");
        })).isInstanceOf(CommandLine.ParameterException.class).hasMessageStartingWith("--init " + notWeights)
                .hasMessageNotContaining("\n");
        assertThat(out).as("no run folder left behind").doesNotExist();
    }

    @Test void anInitFileOfAnotherNetworkIsRefusedBeforeTheJob() {
        Path out = tmp.resolve("run-other");
        assertThatThrownBy(() -> command(out, "--init", SHIPPED.toString(), "--model", "resnet32", "--num-classes", "2")
                .run(1, args -> { throw new AssertionError("the job started"); }))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("does not fit resnet32");
        assertThat(out).doesNotExist();
    }

    @Test void aClassCountTheDataDoesNotHaveIsRefusedBeforeTheJob() {
        Path out = tmp.resolve("run-classes");
        assertThatThrownBy(() -> command(out, "--num-classes", "5").run(1, args -> {
            throw new AssertionError("the job started");
        })).isInstanceOf(CommandLine.ParameterException.class).hasMessage("--num-classes 5 but the data has 2 classes");
        assertThat(out).doesNotExist();
    }

    @Test void fittingInitWeightsReachTheJob() throws Exception {
        List<String> seen = new ArrayList<>();
        String summary = command(tmp.resolve("run-ok"), "--init", SHIPPED.toString(), "--num-classes", "2").run(1, args -> {
            seen.addAll(args);
            return "ran";
        });
        assertThat(summary).isEqualTo("ran");
        assertThat(seen).contains("--init", SHIPPED.toString());
    }

    /** A batch that does not split into the workers' is a usage error (exit 2), as a bad option of train is. */
    @Test void aBatchThatDoesNotSplitIsAUsageError() {
        Path out = tmp.resolve("run-odd");
        TrainCommand cmd = new TrainCommand();
        new CommandLine(cmd).parseArgs("--data", data.toString(), "--epochs", "1", "--batch", "5", "--quiet",
                "--out", out.toString());
        assertThatThrownBy(() -> cmd.run(1, args -> { throw new AssertionError("the job started"); }))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--batch 5 does not split into 2 equal worker batches");
        assertThat(out).doesNotExist();
    }
}
