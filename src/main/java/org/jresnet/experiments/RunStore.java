package org.jresnet.experiments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.jresnet.io.ModelFiles;
import org.jresnet.nn.Shortcut;
import org.jresnet.engine.Engine;
import org.jresnet.train.MetricsLog;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.RunFiles;
import org.jresnet.train.RunLock;
import org.jresnet.train.TrainConfig;
import org.jresnet.train.Trainer;
import org.jresnet.train.TrainingRun;

/**
 * Trained models shared between experiments: {@code ROOT/<run key>/} is an ordinary run folder of
 * the {@code train} command ({@link Recipe#runKey}). {@link #obtain} returns the finished run, resumes
 * an unfinished one from its checkpoint, or starts it; so the degradation experiment's ResNet-56
 * and plain-56 serve lesion, gradients and responses, and a second invocation continues where the
 * first stopped.
 */
public final class RunStore {
    private final Path root;
    private final Recipe recipe;
    private final ProgressReporter progress;
    private final boolean quiet;
    private TrainingRun.Data data;
    private Trainer.Listener listener;

    public RunStore(Path root, Recipe recipe, ProgressReporter progress, boolean quiet) {
        this.root = root;
        this.recipe = recipe;
        this.progress = progress;
        this.quiet = quiet;
    }

    /** Observes the training steps (tests interrupt a run with it). */
    void setListener(Trainer.Listener l) { listener = l; }

    public Path root() { return root; }
    public Recipe recipe() { return recipe; }

    /** The recipe's data, opened once (training and test splits, normalisation of the training split). */
    public TrainingRun.Data data() {
        if (data == null) {
            TrainConfig probe = recipe.config(ExperimentNames.resnet(20), null, root, 0, Engine.current().threads());
            data = TrainingRun.Data.open(probe, quiet);
        }
        return data;
    }

    public Path dirOf(String model, Shortcut shortcut) {
        return root.resolve(recipe.runKey(model, shortcut, data().plan().train().length));
    }

    /** The finished run of {@code model}, training or resuming it first when needed. */
    public TrainedModel obtain(String model, Shortcut shortcut) throws IOException {
        int trainImages = data().plan().train().length;
        String key = recipe.runKey(model, shortcut, trainImages);
        Path dir = root.resolve(key);
        TrainConfig cfg = recipe.config(model, shortcut, dir, trainImages, Engine.current().threads());
        // a finished run has its model file: only then is the checkpoint read before the lock
        if (Files.exists(dir.resolve("model.safetensors")) && Files.exists(dir.resolve("checkpoint.safetensors"))) {
            RunFiles.Resumed r = RunFiles.readCheckpoint(dir);
            checkSameRun(dir, r.config(), cfg);
            if (TrainingRun.isComplete(r)) {
                // finished: read only, so experiments sharing it may run side by side
                progress.message("using the finished run " + dir);
                ModelFiles.Loaded l = ModelFiles.load(dir.resolve("model.safetensors"));
                return new TrainedModel(key, dir, l.model(), l.metadata(), MetricsLog.resume(dir, Integer.MAX_VALUE).rows());
            }
        }
        // Training it takes the folder's lock, as `train` does: a second experiment (or a
        // `train --resume`) on the same run is refused instead of both training it, and
        // `serve --runs` shows it as running.
        boolean made = !Files.exists(dir);
        Files.createDirectories(dir);
        RunLock lock = RunLock.acquire(dir);
        TrainingRun.Outcome o;
        try {
            if (Files.exists(dir.resolve("checkpoint.safetensors"))) {
                RunFiles.Resumed r = RunFiles.readCheckpoint(dir);   // under the lock: nobody moves it on meanwhile
                checkSameRun(dir, r.config(), cfg);
                o = TrainingRun.resume(dir, r, data(), progress, listener);
            } else {
                o = TrainingRun.start(cfg, data(), progress, listener);
            }
        } finally {
            // a run refused before it wrote anything (its batch, its data) leaves no empty folder
            if (made) lock.closeAndRemoveIfEmpty();
            else lock.close();
        }
        if (!o.complete()) {
            throw new ExperimentStoppedException("stopped; the run in " + dir + " is checkpointed: run the same command"
                    + " again to continue");
        }
        return new TrainedModel(key, dir, o.model(), o.files().metadata(), o.log().rows());
    }

    /** A run folder found under the key must hold the run the recipe asks for (a hash collision, or a hand edit). */
    private static void checkSameRun(Path dir, TrainConfig found, TrainConfig wanted) {
        TrainConfig.Model fm = found.model(), wm = wanted.model();
        TrainConfig.Run fr = found.run(), wr = wanted.run();
        TrainConfig.Schedule fs = found.schedule(), ws = wanted.schedule();
        boolean same = fm.name().equals(wm.name()) && Objects.equals(fm.shortcut(), wm.shortcut())
                && found.data().path().equals(wanted.data().path()) && fr.epochs() == wr.epochs()
                && fr.batch() == wr.batch() && fs.lr() == ws.lr() && fr.seed() == wr.seed()
                && fs.warmup() == ws.warmup() && fs.kind() == ws.kind();
        if (!same) {
            throw new IllegalStateException(dir + " holds a different run (" + fm.name() + ", " + found.data().path()
                    + ", " + fr.epochs() + " epochs); move it away or choose another --out");
        }
    }
}
