package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kernel is asked to do when a file is written atomically, seen with strace (bin/test
 * installs it): the temporary file is fsynced before the rename, and the folder is fsynced after
 * it. Without the folder's fsync a power cut can undo the rename: the "written" checkpoint is
 * then the old one, or, for a first write, no file at all.
 */
class AtomicFilesDurabilityTest {
    @TempDir Path tmp;

    /** Writes {@code args[0]}/out.bin with {@link AtomicFiles}; run in a child JVM under strace. */
    public static void main(String[] args) throws Exception {
        AtomicFiles.writeString(Path.of(args[0], "out.bin"), "payload");
    }

    @Test void theTemporaryFileAndThenTheFolderAreFsynced() throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("strace", "-o", "/dev/null", "true").start().waitFor() == 0,
                "strace cannot trace here (not installed, or ptrace is not permitted)");
        Path dir = Files.createDirectories(tmp.resolve("run"));
        // -ff: one log per thread. With -f alone, another thread's call can split a line into
        // "<unfinished ...>" and "<... resumed>" halves and the pattern misses the call.
        Path logs = Files.createDirectories(tmp.resolve("strace"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of("strace", "-qq", "-e", "trace=openat,fsync,fdatasync,rename,renameat,renameat2",
                "-ff", "-o", logs.resolve("t").toString(), java, "-cp", System.getProperty("java.class.path"), AtomicFilesDurabilityTest.class.getName(),
                dir.toString())).redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("out.txt"))).isZero();
        assertThat(dir.resolve("out.bin")).hasContent("payload");

        // Follow the calls in order: open the temporary file -> fsync it -> rename -> open the folder -> fsync it.
        String quotedDir = Pattern.quote("\"" + dir + "\"");
        Pattern openTemp = Pattern.compile("openat\\(AT_FDCWD, \"" + Pattern.quote(dir + File.separator) + "\\.out\\.bin\\.jresnet-[0-9]+\\.tmp\", O_WRONLY[^)]*\\) = (\\d+)");
        Pattern openDir = Pattern.compile("openat\\(AT_FDCWD, " + quotedDir + ", O_RDONLY[^)]*\\) = (\\d+)");
        int best = 0;
        StringBuilder seen = new StringBuilder();
        try (var files = Files.list(logs)) {
            for (Path log : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                best = Math.max(best, stageReached(lines, openTemp, openDir));
                lines.stream().filter(l -> l.contains(dir.toString()) || l.contains("sync")).forEach(l -> seen.append(l).append('\n'));
            }
        }
        assertThat(best).as("0 no temp file, 1 not fsynced, 2 no rename, 3 folder not opened, 4 folder not fsynced, 5 done;"
                + " log:\n" + seen).isEqualTo(5);
    }

    /** How far one thread's calls get through the five steps, in order. */
    private static int stageReached(List<String> lines, Pattern openTemp, Pattern openDir) {
        String tempFd = null, dirFd = null;
        int stage = 0;
        for (String line : lines) {
            Matcher m;
            if (stage == 0 && (m = openTemp.matcher(line)).find()) {
                tempFd = m.group(1);
                stage = 1;
            } else if (stage == 1 && line.matches(".*f(data)?sync\\(" + tempFd + "\\) += 0.*")) {
                stage = 2;
            } else if (stage == 2 && line.contains("rename") && line.contains("out.bin\"")) {
                stage = 3;
            } else if (stage == 3 && (m = openDir.matcher(line)).find()) {
                dirFd = m.group(1);
                stage = 4;
            } else if (stage == 4 && line.matches(".*f(data)?sync\\(" + dirFd + "\\) += 0.*")) {
                stage = 5;
            }
        }
        return stage;
    }
}
