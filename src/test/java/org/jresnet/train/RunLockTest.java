package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run folder's lock within one process (the CLI test covers two processes). */
class RunLockTest {
    @TempDir Path tmp;

    @Test void oneHolderAtATimeAndFreeOnceClosed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        try (RunLock held = RunLock.acquire(dir)) {
            assertThat(held.dir()).isEqualTo(dir);
            assertThatThrownBy(() -> RunLock.acquire(dir)).isInstanceOf(IOException.class)
                    .hasMessage("the run folder " + dir + " is in use by another training; wait for it to end or choose"
                            + " another folder");
        }
        try (RunLock again = RunLock.acquire(dir)) {
            assertThat(dir.resolve(RunLock.FILE)).exists();
        }
    }

    /** A resume of a run that has not checkpointed yet hears "in use", not "nothing to resume". */
    @Test void requireFreeNamesAHeldFolderAndTakesNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("busy"));
        RunLock.requireFree(dir);
        RunLock.requireFree(tmp.resolve("absent"));
        try (RunLock held = RunLock.acquire(dir)) {
            assertThatThrownBy(() -> RunLock.requireFree(dir)).hasMessageContaining("is in use by another training");
        }
        RunLock.requireFree(dir);
        try (RunLock again = RunLock.acquire(dir)) {
            assertThat(again.dir()).isEqualTo(dir);
        }
    }

    @Test void anEmptyFolderGoesWithItsLockAFolderWithResultsStays() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        RunLock.acquire(empty).closeAndRemoveIfEmpty();
        assertThat(empty).doesNotExist();

        Path used = Files.createDirectories(tmp.resolve("used"));
        RunLock l = RunLock.acquire(used);
        Files.writeString(used.resolve("metrics.csv"), "epoch\n");
        l.closeAndRemoveIfEmpty();
        assertThat(used.resolve("metrics.csv")).exists();
        try (RunLock free = RunLock.acquire(used)) {
            assertThat(free).isNotNull();
        }
    }

    @Test void aFolderThatCannotHoldTheLockIsNamed() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> RunLock.acquire(file)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot lock the run folder " + file);
    }
}
