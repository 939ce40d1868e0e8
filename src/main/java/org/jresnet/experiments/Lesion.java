package org.jresnet.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.jresnet.plot.Charts;
import org.jresnet.data.Dataset;
import org.jresnet.data.Transform;
import org.jresnet.io.ModelFiles;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.nn.Shortcut;
import org.jresnet.train.Evaluation;
import org.jresnet.train.Preprocessing;
import org.jresnet.train.ProgressReporter;

/**
 * Lesion study (Veit, Wilber and Belongie 2016, "Residual networks behave like ensembles of
 * relatively shallow networks"): delete residual blocks of a trained net at test time
 * ({@link ResidualBlock#setDeleted}: the block's output becomes its shortcut's) and measure the
 * test error. First each single block, then k random blocks, several seeded draws for each k.
 * The plain net of the same depth gets the same lesions where it can: only its shape-preserving
 * blocks can be deleted (replaced by the identity). Random draws take non-down-sampling blocks
 * only, the same sets for both nets, so the two curves compare like with like.
 */
public final class Lesion {
    public static final String NAME = "lesion";
    public static final List<String> COLUMNS = List.of("model", "mode", "k", "draw", "deleted", "downsampling",
            "test_err");
    private static final int EVAL_BATCH = 100;

    /** Test error with the blocks at {@code deleted} (indices into {@code net.blocks()}) removed. */
    public static double errorWithDeleted(ResNet net, int[] deleted, Dataset test, int[] indices, Transform t) {
        List<ResidualBlock> blocks = net.blocks();
        try {
            for (int i : deleted) blocks.get(i).setDeleted(true);
            return Evaluation.run(net, test, indices, t, EVAL_BATCH).error();
        } finally {
            for (ResidualBlock b : blocks) b.setDeleted(false);
        }
    }

    /**
     * One net's lesion results; {@code source}: where the trained net came from (a shared run and
     * its epochs, or a weights file).
     */
    public record NetResult(String model, String source, double baseline, List<String> blockNames, boolean[] downsampling,
                            double[] single, double[] randomMean, double[] randomStd, double[][] random) {}

    public record Result(NetResult resnet, NetResult plain, int[][][] draws, int testImages, int classes) {}

    private Lesion() {}

