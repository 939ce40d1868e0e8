package org.jresnet.spark.ml;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.jresnet.api.Network;
import org.jresnet.data.BadImageException;
import org.jresnet.data.DataException;
import org.jresnet.data.DecodeLimits;
import org.jresnet.data.ResizeCenterCrop;
import org.jresnet.data.RgbImage;
import org.jresnet.data.Transforms;
import org.jresnet.io.ModelMetadata;
import org.jresnet.train.Preprocessing;

/**
 * The work of one partition: rows are read a batch at a time (never the whole partition), their
 * images decoded and preprocessed as {@code bin/jresnet predict} does (resize, centre crop,
 * normalisation from the model's metadata), the readable ones run through the executor's network
 * in one forward pass, and each row comes out with the head's columns appended.
 */
final class PartitionInference implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<NetworkWeights> weights;
    private final String weightsKey;
    private final ImageColumn kind;
    private final int inputIndex, pathIndex, batch, threads;
    private final long maxPixels, maxImageBytes; // DecodeLimits is not Serializable
    private final InvalidImages invalid;
    private final OutputHead head;

    PartitionInference(Broadcast<NetworkWeights> weights, String weightsKey, ImageColumn kind, int inputIndex,
                       int pathIndex, int batch, int threads, DecodeLimits limits, InvalidImages invalid, OutputHead head) {
        this.weights = weights;
        this.weightsKey = weightsKey;
        this.kind = kind;
        this.inputIndex = inputIndex;
        this.pathIndex = pathIndex;
        this.batch = batch;
        this.threads = threads;
        this.maxPixels = limits.maxPixels();
        this.maxImageBytes = limits.maxImageBytes();
        this.invalid = invalid;
        this.head = head;
    }

    @Override public Iterator<Row> call(Iterator<Row> rows) {
        Network net = ExecutorNetworks.get(weights, weightsKey, threads);
        ModelMetadata meta = net.metadata();
        int size = meta.inputSize()[1];
        ResizeCenterCrop prep = Preprocessing.resizeCrop(meta.normalization(), size);
        int outputs = head.fields().size();
        DecodeLimits limits = new DecodeLimits(maxPixels, maxImageBytes);
        ArrayDeque<Row> ready = new ArrayDeque<>();
        return new Iterator<>() {
            private long seen;

            @Override public boolean hasNext() {
                while (ready.isEmpty() && rows.hasNext()) nextBatch();
                return !ready.isEmpty();
            }

            @Override public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.poll();
            }

            private void nextBatch() {
                Row[] in = new Row[batch];
                String[] errors = new String[batch];
                int[] slot = new int[batch];
                int n = 0, good = 0;
                float[] x = new float[batch * size * size * 3];
                while (n < batch && rows.hasNext()) {
                    Row r = rows.next();
                    in[n] = r;
                    String source = source(r, seen++);
                    try {
                        RgbImage img = kind.decode(r.get(inputIndex), source, limits);
                        Transforms.applyToImage(prep, img, x, good * size * size * 3);
                        slot[n] = good++;
                    } catch (DataException e) {
                        String reason = e instanceof BadImageException b ? b.reason() : e.getMessage();
                        if (invalid == InvalidImages.ERROR) {
                            throw new DataException("cannot read image " + source + ": " + reason
                                    + " (handleInvalid=error; \"keep\" gives a null result and the reason instead)");
                        }
                        errors[n] = reason;
                        slot[n] = -1;
                    }
                    n++;
                }
                Object[][] out = good == 0 ? new Object[0][] : head.compute(net, Arrays.copyOf(x, good * size * size * 3), good, size);
                for (int i = 0; i < n; i++) {
                    if (slot[i] < 0 && invalid == InvalidImages.SKIP) continue;
                    Row r = in[i];
                    int w = r.size();
                    boolean keepErrors = invalid == InvalidImages.KEEP;
                    Object[] v = new Object[w + outputs + (keepErrors ? 1 : 0)];
                    for (int j = 0; j < w; j++) v[j] = r.get(j);
                    if (slot[i] >= 0) System.arraycopy(out[slot[i]], 0, v, w, outputs);
                    if (keepErrors) v[w + outputs] = errors[i];
                    ready.add(RowFactory.create(v));
                }
            }
        };
    }

    /** The file's path when the rows carry one, else the image struct's origin, else the row's position. */
    private String source(Row r, long position) {
        if (pathIndex >= 0 && !r.isNullAt(pathIndex)) return r.getString(pathIndex);
        if (kind == ImageColumn.SPARK_IMAGE && !r.isNullAt(inputIndex)) {
            Row img = r.getStruct(inputIndex);
            String origin = img.getString(img.fieldIndex("origin"));
            if (origin != null) return origin;
        }
        return "row " + position + " of its partition";
    }
}
