package org.jresnet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.jresnet.train.RunState;
import org.jresnet.train.Trainer;

/**
 * A listener that copies a run folder the way a crash right after epoch {@code epoch} would leave
 * it (checkpoint and metrics), into {@code copy}: the start of a resume-equals-uninterrupted test.
 */
final class FolderAtEpoch implements Trainer.Listener {
    private final int epoch;
    private final Path run, copy;
    /** The iteration of each copy made (one, when the test went as planned). */
    final List<Long> copied = new ArrayList<>();

    FolderAtEpoch(int epoch, Path run, Path copy) {
        this.epoch = epoch;
        this.run = run;
        this.copy = copy;
    }

    @Override public void checkpointSaved(Path file, RunState s) {
        // the checkpoint saved at the start of epoch + 1 is the state at the end of epoch
        if (s.epoch() != epoch + 1 || !copied.isEmpty()) return;
        try {
            Files.createDirectories(copy);
            for (String f : new String[] {"checkpoint.safetensors", "metrics.jsonl", "metrics.csv"}) {
                Files.copy(run.resolve(f), copy.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            copied.add(s.iteration());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
