package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @Test void writesJsonlAndCsvAndResumesFromThem(@TempDir Path dir) throws Exception {
        MetricsLog log = new MetricsLog(dir);
        log.append(new EpochMetrics(1, 390, 1.5, 0.55, 1.4, 0.5, Double.NaN, 0.1, 80));
        log.append(new EpochMetrics(2, 780, 1.1, 0.40, 1.2, 0.42, Double.NaN, 0.09, 160));
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertThat(csv.get(0)).isEqualTo("epoch,iteration,train_loss,train_err,test_loss,test_err,val_err,lr,elapsed_s");
        assertThat(csv.get(2)).startsWith("2,780,1.10000,0.400000,1.20000,0.420000,,0.0900000,");
        List<String> jsonl = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(jsonl).hasSize(2);
        assertThat(jsonl.get(0)).contains("\"train_err\":0.55").doesNotContain("val_err");

        MetricsLog resumed = MetricsLog.resume(dir, 1);
        assertThat(resumed.rows()).containsExactly(log.rows().get(0));
        resumed.append(new EpochMetrics(2, 780, 1.0, 0.39, 1.1, 0.41, 0.4, 0.09, 150));
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).hasSize(2);
        assertThat(Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
}
