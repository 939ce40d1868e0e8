package org.jresnet.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.NonFiniteWeightsException;
import org.jresnet.io.TensorData;
import org.jresnet.models.ResNet;
import org.jresnet.plot.Charts;

/**
 * The files of a run folder: {@code checkpoint.safetensors} (weights, BN statistics, momentum
 * buffers as {@code optim.momentum.<name>}, the run's config and position in the metadata),
 * {@code model.safetensors} (final weights, model keys only, strictly loadable by PyTorch),
 * {@code best.safetensors} (lowest validation error, only with {@code --val}), {@code curves.png}
 * and the metrics files. Every write is atomic, and none holds a NaN or infinite value
 * ({@link org.jresnet.io.ModelFiles#save} refuses them).
 */
public final class RunFiles {
    /** Metadata keys of a checkpoint besides the model's own. */
    public static final String CONFIG_KEY = "train_config";
    public static final String STATE_KEY = "run_state";
    /** The training split's size when the checkpoint was written (see {@link #requireSameTrainingImages}). */
    public static final String TRAIN_IMAGES_KEY = "train_images";
    /** Metadata of a finished run's model: test-set top-1 after the last epoch (shown by serve's /v1/models). */
    public static final String TEST_TOP1_KEY = "test_top1";
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private final Path dir;
    private final ModelMetadata meta;
    private final int workers;

    public RunFiles(Path dir, ModelMetadata meta) { this(dir, meta, 1); }

    /** The files of one of {@code workers} data-parallel replicas' run (its checkpoints record the count). */
    public RunFiles(Path dir, ModelMetadata meta, int workers) {
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        this.dir = dir;
        this.meta = meta;
        this.workers = workers;
    }

    public Path dir() { return dir; }
    public Path checkpoint() { return dir.resolve("checkpoint.safetensors"); }
    public Path model() { return dir.resolve("model.safetensors"); }
    public Path best() { return dir.resolve("best.safetensors"); }
    public Path curves() { return dir.resolve("curves.png"); }
    public ModelMetadata metadata() { return meta; }

    /** Fails early, with the folder's name, when {@code --out} cannot be written. */
    public static void checkWritable(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("cannot write to output folder " + dir + ": it is a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IOException("cannot write to output folder " + dir + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    /**
     * {@code trainImages}: the training split's size (after --val), so that a resume can tell the
     * data changed: fewer images would change every epoch's batches and could put a mid-epoch
     * position past the epoch's end.
     */
    public void saveCheckpoint(ResNet model, Sgd sgd, RunState state, TrainConfig cfg, int trainImages) throws IOException {
        Map<String, TensorData> optim = new LinkedHashMap<>();
        for (var e : sgd.momentumBuffers().entrySet()) {
            float[] b = e.getValue();
            optim.put(Sgd.MOMENTUM_PREFIX + e.getKey(), TensorData.f32(b.clone(), b.length));
        }
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put(CONFIG_KEY, JSON.writeValueAsString(StoredTrainConfig.of(cfg, workers)));
        extra.put(STATE_KEY, JSON.writeValueAsString(state));
        extra.put(TRAIN_IMAGES_KEY, Integer.toString(trainImages));
        ModelFiles.save(checkpoint(), model, meta, optim, extra);
    }

    /** The final model, with the last epoch's test top-1 in its metadata when the log has one. */
    public void saveModel(ResNet model, MetricsLog log) throws IOException {
        Map<String, String> extra = new LinkedHashMap<>();
        List<EpochMetrics> rows = log.rows();
        if (!rows.isEmpty() && Double.isFinite(rows.get(rows.size() - 1).testErr())) {
            extra.put(TEST_TOP1_KEY, Double.toString(1 - rows.get(rows.size() - 1).testErr()));
        }
        ModelFiles.save(model(), model, meta, Map.of(), extra);
    }

    public void saveBest(ResNet model) throws IOException { ModelFiles.save(best(), model, meta); }

    /** The run's error curves, titled with the model and the data it learns ({@code dataName}). */
    public void saveCurves(MetricsLog log, String dataName) throws IOException {
        String title = meta.model() + " on " + dataName;
        Charts.writePng(curves(), CurvesPlot.chart(title, List.of(new CurvesPlot.Run(meta.model(), log.rows()))),
                900, 560);
    }

    /** A checkpoint read back: the model (weights and BN statistics loaded), its config, position and momentum. */
    public record Resumed(ModelFiles.Loaded loaded, TrainConfig config, RunState state, Map<String, float[]> momentum) {}

    /** Fails when {@code dir} holds no checkpoint to resume. */
    public static void requireCheckpoint(Path dir) throws IOException {
        if (!Files.exists(dir.resolve("checkpoint.safetensors"))) {
            throw new IOException("nothing to resume in " + dir + ": no checkpoint.safetensors");
        }
    }

    /**
     * Fails when the checkpoint recorded another number of training images than {@code now} (the
     * data was changed since); checkpoints written before the count was kept are not checked.
     */
    public static void requireSameTrainingImages(Resumed r, int now, Object data) {
        String stored = r.loaded().file().metadata().get(TRAIN_IMAGES_KEY);
        if (stored != null && Integer.parseInt(stored.trim()) != now) {
            throw new IllegalStateException("the training data changed since the checkpoint: the run had " + stored.trim()
                    + " training images, " + data + " has " + now + " now; resume it on the data it started with");
        }
    }

    /**
     * How many data-parallel workers wrote the checkpoint {@code r} (1 for one process and for
     * checkpoints older than the count). The run itself is defined by its micro-batches: N workers
     * and one process with {@code --micro-batches N} are the same run, equal within float summation.
     */
    public static int workers(Resumed r) throws IOException {
        String stored = r.loaded().file().metadata().get(CONFIG_KEY);
        return JSON.readValue(stored, StoredTrainConfig.class).writtenByWorkers();
    }

    public static Resumed readCheckpoint(Path dir) throws IOException {
        requireCheckpoint(dir);
        Path f = dir.resolve("checkpoint.safetensors");
        ModelFiles.Loaded loaded = ModelFiles.load(f);
        Map<String, String> m = loaded.file().metadata();
        if (!m.containsKey(CONFIG_KEY) || !m.containsKey(STATE_KEY)) {
            throw new IOException(f + " is a weights file, not a training checkpoint (no run state)");
        }
        TrainConfig cfg = JSON.readValue(m.get(CONFIG_KEY), StoredTrainConfig.class).toConfig();
        RunState state = JSON.readValue(m.get(STATE_KEY), RunState.class);
        Map<String, float[]> momentum = new LinkedHashMap<>();
        Map<String, TensorData> stored = new LinkedHashMap<>();
        for (var e : loaded.file().tensors().entrySet()) {
            if (e.getKey().startsWith(Sgd.MOMENTUM_PREFIX)) {
                momentum.put(e.getKey().substring(Sgd.MOMENTUM_PREFIX.length()), e.getValue().toFloats());
                stored.put(e.getKey(), e.getValue());
            }
        }
        // The weights were checked as they loaded; momentum is not a weight but diverges with them.
        Map<String, Integer> bad = NonFiniteWeightsException.scan(stored);
        if (!bad.isEmpty()) {
            throw new NonFiniteWeightsException(f + ": " + NonFiniteWeightsException.describe(bad)
                    + ": the run diverged before this checkpoint was written", bad);
        }
        return new Resumed(loaded, cfg, state, momentum);
    }
}
