package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    @Test
    void replacesContentAndLeavesNoTemporaryFile() throws IOException {
        Path p = dir.resolve("sub/out.txt");
        AtomicFiles.writeString(p, "one");
        AtomicFiles.writeString(p, "two");
        assertThat(p).hasContent("two");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-r--r--");
        assertThat(Files.list(p.getParent())).containsExactly(p);
    }

    @Test
    void aFailedWriteKeepsTheOldFileIntact() throws IOException {
        Path p = dir.resolve("ckpt.bin");
        AtomicFiles.writeString(p, "previous checkpoint");
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full");
        })).hasMessageContaining("disk full");
        assertThat(p).hasContent("previous checkpoint");
        assertThat(Files.list(dir)).containsExactly(p);
    }

    @Test
    void aFailedWriteNamesTheFileAndKeepsThePreviousOne() throws IOException {
        Path p = dir.resolve("checkpoint.safetensors");
        AtomicFiles.writeString(p, "epoch 3");
        assertThatThrownBy(() -> AtomicFiles.write(p, out -> {
            out.write(new byte[100]);
            throw new IOException("No space left on device");
        })).hasMessage("cannot write " + p + ": No space left on device (the previous checkpoint.safetensors is kept)");
        assertThat(p).hasContent("epoch 3");
    }

    @Test
    void anUnwritableFolderIsNamedNotTheTemporaryFile() {
        Path proc = Path.of("/proc");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(proc), "needs Linux's /proc");
        Path target = proc.resolve("x.png");
        assertThatThrownBy(() -> AtomicFiles.writeString(target, "png"))
                .hasMessage("cannot write /proc/x.png: cannot create files in /proc");
    }

    @Test
    void staleTemporaryFilesOfACrashedWriteAreRemovedAtTheNextStart() throws Exception {
        Path stale = dir.resolve(".checkpoint.safetensors.jresnet-123456789.tmp");
        Files.writeString(stale, "half a checkpoint");
        Path busy = dir.resolve(".model.safetensors.jresnet-987654321.tmp");
        Files.writeString(busy, "being written");
        Path notOurs = dir.resolve("notes.tmp");
        Files.writeString(notOurs, "user's");
        // a user's hidden file of the same shape, but without jresnet's mark (it used to be deleted)
        Path hidden = dir.resolve(".notes.2024.tmp");
        Files.writeString(hidden, "my notes");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(busy, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock lock = ch.lock()) {
            AtomicFiles.writeString(dir.resolve("metrics.csv"), "epoch\n");
            assertThat(stale).doesNotExist();
            assertThat(busy).as("locked by a live writer").exists();
            assertThat(notOurs).exists();
            assertThat(hidden).exists();
        }
    }
}
