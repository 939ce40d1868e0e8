package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.TensorData;
import org.jresnet.train.RunFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A diverging run (issue 12, defect 2): no file it writes holds a NaN or an infinity, the message
 * names the last finite checkpoint (or says there is none), and {@code --resume DIR --lr} goes on
 * from that checkpoint more gently.
 */
class DivergenceTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll static void data() throws Exception {
        data = TinyImageFolder.write(tmp, 8, 2, 8);
    }

    static List<String> train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString(),
                "--cache-dir", tmp.resolve("cache").toString(), "--batch", "4", "--warmup", "0", "--seed", "5",
                "--threads", "1", "--quiet"));
        a.addAll(List.of(more));
        return a;
    }

    static CliRun run(List<String> args) { return CliRun.of(args.toArray(String[]::new)); }

    private static String lastLine(CliRun r) { return r.lastErrLine(); }

    /** Every float of every safetensors file in {@code dir} is finite. */
    private static void assertAllFinite(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".safetensors")).toList()) {
                for (Map.Entry<String, TensorData> e : SafeTensors.read(f).tensors().entrySet()) {
                    float[] v = e.getValue().floats();
                    if (v == null) continue;
                    for (float x : v) assertThat(Float.isFinite(x)).as(f.getFileName() + " " + e.getKey()).isTrue();
                }
            }
        }
    }

    @Test void aDivergingRunNeverWritesANonFiniteCheckpoint() throws Exception {
        Path out = tmp.resolve("lr1e6");
        CliRun r = run(train(out, "--lr", "1e6", "--epochs", "3", "--ckpt-every", "1"));
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertAllFinite(out);
        String msg = lastLine(r);
        assertThat(msg).startsWith("jresnet: ");
        assertThat(r.err()).doesNotContain("\tat org.jresnet");
        if (Files.exists(out.resolve("checkpoint.safetensors"))) {
            assertThat(msg).contains("The last finite checkpoint is " + out.resolve("checkpoint.safetensors"),
                    "--resume " + out, "--lr");
            long it = RunFiles.readCheckpoint(out).state().iteration();
            assertThat(msg).contains("(iteration " + it + ",");
        } else {
            assertThat(msg).contains("No checkpoint was written");
        }
        assertThat(out.resolve("model.safetensors")).doesNotExist();
    }

    @Test void aRunDivergingBeforeAnyCheckpointSaysThereIsNone() {
        Path out = tmp.resolve("lr1e30");
        CliRun r = run(train(out, "--lr", "1e30", "--epochs", "2"));
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(lastLine(r)).contains("No checkpoint was written").doesNotContain("checkpoint.safetensors");
        assertThat(out.resolve("checkpoint.safetensors")).doesNotExist();
    }

    /**
     * The rate is multiplied by 1e9 after epoch 1: the run diverges in epoch 2 and the checkpoint of
     * epoch 1's end stays as it was written: finite, and equal to that of a run stopped there.
     */
    @Test void aRunDivergingAfterACheckpointKeepsItIntactAndFinite() throws Exception {
        String[] schedule = {"--lr", "0.05", "--schedule", "multistep", "--milestones", "1", "--gamma", "1e9"};
        Path reference = tmp.resolve("one-epoch"), out = tmp.resolve("diverges-in-epoch-2");
        List<String> ref = train(reference, schedule);
        ref.addAll(List.of("--epochs", "1"));
        assertThat(run(ref).code()).isZero();
        List<String> diverging = train(out, schedule);
        diverging.addAll(List.of("--epochs", "3"));
        CliRun r = run(diverging);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        var kept = RunFiles.readCheckpoint(out);
        long it = kept.state().iteration();
        assertThat(kept.state().epoch()).isEqualTo(2);
        assertThat(kept.state().batchInEpoch()).isZero();
        assertThat(lastLine(r)).contains("The last finite checkpoint is " + out.resolve("checkpoint.safetensors")
                + " (iteration " + it + ", the end of epoch 1)");
        assertAllFinite(out);
        SafeTensorsFile a = SafeTensors.read(reference.resolve("checkpoint.safetensors"));
        SafeTensorsFile b = SafeTensors.read(out.resolve("checkpoint.safetensors"));
        assertThat(b.tensors().keySet()).isEqualTo(a.tensors().keySet());
        for (var e : a.tensors().entrySet()) {
            TensorData x = e.getValue(), y = b.tensors().get(e.getKey());
            if (x.floats() != null) assertThat(y.floats()).as(e.getKey()).containsExactly(x.floats());
            else assertThat(y.longs()).as(e.getKey()).containsExactly(x.longs());
        }
        // The diverged epoch left no metrics row and no model.
        assertThat(Files.readAllLines(out.resolve("metrics.csv"))).hasSize(2);
        assertThat(out.resolve("model.safetensors")).doesNotExist();
    }

    /** --resume DIR takes --lr and --epochs (only those), from the checkpoint's iteration on, recorded in metrics.jsonl. */
    @Test void resumeWithALowerRateAndMoreEpochs() throws Exception {
        Path out = tmp.resolve("resumed");
        assertThat(run(train(out, "--lr", "0.05", "--epochs", "1")).code()).isZero();
        long it = RunFiles.readCheckpoint(out).state().iteration();
        byte[] checkpoint = Files.readAllBytes(out.resolve("checkpoint.safetensors"));

        // too high a rate: diverges in the new epoch, and the checkpoint it started from is untouched
        CliRun high = CliRun.of("train", "--resume", out.toString(), "--epochs", "2", "--lr", "1e30", "--quiet");
        assertThat(high.code()).as(high.err()).isEqualTo(1);
        assertThat(lastLine(high)).contains("The last finite checkpoint is", "(iteration " + it + ", the end of epoch 1)");
        assertThat(Files.readAllBytes(out.resolve("checkpoint.safetensors"))).isEqualTo(checkpoint);

        CliRun ok = CliRun.of("train", "--resume", out.toString(), "--epochs", "2", "--lr", "0.02", "--quiet");
        assertThat(ok.code()).as(ok.err()).isZero();
        var done = RunFiles.readCheckpoint(out);
        assertThat(done.config().schedule().lr()).isEqualTo(0.02);
        assertThat(done.config().run().epochs()).isEqualTo(2);
        assertThat(done.state().epoch()).isEqualTo(3);
        assertThat(Files.readAllLines(out.resolve("metrics.csv"))).hasSize(3);

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("metrics.jsonl"))) lines.add(json.readTree(l));
        // row of epoch 1, the two changes (both made at the checkpoint's iteration), row of epoch 2
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0).get("epoch").asInt()).isEqualTo(1);
        JsonNode change = lines.get(2);
        assertThat(change.get("event").asText()).isEqualTo("resumed_with_changes");
        assertThat(change.get("iteration").asLong()).isEqualTo(it);
        assertThat(change.get("lr").get("from").asDouble()).isEqualTo(0.05);
        assertThat(change.get("lr").get("to").asDouble()).isEqualTo(0.02);
        assertThat(change.get("epochs").get("from").asInt()).isEqualTo(1);
        assertThat(change.get("epochs").get("to").asInt()).isEqualTo(2);
        JsonNode epoch2 = lines.get(3);
        assertThat(epoch2.get("epoch").asInt()).isEqualTo(2);
        assertThat(epoch2.get("lr").asDouble()).isLessThanOrEqualTo(0.02);

        // other settings stay refused, a rate for a finished run is no silent no-op, and a run cannot be
        // shortened to before where it is
        assertThat(CliRun.of("train", "--resume", out.toString(), "--batch", "2").code()).isEqualTo(2);
        CliRun finished = CliRun.of("train", "--resume", out.toString(), "--lr", "0.01");
        assertThat(finished.code()).isEqualTo(2);
        assertThat(lastLine(finished)).contains("is complete (2 epochs): --lr changes nothing");
        CliRun shorter = CliRun.of("train", "--resume", out.toString(), "--epochs", "1");
        assertThat(shorter.code()).isEqualTo(2);
        assertThat(lastLine(shorter)).contains("--epochs must be at least 3");
    }

    @Test void nonFiniteOptionValuesAreUsageErrors() {
        Path out = tmp.resolve("nan-options");
        // the flag named in the error, then the options
        for (String[] bad : new String[][] {{"--momentum", "--momentum", "NaN"}, {"--weight-decay", "--weight-decay", "NaN"},
            {"--mean", "--mean", "NaN,0.5,0.5", "--std", "0.25,0.25,0.25"},
            {"--std", "--mean", "0.5,0.5,0.5", "--std", "Infinity,0.25,0.25"}}) {
            String[] opts = java.util.Arrays.copyOfRange(bad, 1, bad.length);
            CliRun r = run(train(out, concat(opts, "--epochs", "1")));
            assertThat(r.code()).as(String.join(" ", opts) + ": " + r.err()).isEqualTo(2);
            assertThat(lastLine(r)).startsWith("jresnet: ").contains(bad[0]);
        }
        CliRun p = CliRun.of("predict", "--mean", "0.5,NaN,0.5", "--std", "0.25,0.25,0.25",
                Home.bundled(Home.SHIPPED_MODEL).toString());
        assertThat(p.code()).as(p.err()).isEqualTo(2);
        assertThat(lastLine(p)).contains("--mean");
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
