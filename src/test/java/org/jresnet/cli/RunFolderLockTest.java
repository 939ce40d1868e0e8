package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two trainings into one run folder (issue 12, defect 7): while one runs, in another process, a
 * second one, new or resuming, fails at once naming the folder; and (defect 10) a command rejected
 * before it trains leaves no empty run folder behind.
 */
class RunFolderLockTest {
    @TempDir Path tmp;

    @Test void aSecondTrainingIntoARunningFolderFailsAtOnce() throws Exception {
        Path data = TinyImageFolder.write(tmp, 8, 2, 8);
        Path out = tmp.resolve("run");
        String cache = tmp.resolve("cache").toString();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", "--data", data.toString(), "--out", out.toString(), "--cache-dir", cache, "--epochs", "50",
                "--batch", "4", "--threads", "1", "--quiet", "--ckpt-every", "1", "--step-delay-ms", "200"));
        Process first = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(out.resolve("checkpoint.safetensors"))) {
                assertThat(first.isAlive()).as("the first training ended early").isTrue();
                assertThat(System.nanoTime()).as("no checkpoint from the first training").isLessThan(deadline);
                Thread.sleep(50);
            }
            CliRun again = CliRun.of("train", "--data", data.toString(), "--out", out.toString(), "--cache-dir", cache,
                    "--epochs", "1", "--batch", "4", "--quiet");
            assertThat(again.code()).as(again.err()).isEqualTo(1);
            assertThat(again.err().strip()).isEqualTo("jresnet: the run folder " + out
                    + " is in use by another training; wait for it to end or choose another folder");
            CliRun resumed = CliRun.of("train", "--resume", out.toString(), "--quiet");
            assertThat(resumed.code()).as(resumed.err()).isEqualTo(1);
            assertThat(resumed.err()).contains("the run folder " + out + " is in use by another training");
            assertThat(first.isAlive()).isTrue();
        } finally {
            first.destroyForcibly().waitFor();
        }
        // The OS released the killed process's lock: the run resumes (and is complete after one more epoch).
        CliRun after = CliRun.of("train", "--resume", out.toString(), "--epochs",
                String.valueOf(org.jresnet.train.RunFiles.readCheckpoint(out).state().epoch()), "--quiet");
        assertThat(after.code()).as(after.err()).isZero();
    }

    @Test void aRejectedCommandLeavesNoRunFolder() throws Exception {
        Path data = TinyImageFolder.write(tmp, 2, 1, 8);
        Path usage = tmp.resolve("usage"), missing = tmp.resolve("missing-data"), oneClass = tmp.resolve("one-class");
        assertThat(Main.execute("train", "--lr", "-1", "--out", usage.toString())).isEqualTo(2);
        assertThat(Main.execute("train", "--data", tmp.resolve("nope.zip").toString(), "--out", missing.toString()))
                .isEqualTo(1);
        Path one = TinyImageFolder.write(tmp.resolve("one.zip"), 2, 1, 8, new String[] {"cat"});
        assertThat(Main.execute("train", "--data", one.toString(), "--out", oneClass.toString(), "--cache-dir",
                tmp.resolve("cache").toString(), "--quiet")).isEqualTo(2);
        assertThat(usage).doesNotExist();
        assertThat(missing).doesNotExist();
        assertThat(oneClass).doesNotExist();
        // a folder that was there before stays, with what it held
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep");
        assertThat(Main.execute("train", "--data", tmp.resolve("nope.zip").toString(), "--out", mine.toString()))
                .isEqualTo(1);
        assertThat(mine.resolve("notes.txt")).hasContent("keep");
        assertThat(data).exists();
    }
}
