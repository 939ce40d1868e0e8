package org.jresnet.spark.ml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jresnet.data.DecodeLimits;
import scala.reflect.ClassTag$;

/**
 * What the classifier and the featurizer share: a network's weights (broadcast once per
 * SparkContext, one network with its own engine per executor), the image input column, batching
 * inside each partition, bad-image handling and saving. Subclasses say which columns come out.
 */
public abstract class ResNetStage<T extends ResNetStage<T>> extends Model<T> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    NetworkWeights weights;
    private transient Broadcast<NetworkWeights> broadcast;
    private transient SparkContext broadcastContext;

    private final Param<String> inputCol, pathCol, handleInvalid, errorCol;
    private final IntParam batchSize, threads;
    private final LongParam maxPixels, maxImageBytes;

    protected ResNetStage(String uid) {
        this.uid = uid;
        inputCol = new Param<>(uid, "inputCol", "image column: file bytes (the binaryFile source's content) or the image source's struct");
        pathCol = new Param<>(uid, "pathCol", "column naming each image's file in errors (absent: the image struct's origin)");
        handleInvalid = new Param<>(uid, "handleInvalid", "an unreadable image: keep (null results, reason in errorCol), error (fail naming the file) or skip (drop the row)",
                ParamValidators.inArray(InvalidImages.NAMES));
        errorCol = new Param<>(uid, "errorCol", "column of the reason an image could not be read (handleInvalid=keep)");
        batchSize = new IntParam(uid, "batchSize", "images per forward pass inside a partition", ParamValidators.gtEq(1));
        threads = new IntParam(uid, "threads", "engine threads of each executor's network (0: spark.executor.cores)", ParamValidators.gtEq(0));
        maxPixels = new LongParam(uid, "maxPixels", "largest image (pixels) decoded", ParamValidators.gtEq(1));
        maxImageBytes = new LongParam(uid, "maxImageBytes", "largest encoded image (bytes) decoded", ParamValidators.gtEq(1));
        setDefault(inputCol, "content");
        setDefault(pathCol, "path");
        setDefault(handleInvalid, "keep");
        setDefault(errorCol, "error");
        setDefault(batchSize, 64);
        setDefault(threads, 0);
        setDefault(maxPixels, DecodeLimits.DEFAULT_MAX_PIXELS);
        setDefault(maxImageBytes, DecodeLimits.DEFAULT_MAX_IMAGE_BYTES);
    }

    @Override public String uid() { return uid; }

    @SuppressWarnings("unchecked")
    private T self() { return (T) this; }

    /** Sets the weights (the model's metadata gives classes, input size and normalisation); returns this. */
    public T setWeights(NetworkWeights w) {
        weights = w;
        broadcast = null;
        return self();
    }

    public NetworkWeights weights() {
        if (weights == null) throw new IllegalStateException(uid + " has no weights: set them with setWeights or fromWeights");
        return weights;
    }

    // ---------------------------------------------------------------- params (MLlib's reflection finds these methods)

    public Param<String> inputCol() { return inputCol; }
    public Param<String> pathCol() { return pathCol; }
    public Param<String> handleInvalid() { return handleInvalid; }
    public Param<String> errorCol() { return errorCol; }
    public IntParam batchSize() { return batchSize; }
    public IntParam threads() { return threads; }
    public LongParam maxPixels() { return maxPixels; }
    public LongParam maxImageBytes() { return maxImageBytes; }

    public String getInputCol() { return getOrDefault(inputCol); }
    public String getPathCol() { return getOrDefault(pathCol); }
    public String getHandleInvalid() { return getOrDefault(handleInvalid); }
    public String getErrorCol() { return getOrDefault(errorCol); }
    public int getBatchSize() { return (Integer) getOrDefault(batchSize); }
    public int getThreads() { return (Integer) getOrDefault(threads); }

    public T setInputCol(String v) { set(inputCol, v); return self(); }
    public T setPathCol(String v) { set(pathCol, v); return self(); }
    public T setHandleInvalid(String v) { set(handleInvalid, v); return self(); }
    public T setErrorCol(String v) { set(errorCol, v); return self(); }
    public T setBatchSize(int v) { set(batchSize, v); return self(); }
    public T setThreads(int v) { set(threads, v); return self(); }
    public T setMaxPixels(long v) { set(maxPixels, v); return self(); }
    public T setMaxImageBytes(long v) { set(maxImageBytes, v); return self(); }

    DecodeLimits limits() {
        return new DecodeLimits((Long) getOrDefault(maxPixels), (Long) getOrDefault(maxImageBytes));
    }

    // ---------------------------------------------------------------- transform

    /** The head computing this stage's columns, with the column names set now. */
    abstract OutputHead head();

    @Override public StructType transformSchema(StructType schema) {
        ImageColumn.of(schema, getInputCol());
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        List<StructField> added = new ArrayList<>(head().fields());
        if (InvalidImages.parse(getHandleInvalid()) == InvalidImages.KEEP) {
            added.add(DataTypes.createStructField(getErrorCol(), DataTypes.StringType, true));
        }
        List<String> names = Arrays.asList(schema.fieldNames());
        for (StructField f : added) {
            if (names.contains(f.name())) throw new IllegalArgumentException("output column '" + f.name() + "' already exists");
        }
        fields.addAll(added);
        return DataTypes.createStructType(fields);
    }

    @Override public Dataset<Row> transform(Dataset<?> dataset) {
        StructType in = dataset.schema();
        StructType out = transformSchema(in);
        ImageColumn kind = ImageColumn.of(in, getInputCol());
        List<String> names = Arrays.asList(in.fieldNames());
        int pathIndex = names.contains(getPathCol()) && in.apply(getPathCol()).dataType().equals(DataTypes.StringType)
                ? names.indexOf(getPathCol()) : -1;
        PartitionInference work = new PartitionInference(broadcast(dataset.sparkSession().sparkContext()), weights().key(), kind,
                names.indexOf(getInputCol()), pathIndex, getBatchSize(), getThreads(), limits(),
                InvalidImages.parse(getHandleInvalid()), head());
        return dataset.toDF().mapPartitions(work, Encoders.row(out));
    }

    /** The weights as a broadcast variable: sent once per SparkContext, not with every task. */
    private synchronized Broadcast<NetworkWeights> broadcast(SparkContext sc) {
        if (broadcast == null || broadcastContext != sc) {
            broadcast = sc.broadcast(weights(), ClassTag$.MODULE$.apply(NetworkWeights.class));
            broadcastContext = sc;
        }
        return broadcast;
    }

    // ---------------------------------------------------------------- copy and save

    @Override public T copy(ParamMap extra) {
        T c = defaultCopy(extra);
        c.weights = weights;
        return c.setParent(parent());
    }

    @Override public MLWriter write() { return new StageWriter(this); }
}
