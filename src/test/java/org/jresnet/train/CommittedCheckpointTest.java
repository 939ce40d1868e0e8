package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.TensorData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint written before TrainConfig had parts (the committed plain20 run of the shortcut
 * experiment) still reads, stores back to the very same JSON, and resumes to the same weights.
 */
class CommittedCheckpointTest {
    static final Path RUN = Path.of("docs/results/cifar10/runs/plain20-cifar10-jpg-e10-68ad903c");

    @TempDir Path tmp;

    private static java.util.List<String> names(java.util.Iterator<String> it) {
        java.util.List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void anOldCheckpointResumesToItsOwnFinalWeights() throws IOException {
        try (Stream<Path> files = Files.list(RUN)) {
            for (Path f : files.toList()) Files.copy(f, tmp.resolve(f.getFileName()));
        }
        Files.delete(tmp.resolve("model.safetensors"));  // as if a crash came before the model file

        RunFiles.Resumed r = RunFiles.readCheckpoint(tmp);
        TrainConfig c = r.config();
        assertThat(c.model().name()).isEqualTo("plain20");
        assertThat(c.schedule().kind()).isEqualTo(LrSchedule.Kind.COSINE);
        assertThat(c.run().epochs()).isEqualTo(10);
        assertThat(c.run().batch()).isEqualTo(128);
        assertThat(c.run().microBatches()).isEqualTo(1);
        assertThat(c.data().normalization()).isNull();

        String stored = SafeTensors.read(tmp.resolve("checkpoint.safetensors")).metadata().get(RunFiles.CONFIG_KEY);
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        JsonNode was = json.readTree(stored), now = json.readTree(json.writeValueAsString(StoredTrainConfig.of(c)));
        assertThat(names(now.fieldNames())).as("the checkpoint's keys, in order")
                .containsExactlyElementsOf(names(was.fieldNames()));
        for (String k : names(was.fieldNames())) {
            // A Path is stored as its URI, with a slash when the folder existed at the time of writing.
            if (k.equals("out")) assertThat(now.get(k).asText()).isEqualTo(was.get(k).asText().replaceFirst("/$", ""));
            else assertThat(now.get(k)).as(k).isEqualTo(was.get(k));
        }

        TrainingRun.Outcome o = TrainingRun.resume(tmp, r, null, new ProgressReporter(ProgressReporter.Mode.QUIET), null);
        assertThat(o.complete()).isTrue();
        SafeTensorsFile want = SafeTensors.read(RUN.resolve("model.safetensors"));
        SafeTensorsFile got = SafeTensors.read(tmp.resolve("model.safetensors"));
        // A run that ends now also records its test top-1 (for the server's model card); the rest is as written then.
        var gotMeta = new java.util.TreeMap<>(got.metadata());
        assertThat(gotMeta.remove("test_top1")).isNotNull();
        assertThat(gotMeta).isEqualTo(new java.util.TreeMap<>(want.metadata()));
        assertThat(got.tensors().keySet()).containsExactlyElementsOf(want.tensors().keySet());
        for (String k : want.tensors().keySet()) {
            TensorData w = want.get(k), g = got.get(k);
            assertThat(g.shape()).as(k).isEqualTo(w.shape());
            assertThat(g.floats()).as(k).isEqualTo(w.floats());
            assertThat(g.longs()).as(k).isEqualTo(w.longs());
        }
    }
}
