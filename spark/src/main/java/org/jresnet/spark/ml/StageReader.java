package org.jresnet.spark.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.MLReader;
import scala.Option;

/** Loads what {@link StageWriter} saved: params through MLlib's reader, then the weights file. */
final class StageReader<T extends ResNetStage<T>> extends MLReader<T> {
    private final Class<T> type;
    private final Function<String, T> create;

    StageReader(Class<T> type, Function<String, T> create) {
        this.type = type;
        this.create = create;
    }

    @Override public T load(String path) {
        DefaultParamsReader.Metadata meta = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(), type.getName());
        T stage = create.apply(meta.uid());
        meta.getAndSetParams(stage, Option.empty());
        Path file = new Path(path, StageWriter.WEIGHTS_FILE);
        try {
            FileSystem fs = file.getFileSystem(sc().hadoopConfiguration());
            long len = fs.getFileStatus(file).getLen();
            if (len > Integer.MAX_VALUE - 8) throw new IOException(len + " bytes: too large for one array");
            byte[] b = new byte[(int) len];
            try (FSDataInputStream in = fs.open(file)) {
                in.readFully(b);
            }
            return stage.setWeights(NetworkWeights.fromBytes(b));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
