package org.jresnet.spark.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLWriter;

/**
 * Saves a stage as MLlib saves its own: {@code metadata/} (class, uid, params, as JSON) through
 * MLlib's writer, and beside it the weights as the core's safetensors file, on any Hadoop file
 * system. MLWriter refuses an existing directory unless {@code overwrite()} was asked.
 */
final class StageWriter extends MLWriter {
    static final String WEIGHTS_FILE = "weights.safetensors";

    private final ResNetStage<?> stage;

    StageWriter(ResNetStage<?> stage) { this.stage = stage; }

    @Override public void saveImpl(String path) {
        DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, sparkSession());
        Path file = new Path(path, WEIGHTS_FILE);
        try {
            FileSystem fs = file.getFileSystem(sc().hadoopConfiguration());
            try (FSDataOutputStream out = fs.create(file, false)) {
                out.write(stage.weights().bytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
