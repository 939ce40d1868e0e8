package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jresnet.data.EpochPlan;
import org.jresnet.data.InMemoryDataset;
import org.jresnet.io.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where each epoch's time went, as train records it in metrics.jsonl (what bench/e2e prints). */
class EpochTimesTest {
    private static InMemoryDataset tiny(int n, long seed) {
        int size = 8;
        byte[] px = new byte[n * size * size * 3];
        new SplittableRandom(seed).nextBytes(px);
        int[] labels = new int[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            names[i] = "img" + i;
        }
        return new InMemoryDataset(px, labels, names, List.of("a", "b", "c"), size, size, 0, false, "tiny");
    }

    @Test void everyRowSaysWhereItsSpanWentAndThePhasesFitInIt(@TempDir Path out) throws Exception {
        // A validation split (best weights) and mid-epoch checkpoints: every phase occurs.
        TrainConfig cfg = new TrainConfig(new TrainConfig.Model("resnet20", null, null, 0, false, false),
                new TrainConfig.Data(Path.of("tiny.zip"), 6, Normalization.UNIT, false, null),
                new TrainConfig.Optimizer(0.9, 1e-4, false),
                new TrainConfig.Schedule(LrSchedule.Kind.COSINE, 0.05, null, 0.1, 0, 0, 0),
                new TrainConfig.Run(out, 3, 8, 1, 5, 2, 1));
        InMemoryDataset train = tiny(30, 1), test = tiny(9, 2);
        var data = new TrainingRun.Data(train, test, new EpochPlan(train.size(), 6, 5), Normalization.UNIT);
        TrainingRun.Outcome o = TrainingRun.start(cfg, data, new ProgressReporter(ProgressReporter.Mode.QUIET), null);
        assertThat(o.complete()).isTrue();

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("metrics.jsonl"))) rows.add(json.readTree(l));
        assertThat(rows).hasSize(3);
        double previous = 0;
        for (JsonNode r : rows) {
            double span = r.get("elapsed_s").asDouble() - previous;
            previous = r.get("elapsed_s").asDouble();
            double mainThread = 0;
            for (String k : EpochTimes.KEYS) {
                assertThat(r.has(k)).as("epoch %d has %s", r.get("epoch").asInt(), k).isTrue();
                double v = r.get(k).asDouble();
                assertThat(v).as(k).isFinite().isGreaterThanOrEqualTo(0);
                if (!k.equals("augment_s")) mainThread += v;
            }
            // The loop's own phases never overlap; augmentation runs beside them in one prefetch thread.
            assertThat(mainThread).as("epoch %d: phases of the loop vs its span", r.get("epoch").asInt())
                    .isLessThanOrEqualTo(span + 1e-9);
            assertThat(r.get("augment_s").asDouble()).isLessThanOrEqualTo(span + 1e-9);
            assertThat(r.get("step_s").asDouble()).isPositive();
            assertThat(r.get("test_s").asDouble()).isPositive();
            assertThat(r.get("augment_s").asDouble()).isPositive();
            assertThat(r.get("checkpoint_s").asDouble()).isPositive();   // mid-epoch every 2 iterations
        }
        // The log keeps them on a resume.
        List<EpochMetrics> back = MetricsLog.resume(out, 3).rows();
        assertThat(back).extracting(m -> m.times().known()).containsOnly(true);
        assertThat(back.get(2).times().stepS()).isEqualTo(rows.get(2).get("step_s").asDouble());
    }

    @Test void rowsWrittenBeforeTheTimesExistedStillLoad(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"epoch\":1,\"iteration\":78,\"train_loss\":2.19,"
                + "\"train_err\":0.78,\"test_loss\":1.92,\"test_err\":0.72,\"lr\":4.0E-5,\"elapsed_s\":61.6}\n");
        MetricsLog log = MetricsLog.resume(dir, 1);
        assertThat(log.rows()).hasSize(1);
        assertThat(log.rows().get(0).times()).isEqualTo(EpochTimes.UNKNOWN);
        assertThat(log.rows().get(0).times().known()).isFalse();
        log.append(new EpochMetrics(2, 156, 1.9, 0.7, 1.8, 0.65, Double.NaN, 1e-5, 120,
                new EpochTimes(50, 0.5, 8, 4, 0.2, 0.1)));
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(lines.get(0)).doesNotContain("step_s");   // still the old row
        assertThat(lines.get(1)).contains("\"step_s\":50.0", "\"data_wait_s\":0.5", "\"augment_s\":8.0",
                "\"test_s\":4.0", "\"checkpoint_s\":0.2", "\"log_s\":0.1");
    }

    /** A hook that times part of the step, as a data-parallel run's ReplicaSync does. */
    private static final class TimedHook implements TrainStep.GradientHook, TrainStep.StepParts {
        long computeNanos;
        int steps;

        @Override public void afterBackward(TrainStep.Seam seam) {
            computeNanos += seam.computeNanos();
            steps++;
        }

        @Override public Map<String, Double> takeStepParts() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("compute_s", computeNanos / 1e9);
            m.put("steps_seen", (double) steps);
            computeNanos = 0;
            steps = 0;
            return m;
        }
    }

    @Test void theStepsTimedPartsGoToTheirEpochsRowAndSurviveARewrite(@TempDir Path out) throws Exception {
        TrainConfig cfg = new TrainConfig(new TrainConfig.Model("resnet20", null, null, 0, false, false),
                new TrainConfig.Data(Path.of("tiny.zip"), 0, Normalization.UNIT, false, null),
                new TrainConfig.Optimizer(0.9, 1e-4, false),
                new TrainConfig.Schedule(LrSchedule.Kind.COSINE, 0.05, null, 0.1, 0, 0, 0),
                new TrainConfig.Run(out, 2, 8, 1, 5, 0, 1));
        InMemoryDataset train = tiny(24, 1), test = tiny(6, 2);
        var data = new TrainingRun.Data(train, test, new EpochPlan(train.size(), 0, 5), Normalization.UNIT);
        TimedHook hook = new TimedHook();
        var printed = new java.io.ByteArrayOutputStream();
        ProgressReporter progress = new ProgressReporter(ProgressReporter.Mode.LINES,
                new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        TrainingRun.Outcome o = TrainingRun.start(cfg, data, progress, null, new Replica(0, 1, b -> b.hook(hook)));
        assertThat(o.complete()).isTrue();

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("metrics.jsonl"))) rows.add(json.readTree(l));
        assertThat(rows).hasSize(2);
        for (JsonNode r : rows) {
            // each row holds its own epoch's steps (the hook was reset when the row was taken)
            assertThat(r.get("steps_seen").asDouble()).isEqualTo(3);
            assertThat(r.get("compute_s").asDouble()).isPositive().isLessThanOrEqualTo(r.get("step_s").asDouble());
        }
        assertThat(o.log().rows().get(1).times().stepParts()).containsOnlyKeys("compute_s", "steps_seen");
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("| step: compute ", " steps_seen 3.0");

        // A resumed log rewrites the files whole: the parts of earlier rows stay.
        MetricsLog back = MetricsLog.resume(out, 2);
        assertThat(back.rows().get(0).times().stepParts().get("compute_s")).isEqualTo(rows.get(0).get("compute_s").asDouble());
        back.append(new EpochMetrics(3, 9, 1, 0.5, 1, 0.5, Double.NaN, 0.01, 3, new EpochTimes(1, 0, 0, 0, 0, 0)));
        List<String> rewritten = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(rewritten.get(0)).contains("\"compute_s\":", "\"steps_seen\":3.0");
        assertThat(rewritten.get(2)).doesNotContain("compute_s");
    }
}
