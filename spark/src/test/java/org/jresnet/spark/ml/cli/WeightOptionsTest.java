package org.jresnet.spark.ml.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.Normalization;
import org.jresnet.io.SafeTensors;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.spark.ml.NetworkWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** spark predict/features take predict's weight options: --model, --shortcut, --variant, --key, --mean, --std. */
class WeightOptionsTest {
    @TempDir static Path tmp;
    static Path raw;

    @BeforeAll
    static void rawFile() throws Exception {
        raw = tmp.resolve("raw-r20.safetensors");   // no jresnet metadata: what a PyTorch export is
        SafeTensors.write(raw, ModelFiles.stateDict(Models.createUninitialized(ModelConfig.of("resnet20"))), Map.of());
    }

    private static NetworkWeights weights(String... options) throws Exception {
        SparkPredictCommand cmd = new SparkPredictCommand();
        CommandLine cl = new CommandLine(cmd);
        String[] args = new String[options.length + 6];
        System.arraycopy(new String[] {"--data", tmp.toString(), "--out", tmp.resolve("o").toString(), "--weights",
                raw.toString()}, 0, args, 0, 6);
        System.arraycopy(options, 0, args, 6, options.length);
        cl.parseArgs(args);
        return cmd.job.networkWeights(cl);
    }

    @Test void meanAndStdReachTheModelsMetadata() throws Exception {
        Normalization given = new Normalization(new double[] {0.5, 0.5, 0.5}, new double[] {0.25, 0.25, 0.25});
        assertThat(weights("--model", "resnet20", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25").network()
                .metadata().normalization()).isEqualTo(given.toFloat32());
        assertThat(weights().network().metadata().normalization()).as("inferred, CIFAR's default")
                .isNotEqualTo(given.toFloat32());
    }

    @Test void aBadWeightOptionIsAUsageError() {
        assertThatThrownBy(() -> weights("--variant", "v1")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--variant v1 places a bottleneck's stride; resnet20 has basic blocks");
        assertThatThrownBy(() -> weights("--mean", "0.5,0.5,0.5")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("give --mean and --std together");
        assertThatThrownBy(() -> weights("--model", "resnet32")).hasMessageContaining("resnet32");
    }
}
