package org.jresnet.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's peak resident set (VmHWM), as jresnet's bench reports it. */
final class Rss {
    private Rss() {}

    /** MB; NaN where /proc is missing (not Linux). */
    static double peakMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // NaN below
        }
        return Double.NaN;
    }
}
