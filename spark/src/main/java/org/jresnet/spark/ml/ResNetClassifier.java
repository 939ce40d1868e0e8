package org.jresnet.spark.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.Attribute$;
import org.apache.spark.ml.attribute.BinaryAttribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jresnet.data.DecodeLimits;
import org.jresnet.models.Models;
import org.jresnet.spark.cluster.BarrierJob;
import org.jresnet.spark.train.ProgressRelay;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.TrainingRun;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * Trains a ResNet classifier on a DataFrame of images and labels: a Spark ML {@code Estimator}
 * whose {@link #fit} returns a {@link ResNetClassificationModel} (with the class names), so it
 * sits in a {@code Pipeline} after a {@code StringIndexer}; saved and loaded as MLlib's own
 * estimators are ({@code DefaultParamsWritable}).
 *
 * <p><b>Input.</b> {@code inputCol}: image file bytes (the binaryFile source's {@code content}) or
 * Spark's image struct, as the transformers take them. {@code labelCol}: MLlib's convention, a
 * numeric column of class indices 0..K−1 (any numeric type, read as double). String labels are not
 * indexed here: put a {@code StringIndexer} before this stage; its labels (the column's ML
 * metadata) become the class names, unless {@code classNames} is set; without either, the names
 * are "0".."K−1" with K = the largest label + 1.
 *
 * <p><b>Training.</b> {@code spark train}'s machinery: one barrier task per worker, each with its
 * own engine and a model replica, gradients averaged by the ring all-reduce after every backward
 * pass, rank 0's BN running statistics copied to every replica, weight checksums compared. The
 * data never passes through the driver: the rows are keyed by (input partition, position) and
 * spread over the workers by that key (a shuffle), and each barrier task decodes only its own
 * shard. Worker r trains on its shard alone: each step takes {@code batchSize / workers} images of
 * a per-worker permutation of it (seeded by {@code seed} and the rank), so each epoch visits every
 * image once. All workers must run the same number of steps, so each keeps the smallest shard's
 * count of images and leaves out its last others (at most a few per input partition; counted in
 * the {@link ResNetTrainingSummary}). Each worker holds its shard in memory: image files encoded
 * (decoded on each use) or, when every image has the same size, decoded as uint8 pixels.
 * Normalisation: the images' per-channel mean and std (every worker's, exactly summed), or, with
 * {@code initWeights}, those the weights were trained with. Learning rate: cosine decay over the
 * run after {@code warmupSteps} linear warm-up steps; SGD with momentum and weight decay.
 *
 * <p><b>No single-machine equivalence.</b> A DataFrame has no global order, so unlike
 * {@code spark train} this makes no claim to equal a run of {@code jresnet train}. It is
 * deterministic for a given DataFrame partitioning (each partition's rows in the same order), seed,
 * number of workers and threads: the same fit gives the same weights bit for bit.
 *
 * <p><b>Run folder.</b> With {@code checkpointDir}, rank 0 writes its checkpoints, metrics and
 * curves there (its "test" columns are the monitor figure of {@link ResNetTrainingSummary}), and a
 * barrier stage that Spark relaunches after a lost executor resumes from the last checkpoint; on a
 * cluster the folder must be one every worker sees. Without it, a temporary folder on rank 0's
 * executor is used and deleted, and a relaunched stage starts again.
 */
public final class ResNetClassifier extends Estimator<ResNetClassificationModel> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol, labelCol, pathCol, predictionCol, rawPredictionCol, probabilityCol,
            predictedLabelCol, architecture, initWeights, checkpointDir, handleInvalid;
    private final IntParam epochs, batchSize, workers, threads, warmupSteps, commTimeout;
    private final DoubleParam lr, weightDecay, momentum;
    private final LongParam seed, maxPixels, maxImageBytes;
    private final StringArrayParam classNames;
    private final BooleanParam verbose;

    public ResNetClassifier() { this(Identifiable$.MODULE$.randomUID("resnetClassifier")); }

    public ResNetClassifier(String uid) {
        this.uid = uid;
        inputCol = new Param<>(uid, "inputCol", "image column: file bytes (the binaryFile source's content) or the image source's struct");
        labelCol = new Param<>(uid, "labelCol", "label column: class indices 0..K-1, numeric (index string labels with StringIndexer)");
        pathCol = new Param<>(uid, "pathCol", "column naming each image's file in errors (absent: the row's position)");
        predictionCol = new Param<>(uid, "predictionCol", "the model's predicted class index column (double)");
        rawPredictionCol = new Param<>(uid, "rawPredictionCol", "the model's logits column (vector)");
        probabilityCol = new Param<>(uid, "probabilityCol", "the model's class probabilities column (vector)");
        predictedLabelCol = new Param<>(uid, "predictedLabelCol", "the model's predicted class name column");
        architecture = new Param<>(uid, "architecture", "network, e.g. resnet20 (CIFAR-style) or resnet50 (ImageNet-style)");
        initWeights = new Param<>(uid, "initWeights", "weights to start from: any file --weights takes, read on the driver (fc re-initialised when its classes differ)");
        checkpointDir = new Param<>(uid, "checkpointDir", "run folder for rank 0's checkpoints, metrics and curves, seen by every worker; a relaunched stage resumes from it");
        handleInvalid = new Param<>(uid, "handleInvalid", "an unreadable image: error (fail naming it) or skip (leave it out); the fitted model takes it on",
                ParamValidators.inArray(new String[] {"error", "skip"}));
        epochs = new IntParam(uid, "epochs", "passes over the data", ParamValidators.gtEq(1));
        batchSize = new IntParam(uid, "batchSize", "global batch: images per step over all workers (a multiple of workers)", ParamValidators.gtEq(1));
        workers = new IntParam(uid, "workers", "barrier tasks, one model replica each (needs as many free task slots)", ParamValidators.gtEq(1));
        threads = new IntParam(uid, "threads", "engine threads of each worker and of the fitted model (0: spark.task.cpus in training)", ParamValidators.gtEq(0));
        warmupSteps = new IntParam(uid, "warmupSteps", "steps of linear learning-rate warm-up before the cosine decay", ParamValidators.gtEq(0));
        commTimeout = new IntParam(uid, "commTimeout", "seconds of silence from a peer before the stage fails", ParamValidators.gtEq(1));
        lr = new DoubleParam(uid, "lr", "base learning rate (SGD)", ParamValidators.gt(0));
        weightDecay = new DoubleParam(uid, "weightDecay", "L2 weight decay", ParamValidators.gtEq(0));
        momentum = new DoubleParam(uid, "momentum", "SGD momentum, in [0, 1)", ParamValidators.inRange(0, 1, true, false));
        seed = new LongParam(uid, "seed", "seed of the initialisation, each worker's image order and the augmentation");
        maxPixels = new LongParam(uid, "maxPixels", "largest image (pixels) decoded", ParamValidators.gtEq(1));
        maxImageBytes = new LongParam(uid, "maxImageBytes", "largest encoded image (bytes) decoded", ParamValidators.gtEq(1));
        classNames = new StringArrayParam(this, "classNames", "class names by label (default: the label column's StringIndexer labels)");
        verbose = new BooleanParam(uid, "verbose", "copy rank 0's progress lines to the driver's stderr");
        setDefault(inputCol, "content");
        setDefault(labelCol, "label");
        setDefault(pathCol, "path");
        setDefault(predictionCol, "prediction");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(probabilityCol, "probability");
        setDefault(predictedLabelCol, "predictedLabel");
        setDefault(architecture, "resnet20");
        setDefault(handleInvalid, "error");
        setDefault(epochs, 10);
        setDefault(batchSize, 128);
        setDefault(workers, 1);
        setDefault(threads, 0);
        setDefault(warmupSteps, 0);
        setDefault(commTimeout, 120);
        setDefault(lr, 0.1);
        setDefault(weightDecay, 1e-4);
        setDefault(momentum, 0.9);
        setDefault(seed, 0L);
        setDefault(maxPixels, DecodeLimits.DEFAULT_MAX_PIXELS);
        setDefault(maxImageBytes, DecodeLimits.DEFAULT_MAX_IMAGE_BYTES);
        setDefault(verbose, false);
    }

    public static MLReader<ResNetClassifier> read() { return new DefaultParamsReader<>(); }

    public static ResNetClassifier load(String path) { return read().load(path); }

    @Override public String uid() { return uid; }

    @Override public ResNetClassifier copy(ParamMap extra) { return defaultCopy(extra); }

    // ---------------------------------------------------------------- params (MLlib's reflection finds these methods)

    public Param<String> inputCol() { return inputCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> pathCol() { return pathCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> rawPredictionCol() { return rawPredictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> predictedLabelCol() { return predictedLabelCol; }
    public Param<String> architecture() { return architecture; }
    public Param<String> initWeights() { return initWeights; }
    public Param<String> checkpointDir() { return checkpointDir; }
    public Param<String> handleInvalid() { return handleInvalid; }
    public IntParam epochs() { return epochs; }
    public IntParam batchSize() { return batchSize; }
    public IntParam workers() { return workers; }
    public IntParam threads() { return threads; }
    public IntParam warmupSteps() { return warmupSteps; }
    public IntParam commTimeout() { return commTimeout; }
    public DoubleParam lr() { return lr; }
    public DoubleParam weightDecay() { return weightDecay; }
    public DoubleParam momentum() { return momentum; }
    public LongParam seed() { return seed; }
    public LongParam maxPixels() { return maxPixels; }
    public LongParam maxImageBytes() { return maxImageBytes; }
    public StringArrayParam classNames() { return classNames; }
    public BooleanParam verbose() { return verbose; }

    public String getInputCol() { return getOrDefault(inputCol); }
    public String getLabelCol() { return getOrDefault(labelCol); }
    public String getPathCol() { return getOrDefault(pathCol); }
    public String getArchitecture() { return getOrDefault(architecture); }
    public String getHandleInvalid() { return getOrDefault(handleInvalid); }
    public int getEpochs() { return (Integer) getOrDefault(epochs); }
    public int getBatchSize() { return (Integer) getOrDefault(batchSize); }
    public int getWorkers() { return (Integer) getOrDefault(workers); }
    public int getThreads() { return (Integer) getOrDefault(threads); }
    public int getWarmupSteps() { return (Integer) getOrDefault(warmupSteps); }
    public int getCommTimeout() { return (Integer) getOrDefault(commTimeout); }
    public double getLr() { return (Double) getOrDefault(lr); }
    public double getWeightDecay() { return (Double) getOrDefault(weightDecay); }
    public double getMomentum() { return (Double) getOrDefault(momentum); }
    public long getSeed() { return (Long) getOrDefault(seed); }
    public boolean getVerbose() { return (Boolean) getOrDefault(verbose); }
    /** The given class names, or null (then they come from the label column). */
    public String[] getClassNames() { return isDefined(classNames) ? getOrDefault(classNames) : null; }
    public String getInitWeights() { return isDefined(initWeights) ? getOrDefault(initWeights) : null; }
    public String getCheckpointDir() { return isDefined(checkpointDir) ? getOrDefault(checkpointDir) : null; }

    public ResNetClassifier setInputCol(String v) { set(inputCol, v); return this; }
    public ResNetClassifier setLabelCol(String v) { set(labelCol, v); return this; }
    public ResNetClassifier setPathCol(String v) { set(pathCol, v); return this; }
    public ResNetClassifier setPredictionCol(String v) { set(predictionCol, v); return this; }
    public ResNetClassifier setRawPredictionCol(String v) { set(rawPredictionCol, v); return this; }
    public ResNetClassifier setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public ResNetClassifier setPredictedLabelCol(String v) { set(predictedLabelCol, v); return this; }
    /** A network name {@code jresnet summary} lists; an unknown one is refused with the valid names. */
    public ResNetClassifier setArchitecture(String v) {
        Models.arch(v);
        set(architecture, v);
        return this;
    }
    public ResNetClassifier setInitWeights(String v) { set(initWeights, v); return this; }
    public ResNetClassifier setCheckpointDir(String v) { set(checkpointDir, v); return this; }
    public ResNetClassifier setHandleInvalid(String v) { set(handleInvalid, v); return this; }
    public ResNetClassifier setEpochs(int v) { set(epochs, v); return this; }
    public ResNetClassifier setBatchSize(int v) { set(batchSize, v); return this; }
    public ResNetClassifier setWorkers(int v) { set(workers, v); return this; }
    public ResNetClassifier setThreads(int v) { set(threads, v); return this; }
    public ResNetClassifier setWarmupSteps(int v) { set(warmupSteps, v); return this; }
    public ResNetClassifier setCommTimeout(int v) { set(commTimeout, v); return this; }
    public ResNetClassifier setLr(double v) { set(lr, v); return this; }
    public ResNetClassifier setWeightDecay(double v) { set(weightDecay, v); return this; }
    public ResNetClassifier setMomentum(double v) { set(momentum, v); return this; }
    public ResNetClassifier setSeed(long v) { set(seed, v); return this; }
    public ResNetClassifier setMaxPixels(long v) { set(maxPixels, v); return this; }
    public ResNetClassifier setMaxImageBytes(long v) { set(maxImageBytes, v); return this; }
    public ResNetClassifier setClassNames(String[] v) { set(classNames, v); return this; }
    public ResNetClassifier setVerbose(boolean v) { set(verbose, v); return this; }

    // ---------------------------------------------------------------- schema

    /** The fitted model's output schema; refuses a missing or mistyped image or label column. */
    @Override public StructType transformSchema(StructType schema) {
        ImageColumn.of(schema, getInputCol());
        labelType(schema);
        return modelShell().transformSchema(schema);
    }

    private void labelType(StructType schema) {
        String name = getLabelCol();
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("no label column '" + name + "'; the columns are " + String.join(", ", schema.fieldNames()));
        }
        DataType t = schema.apply(name).dataType();
        if (t.equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("label column '" + name + "' holds strings: index them with a StringIndexer"
                    + " first (its labels become the class names)");
        }
        if (!(t instanceof NumericType)) {
            throw new IllegalArgumentException("label column '" + name + "' is " + t.simpleString()
                    + ": expected class indices 0..K-1 (numeric)");
        }
    }

    /** A model (without weights yet) carrying this estimator's column and inference params. */
    private ResNetClassificationModel modelShell() {
        ResNetClassificationModel m = new ResNetClassificationModel(uid);
        m.setInputCol(getInputCol()).setPathCol(getPathCol()).setHandleInvalid(getHandleInvalid())
                .setThreads(getThreads()).setMaxPixels((Long) getOrDefault(maxPixels))
                .setMaxImageBytes((Long) getOrDefault(maxImageBytes));
        m.setPredictionCol(getOrDefault(predictionCol)).setRawPredictionCol(getOrDefault(rawPredictionCol))
                .setProbabilityCol(getOrDefault(probabilityCol)).setPredictedLabelCol(getOrDefault(predictedLabelCol));
        return m;
    }

    // ---------------------------------------------------------------- fit

    @Override public ResNetClassificationModel fit(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        transformSchema(schema);   // columns checked before any job
        String arch = getArchitecture();
        Models.arch(arch);
        int n = getWorkers(), batch = getBatchSize();
        if (batch % n != 0) {
            throw new IllegalArgumentException("batchSize " + batch + " does not split into " + n
                    + " equal worker batches (workers " + n + "): make it a multiple of " + n);
        }
        List<String> classes = classes(dataset, schema);
        NetworkWeights init = initWeights(arch);
        String dir = getCheckpointDir();
        if (dir != null) {
            Path run = Path.of(dir).toAbsolutePath();
            if (Files.exists(run.resolve("checkpoint.safetensors"))) {
                throw new IllegalArgumentException("checkpointDir " + run + " already holds a run: choose another folder");
            }
            try {
                TrainingRun.checkNewRunFolder(run);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            dir = run.toString();
        }
        ImageColumn kind = ImageColumn.of(schema, getInputCol());
        List<String> names = Arrays.asList(schema.fieldNames());
        Column path = names.contains(getPathCol()) && schema.apply(getPathCol()).dataType().equals(DataTypes.StringType)
                ? col(getPathCol()) : lit(null).cast(DataTypes.StringType);
        Dataset<Row> rows = dataset.toDF().select(col(getInputCol()), col(getLabelCol()).cast(DataTypes.DoubleType), path);
        JavaPairRDD<Long, Row> shards = JavaPairRDD.fromJavaRDD(rows.javaRDD().mapPartitionsWithIndex(new KeyRows(), true))
                .partitionBy(new ByKey(n));

        ShardTraining.Settings settings = new ShardTraining.Settings(arch, classes, getEpochs(), batch, getLr(),
                getWeightDecay(), getMomentum(), getWarmupSteps(), getSeed(), getThreads(), dir,
                getHandleInvalid().equals("skip"), (Long) getOrDefault(maxPixels), (Long) getOrDefault(maxImageBytes), kind);
        SparkContext sc = dataset.sparkSession().sparkContext();
        Broadcast<NetworkWeights> initB = init == null ? null : sc.broadcast(init, ClassTag$.MODULE$.apply(NetworkWeights.class));
        List<String> results;
        try (ProgressRelay relay = ProgressRelay.open(sc.conf().get("spark.driver.host", "127.0.0.1"), getVerbose())) {
            boolean bar = ProgressReporter.auto() == ProgressReporter.Mode.BAR;
            results = BarrierJob.run(shards.rdd(), n, Duration.ofSeconds(getCommTimeout()),
                    new ShardTraining(settings, initB, relay.host(), relay.port(), bar));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the workers' progress: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } finally {
            if (initB != null) initB.destroy();
        }
        if (results.stream().anyMatch(r -> r.startsWith(ShardTraining.ERROR))) {
            // the lowest rank that found the error says what it is
            String why = results.stream().filter(r -> r.length() > ShardTraining.ERROR.length() && r.startsWith(ShardTraining.ERROR))
                    .map(r -> r.substring(ShardTraining.ERROR.length())).findFirst().orElse("a worker could not read its images");
            throw new IllegalArgumentException(why);
        }
        return model(results.get(0));
    }

    /** The fitted model from rank 0's result: counts, one line per epoch, then the weights in base64. */
    private ResNetClassificationModel model(String result) {
        String[] lines = result.split("\n");
        String[] head = lines[0].trim().split(" ");
        int epochsRun = lines.length - 2;
        double[] loss = new double[epochsRun], err = new double[epochsRun], monitor = new double[epochsRun];
        for (int e = 0; e < epochsRun; e++) {
            String[] f = lines[1 + e].split(" ");
            loss[e] = Double.parseDouble(f[0]);
            err[e] = Double.parseDouble(f[1]);
            monitor[e] = Double.parseDouble(f[2]);
        }
        ResNetTrainingSummary summary = new ResNetTrainingSummary(Integer.parseInt(head[0]), Integer.parseInt(head[1]),
                Long.parseLong(head[2]), Long.parseLong(head[3]), loss, err, monitor);
        NetworkWeights w = NetworkWeights.fromBytes(Base64.getDecoder().decode(lines[lines.length - 1]));
        ResNetClassificationModel m = modelShell().setWeights(w).setSummary(summary);
        m.setParent(this);
        return m;
    }

    /** The class names: given, else the label column's ML metadata (StringIndexer's labels), else "0".."K-1". */
    private List<String> classes(Dataset<?> dataset, StructType schema) {
        String[] given = getClassNames();
        List<String> names;
        if (given != null) {
            names = List.of(given);
        } else {
            names = metadataLabels(schema.apply(getLabelCol()));
            if (names == null) {
                Row max = dataset.toDF().agg(functions.max(col(getLabelCol()).cast(DataTypes.DoubleType))).first();
                if (max.isNullAt(0)) throw new IllegalArgumentException("no labelled rows to train on");
                double top = max.getDouble(0);
                if (!(top >= 0 && top == Math.rint(top) && top < Integer.MAX_VALUE)) {
                    throw new IllegalArgumentException("label column '" + getLabelCol() + "' holds " + top
                            + ": labels are class indices 0..K-1");
                }
                names = new ArrayList<>();
                for (int i = 0; i <= (int) top; i++) names.add(Integer.toString(i));
            }
        }
        if (names.size() < 2) {
            // One class is always right: such a model would report 100% and have learned nothing.
            throw new IllegalArgumentException(names.size() + " class " + names + ": training a classifier needs at least two");
        }
        return List.copyOf(names);
    }

    private static List<String> metadataLabels(StructField f) {
        Attribute a = Attribute$.MODULE$.fromStructField(f);
        scala.Option<String[]> values = a instanceof NominalAttribute na ? na.values()
                : a instanceof BinaryAttribute ba ? ba.values() : scala.Option.empty();
        return values.isDefined() ? List.of(values.get()) : null;
    }

    /** The initial weights, read on the driver (so the workers need no access to the file). */
    private NetworkWeights initWeights(String arch) {
        String file = getInitWeights();
        if (file == null) return null;
        NetworkWeights w;
        try {
            w = NetworkWeights.load(Path.of(file));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read initWeights " + file + ": " + e.getMessage(), e);
        }
        String model = w.metadata().model();
        if (!model.equals(arch)) {
            throw new IllegalArgumentException("initWeights " + file + " hold a " + model + ", not the architecture " + arch);
        }
        return w;
    }

    /** Each row keyed by (input partition, position in it): the order the workers restore after the shuffle. */
    private static final class KeyRows implements Function2<Integer, Iterator<Row>, Iterator<Tuple2<Long, Row>>> {
        private static final long serialVersionUID = 1L;

        @Override public Iterator<Tuple2<Long, Row>> call(Integer partition, Iterator<Row> rows) {
            long base = (long) partition << 32;
            return new Iterator<>() {
                private long position;

                @Override public boolean hasNext() { return rows.hasNext(); }

                @Override public Tuple2<Long, Row> next() { return new Tuple2<>(base | position++, rows.next()); }
            };
        }
    }

    /** Worker (p + i) mod N takes row i of input partition p: each partition dealt round, every worker a near-equal share. */
    private static final class ByKey extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int workers;

        ByKey(int workers) { this.workers = workers; }

        @Override public int numPartitions() { return workers; }

        @Override public int getPartition(Object key) {
            long k = (Long) key;
            return (int) (((k >>> 32) + (k & 0xFFFFFFFFL)) % workers);
        }

        @Override public boolean equals(Object o) { return o instanceof ByKey b && b.workers == workers; }

        @Override public int hashCode() { return workers; }
    }
}