    /** {@code draws[k-1][d]}: the d-th random set of k blocks, drawn from {@code pool} with a seeded generator. */
    public static int[][][] draws(int[] pool, int maxK, int perK, long seed) {
        int[][][] out = new int[maxK][perK][];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int k = 1; k <= maxK; k++) {
            for (int d = 0; d < perK; d++) {
                int[] p = pool.clone();
                for (int i = 0; i < k; i++) {            // partial Fisher-Yates: the first k are the sample
                    int j = i + rng.nextInt(p.length - i);
                    int tmp = p[i];
                    p[i] = p[j];
                    p[j] = tmp;
                }
                int[] s = Arrays.copyOf(p, k);
                Arrays.sort(s);
                out[k - 1][d] = s;
            }
        }
        return out;
    }

    public static Result run(RunStore store, ExperimentOutput out, ProgressReporter progress, int depth, int maxK,
                             int drawsPerK, int testLimit) throws IOException {
        return run(store, out, progress, depth, maxK, drawsPerK, testLimit, null, null);
    }

    /**
     * As {@link #run(RunStore, ExperimentOutput, ProgressReporter, int, int, int, int)}, on the nets
     * in {@code resnetWeights} / {@code plainWeights} where given (any model file jresnet wrote, e.g.
     * a longer training run), else on the shared runs of {@code depth}.
     */
    public static Result run(RunStore store, ExperimentOutput out, ProgressReporter progress, int depth, int maxK,
                             int drawsPerK, int testLimit, Path resnetWeights, Path plainWeights) throws IOException {
        Degradation.checkCifarDepth(depth);
        if (drawsPerK < 1) throw new IllegalArgumentException("--draws must be >= 1, got " + drawsPerK);
        if (testLimit < 0) throw new IllegalArgumentException("--test-images must be >= 0 (0: all), got " + testLimit);
        // the deletable blocks follow from the depth: check --max-k before training anything
        checkMaxK(maxK, pool(Models.createUninitialized(ModelConfig.of(ExperimentNames.resnet(depth)))).length);
        TrainedModel res = resnetWeights != null ? fromFile(resnetWeights, depth, true)
                : store.obtain(ExperimentNames.resnet(depth), null);
        TrainedModel plain = plainWeights != null ? fromFile(plainWeights, depth, false)
                : store.obtain(ExperimentNames.plain(depth), null);
        List<ResidualBlock> blocks = res.net().blocks();
        int[] pool = pool(res.net());
        checkMaxK(maxK, pool.length);
        int[][][] draws = draws(pool, maxK, drawsPerK, store.recipe().seed());
        Dataset test = store.data().test();
        int[] idx = Probe.evenlySpaced(test.size(), testLimit);
        long work = 2L * (1 + (long) maxK * drawsPerK) + blocks.size() + pool.length;
        progress.startTask("lesion", work);
        long[] done = {0};
        NetResult r = lesion(res, draws, test, idx, progress, done, work);
        NetResult p = lesion(plain, draws, test, idx, progress, done, work);
        progress.close();
        Result result = new Result(r, p, draws, idx.length, test.numClasses());
        write(store, out, depth, result);
        return result;
    }

    /** Indices of the blocks a lesion may delete: those that keep the shape (not the down-sampling ones). */
    private static int[] pool(ResNet net) {
        List<ResidualBlock> blocks = net.blocks();
        return blocks.stream().filter(b -> !Probe.downsampling(b)).mapToInt(blocks::indexOf).toArray();
    }

    private static void checkMaxK(int maxK, int blocks) {
        if (maxK < 0 || maxK > blocks) {
            throw new IllegalArgumentException("--max-k must be in 0.." + blocks + " (blocks that keep the shape), got " + maxK);
        }
    }

    /** A model file as a lesion subject: a CIFAR net of {@code depth}, residual or plain as asked. */
    private static TrainedModel fromFile(Path file, int depth, boolean residual) throws IOException {
        ModelFiles.Loaded l = ModelFiles.load(file);
        ModelConfig c = l.model().config;
        boolean isResidual = c.shortcut() != Shortcut.NONE;
        String want = (residual ? "ResNet" : "plain net") + " of depth " + depth;
        if (!c.cifar() || isResidual != residual || ExperimentNames.depth(c) != depth) {
            throw new IllegalArgumentException(file + " holds " + c.name() + ", not the CIFAR " + want + " lesion needs"
                    + " (--depth " + depth + ")");
        }
        String key = file.getFileName().toString();
        return new TrainedModel(key, file.toAbsolutePath().getParent(), l.model(), l.metadata(), List.of());
    }

    private static NetResult lesion(TrainedModel m, int[][][] draws, Dataset test, int[] idx, ProgressReporter progress,
                                    long[] done, long work) {
        ResNet net = m.net();
        Transform t = transform(m, test);
        List<ResidualBlock> blocks = net.blocks();
        var names = Probe.names(net);
        double base = errorWithDeleted(net, new int[0], test, idx, t);
        progress.advance(++done[0], work, m.name() + " intact: " + ExperimentOutput.pct(base));
        int n = blocks.size();
        double[] single = new double[n];
        boolean[] ds = new boolean[n];
        List<String> blockNames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ResidualBlock b = blocks.get(i);
            ds[i] = Probe.downsampling(b);
            blockNames.add(names.get(b));
            boolean deletable = b.residual() || !ds[i];
            single[i] = deletable ? errorWithDeleted(net, new int[] {i}, test, idx, t) : Double.NaN;
            if (deletable) progress.advance(++done[0], work, m.name() + " without " + names.get(b));
        }
        int maxK = draws.length;
        double[] mean = new double[maxK], std = new double[maxK];
        double[][] all = new double[maxK][];
        for (int k = 1; k <= maxK; k++) {
            double[] e = new double[draws[k - 1].length];
            for (int d = 0; d < e.length; d++) {
                e[d] = errorWithDeleted(net, draws[k - 1][d], test, idx, t);
                progress.advance(++done[0], work, m.name() + " without " + k + " random blocks");
            }
            all[k - 1] = e;
            double s = 0, s2 = 0;
            for (double v : e) s += v;
            mean[k - 1] = s / e.length;
            for (double v : e) s2 += (v - mean[k - 1]) * (v - mean[k - 1]);
            std[k - 1] = e.length > 1 ? Math.sqrt(s2 / (e.length - 1)) : 0;
        }
        String source = m.rows().isEmpty() ? "weights " + m.dir().resolve(m.key())
                : m.rows().size() + " epochs, run " + m.key();
        return new NetResult(m.name(), source, base, blockNames, ds, single, mean, std, all);
    }

    private static Transform transform(TrainedModel m, Dataset test) {
        return Preprocessing.evaluation(test, m.metadata().normalization(), m.metadata().inputSize()[1]);
    }

    private static String join(int[] blocks, List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int i : blocks) sb.append(sb.length() == 0 ? "" : " ").append(names.get(i));
        return sb.toString();
    }

    private static void write(RunStore store, ExperimentOutput out, int depth, Result res) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        for (NetResult n : List.of(res.resnet(), res.plain())) {
            rows.add(List.of(n.model(), "none", 0, 0, "", false, n.baseline()));
            for (int i = 0; i < n.single().length; i++) {
                if (!Double.isNaN(n.single()[i])) {
                    rows.add(List.of(n.model(), "single", 1, 0, n.blockNames().get(i), n.downsampling()[i], n.single()[i]));
                }
            }
            for (int k = 1; k <= n.random().length; k++) {
                for (int d = 0; d < n.random()[k - 1].length; d++) {
                    rows.add(List.of(n.model(), "random", k, d + 1, join(res.draws()[k - 1][d], n.blockNames()), false,
                            n.random()[k - 1][d]));
                }
            }
        }
        out.csv(ExperimentOutput.RESULTS, COLUMNS, rows);

        NetResult r = res.resnet(), p = res.plain();
        int n = r.single().length;
        List<Charts.Marker> marks = new ArrayList<>();
        for (int i = 0; i < n; i++) if (r.downsampling()[i]) marks.add(new Charts.Marker(i + 1, "down-sampling"));
        double[] x = Charts.indices(n);
        out.png("lesion-single.png", Charts.lines("Test error after deleting one block, depth " + depth,
                "deleted block (1 = nearest the input)", "test error (%)", false, List.of(
                        new Charts.Line(r.model() + " (one block deleted)", x, times100(r.single()), Charts.RESIDUAL, Charts.BOLD, false, true),
                        new Charts.Line(r.model() + " intact", x, constant(n, 100 * r.baseline()), Charts.RESIDUAL, Charts.THIN, true, false),
                        new Charts.Line(p.model() + " (one block deleted)", x, times100(p.single()), Charts.PLAIN, Charts.BOLD, false, true),
                        new Charts.Line(p.model() + " intact", x, constant(n, 100 * p.baseline()), Charts.PLAIN, Charts.THIN, true, false)),
                marks));
        int maxK = r.randomMean().length;
        if (maxK > 0) {
            double[] ks = new double[maxK + 1];
            for (int k = 0; k <= maxK; k++) ks[k] = k;
            double chance = 100.0 * (res.classes() - 1) / res.classes();
            out.png("lesion-random.png", Charts.bands("Test error after deleting k random blocks (mean ± std over draws)",
                    "blocks deleted (k)", "test error (%)", List.of(
                            new Charts.Band(r.model(), ks, withBase(r.baseline(), r.randomMean()), withBase(0, r.randomStd()), Charts.RESIDUAL),
                            new Charts.Band(p.model(), ks, withBase(p.baseline(), p.randomMean()), withBase(0, p.randomStd()), Charts.PLAIN)),
                    chance, "chance"));
        }
        summary(store, out, depth, res);
    }

    private static double[] times100(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = 100 * v[i];
        return o;
    }

    private static double[] constant(int n, double v) {
        double[] o = new double[n];
        Arrays.fill(o, v);
        return o;
    }

    private static double[] withBase(double base, double[] v) {
        double[] o = new double[v.length + 1];
        o[0] = 100 * base;
        for (int i = 0; i < v.length; i++) o[i + 1] = 100 * v[i];
        return o;
    }

    private static double meanOf(double[] v, boolean[] ds, boolean downsampling) {
        double s = 0;
        int c = 0;
        for (int i = 0; i < v.length; i++) {
            if (ds[i] == downsampling && !Double.isNaN(v[i])) {
                s += v[i];
                c++;
            }
        }
        return c == 0 ? Double.NaN : s / c;
    }

    private static void summary(RunStore store, ExperimentOutput out, int depth, Result res) throws IOException {
        NetResult r = res.resnet(), p = res.plain();
        StringBuilder md = new StringBuilder("# Lesion study (Veit et al. 2016): deleting blocks at test time\n\n");
        md.append(String.format(Locale.ROOT, "Trained %s (%s) and %s (%s), %d test images of `%s`. A deleted"
                        + " residual block passes its shortcut on (F = 0); a deleted plain block is the identity,"
                        + " possible only where it keeps the shape. Down-sampling blocks are marked ↓.%n%n",
                r.model(), r.source(), p.model(), p.source(), res.testImages(), store.recipe().data().getFileName()));
        md.append(String.format(Locale.ROOT, "- intact: %s %s, %s %s%n", r.model(), ExperimentOutput.pct(r.baseline()),
                p.model(), ExperimentOutput.pct(p.baseline())));
        md.append(String.format(Locale.ROOT, "- one block deleted, mean over non-down-sampling blocks: %s %s, %s %s%n",
                r.model(), ExperimentOutput.pct(meanOf(r.single(), r.downsampling(), false)), p.model(),
                ExperimentOutput.pct(meanOf(p.single(), p.downsampling(), false))));
        md.append(String.format(Locale.ROOT, "- one down-sampling block deleted (%s only), mean: %s%n", r.model(),
                ExperimentOutput.pct(meanOf(r.single(), r.downsampling(), true))));
        int maxK = r.randomMean().length;
        if (maxK > 0) {
            md.append(String.format(Locale.ROOT, "- %d random blocks deleted (mean of %d draws): %s %s, %s %s (chance %s)%n",
                    maxK, r.random()[maxK - 1].length, r.model(), ExperimentOutput.pct(r.randomMean()[maxK - 1]), p.model(),
                    ExperimentOutput.pct(p.randomMean()[maxK - 1]),
                    ExperimentOutput.pct((res.classes() - 1) / (double) res.classes())));
        }
        md.append('\n');
        MarkdownTable t = new MarkdownTable("block", "down-sampling", r.model() + " test error", p.model() + " test error");
        for (int i = 0; i < r.single().length; i++) {
            t.row(r.blockNames().get(i), r.downsampling()[i] ? "↓" : "", ExperimentOutput.pct(r.single()[i]),
                    Double.isNaN(p.single()[i]) ? "—" : ExperimentOutput.pct(p.single()[i]));
        }
        md.append(t).append("\n![single blocks](lesion-single.png)\n");
        if (maxK > 0) md.append("\n![random blocks](lesion-random.png)\n");

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", NAME);
        json.put("recipe", store.recipe().describe());
        json.put("depth", depth);
        json.put("test_images", res.testImages());
        for (NetResult n : List.of(r, p)) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("source", n.source());
            o.put("baseline_err", n.baseline());
            Map<String, Object> single = new LinkedHashMap<>();
            for (int i = 0; i < n.single().length; i++) {
                if (!Double.isNaN(n.single()[i])) single.put(n.blockNames().get(i), n.single()[i]);
            }
            o.put("single_block_err", single);
            List<String> ds = new ArrayList<>();
            for (int i = 0; i < n.downsampling().length; i++) if (n.downsampling()[i]) ds.add(n.blockNames().get(i));
            o.put("downsampling_blocks", ds);
            o.put("random_k_mean_err", n.randomMean());
            o.put("random_k_std_err", n.randomStd());
            json.put(n.model(), o);
        }
        out.summary(md.toString(), json);
    }
}
