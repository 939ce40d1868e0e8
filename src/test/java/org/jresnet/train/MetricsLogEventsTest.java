package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events in metrics.jsonl: placed by iteration among the rows, kept by a resume up to its checkpoint's iteration. */
class MetricsLogEventsTest {
    @TempDir Path dir;

    private static EpochMetrics row(int epoch, long it) {
        return new EpochMetrics(epoch, it, 1, 0.5, 1, 0.5, Double.NaN, 0.1, 1);
    }

    @Test void eventsSitAmongTheRowsByIterationAndOnlyTheCheckpointsHistoryIsResumed() throws Exception {
        MetricsLog log = new MetricsLog(dir);
        log.append(row(1, 10));
        log.event(Map.of("event", "resumed_with_changes", "iteration", 10L));   // at the end of epoch 1
        log.append(row(2, 20));
        log.event(Map.of("event", "resumed_with_changes", "iteration", 25L));   // in epoch 3
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("{\"epoch\":1,");
        assertThat(lines.get(1)).contains("\"iteration\":10").contains("\"event\"");
        assertThat(lines.get(2)).startsWith("{\"epoch\":2,");
        assertThat(lines.get(3)).contains("\"iteration\":25");
        assertThat(Files.readAllLines(dir.resolve("metrics.csv"))).hasSize(3);   // header and the two rows

        // resumed from the checkpoint at the end of epoch 2 (iteration 20): the later event never happened
        MetricsLog resumed = MetricsLog.resume(dir, 2, 20);
        assertThat(resumed.rows()).hasSize(2);
        assertThat(resumed.events()).hasSize(1);
        assertThat(resumed.events().get(0).get("iteration").asLong()).isEqualTo(10);
        assertThat(MetricsLog.resume(dir, Integer.MAX_VALUE).events()).hasSize(2);
    }
}
