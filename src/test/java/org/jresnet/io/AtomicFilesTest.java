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
        })).hasMessage("disk full");
        assertThat(p).hasContent("previous checkpoint");
        assertThat(Files.list(dir)).containsExactly(p);
    }
}
