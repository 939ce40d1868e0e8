package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.ResumeChange;
import org.jresnet.train.RunFiles;
import org.jresnet.train.RunState;
import org.jresnet.train.Sgd;
import org.jresnet.train.Trainer;
import org.jresnet.train.TrainingRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a checkpoint and metrics.jsonl record about how a run went on: a resume with changes that
 * crashes before its first checkpoint, then resumed again with the same changes (as a relaunched
 * Spark stage does), records its change once; a checkpoint records the data-parallel workers that
 * wrote it (1 for one process).
 */
class ResumeRecordTest {
    @TempDir Path tmp;

    @Test void aRepeatedResumeRecordsItsChangeOnceAndCheckpointsRecordTheirWorkers() throws Exception {
        Path data = TinyImageFolder.write(tmp, 8, 2, 8);
        Path out = tmp.resolve("run");
        CliRun first = CliRun.of("train", "--data", data.toString(), "--out", out.toString(), "--batch", "4",
                "--warmup", "0", "--seed", "5", "--threads", "1", "--quiet", "--epochs", "1", "--lr", "0.05");
        assertThat(first.code()).as(first.err()).isZero();
        RunFiles.Resumed stored = RunFiles.readCheckpoint(out);
        assertThat(RunFiles.workers(stored)).isEqualTo(1);

        ResumeChange change = new ResumeChange(0.02, 2);
        try (Engine e = Engine.create(EngineConfig.defaults().withThreads(1)); Engine.Scope s = e.bind()) {
            TrainingRun.Data d = TrainingRun.Data.open(change.applyTo(stored).config(), true);
            Trainer.Listener crash = new Trainer.Listener() {
                @Override public void stepDone(RunState st) { throw new IllegalStateException("crash"); }
            };
            assertThatThrownBy(() -> TrainingRun.resume(out, stored, change, d,
                    new ProgressReporter(ProgressReporter.Mode.QUIET), crash)).hasMessage("crash");
        }
        assertThat(RunFiles.readCheckpoint(out).config().run().epochs()).as("no checkpoint since").isEqualTo(1);
        assertThat(events(out)).isEqualTo(1);

        CliRun again = CliRun.of("train", "--resume", out.toString(), "--epochs", "2", "--lr", "0.02", "--quiet",
                "--threads", "1");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(events(out)).isEqualTo(1);
        assertThat(RunFiles.readCheckpoint(out).config().run().epochs()).isEqualTo(2);

        // a checkpoint written for two workers says so; the run it stores is the same
        Path two = Files.createDirectories(tmp.resolve("two"));
        RunFiles.Resumed done = RunFiles.readCheckpoint(out);
        var net = done.loaded().model();
        new RunFiles(two, done.loaded().metadata(), 2).saveCheckpoint(net, new Sgd(net.parameters(), 0.9f, 1e-4f, false),
                done.state(), done.config(), 24);
        RunFiles.Resumed back = RunFiles.readCheckpoint(two);
        assertThat(RunFiles.workers(back)).isEqualTo(2);
        assertThat(back.config().run()).isEqualTo(done.config().run());
    }

    private static long events(Path out) throws Exception {
        return Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"event\":\"resumed_with_changes\"")).count();
    }
}
