package org.jresnet.experiments;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jresnet.models.Models;
import org.jresnet.train.CurvesPlot;
import org.jresnet.train.EpochMetrics;

/**
 * The degradation problem (paper Fig. 1 and Fig. 6): plain and residual nets of several depths,
 * trained with one recipe. A deeper plain net ends with a higher <em>training</em> error than a
 * shallower one; the deeper ResNet ends lower.
 */
public final class Degradation {
    public static final String NAME = "degradation";
    public static final List<String> COLUMNS = List.of("model", "kind", "depth", "epoch", "iteration", "train_loss",
            "train_err", "test_loss", "test_err", "lr", "elapsed_s");

    /** One trained model's final numbers. */
    public record ModelResult(String model, String kind, int depth, long params, double trainErr, double testErr,
                              double trainSeconds, String run) {}

    public record Result(List<ModelResult> models, boolean deeperPlainHigherTrainErr, boolean deeperResnetLowerErr,
                         boolean deeperResnetLowerTrainErr) {}

    private Degradation() {}

    /** CIFAR depths 6n+2 that the model registry has, in increasing order, at least two. */
    public static int[] checkDepths(int[] depths) {
        if (depths.length < 2) throw new IllegalArgumentException("--depths needs at least two depths, e.g. 20,56");
        return distinctDepths(depths);
    }

    /**
     * {@code depths} sorted, each a CIFAR ResNet depth, none twice (a repeat would train and plot one
     * net twice under one name), at least one; checked before any training or output.
     */
    static int[] distinctDepths(int[] depths) {
        if (depths.length == 0) throw new IllegalArgumentException("--depths needs at least one depth, e.g. 20");
        int[] d = depths.clone();
        java.util.Arrays.sort(d);
        for (int i = 0; i < d.length; i++) {
            if (i > 0 && d[i] == d[i - 1]) throw new IllegalArgumentException("--depths repeats " + d[i]);
            checkCifarDepth(d[i]);
        }
        return d;
    }

    static void checkCifarDepth(int depth) {
        String n = ExperimentNames.resnet(depth);
        boolean ok;
        try {
            ok = Models.arch(n).cifar();
        } catch (IllegalArgumentException e) {
            ok = false;
        }
        if (!ok) throw new IllegalArgumentException("depth " + depth + " has no CIFAR ResNet; the depths are " + cifarDepths());
    }

    /** The registry's CIFAR ResNet depths, "20, 32, ..., 1202" (not every 6n+2 is one: 8 and 14 are not). */
    static String cifarDepths() {
        java.util.StringJoiner j = new java.util.StringJoiner(", ");
        Models.names().stream().filter(n -> n.matches("resnet[0-9]+") && Models.arch(n).cifar())
                .mapToInt(n -> Integer.parseInt(n.substring("resnet".length()))).sorted().forEach(d -> j.add(Integer.toString(d)));
        return j.toString();
    }

    public static Result run(RunStore store, ExperimentOutput out, int[] depths) throws IOException {
        int[] d = checkDepths(depths);
        Map<String, TrainedModel> plain = new LinkedHashMap<>(), res = new LinkedHashMap<>();
        for (int depth : d) {
            plain.put("plain-" + depth, store.obtain(ExperimentNames.plain(depth), null));
            res.put("ResNet-" + depth, store.obtain(ExperimentNames.resnet(depth), null));
        }
        List<List<Object>> rows = new ArrayList<>();
        List<ModelResult> models = new ArrayList<>();
        for (var group : List.of(plain, res)) {
            int i = 0;
            for (TrainedModel m : group.values()) {
                int depth = d[i++];
                String kind = m.net().config.shortcut() == org.jresnet.nn.Shortcut.NONE ? "plain" : "resnet";
                for (EpochMetrics e : m.rows()) {
                    rows.add(List.of(m.name(), kind, depth, e.epoch(), e.iteration(), e.trainLoss(), e.trainErr(),
                            e.testLoss(), e.testErr(), e.lr(), e.elapsedS()));
                }
                models.add(new ModelResult(m.name(), kind, depth, m.net().parameterCount(), m.last().trainErr(),
                        m.last().testErr(), m.trainSeconds(), store.root().getParent().relativize(m.dir()).toString()));
            }
        }
        out.csv(ExperimentOutput.RESULTS, COLUMNS, rows);
        out.png("degradation-plain.png", CurvesPlot.chart("Plain networks on " + stem(store), curves(plain)));
        out.png("degradation-resnet.png", CurvesPlot.chart("ResNets on " + stem(store), curves(res)));

        List<ModelResult> p = models.subList(0, d.length), r = models.subList(d.length, models.size());
        ModelResult p0 = p.get(0), pN = p.get(p.size() - 1), r0 = r.get(0), rN = r.get(r.size() - 1);
        Result result = new Result(models, pN.trainErr() > p0.trainErr(), rN.testErr() < r0.testErr(),
                rN.trainErr() < r0.trainErr());
        writeSummary(store, out, result, p0, pN, r0, rN);
        return result;
    }

    private static List<CurvesPlot.Run> curves(Map<String, TrainedModel> group) {
        List<CurvesPlot.Run> runs = new ArrayList<>();
        for (var e : group.entrySet()) runs.add(new CurvesPlot.Run(e.getKey(), e.getValue().rows()));
        return runs;
    }

    private static String stem(RunStore store) { return store.recipe().data().getFileName().toString(); }

    private static void writeSummary(RunStore store, ExperimentOutput out, Result res, ModelResult p0, ModelResult pN,
                                     ModelResult r0, ModelResult rN) throws IOException {
        Recipe rc = store.recipe();
        StringBuilder md = new StringBuilder("# Degradation: plain vs residual nets (paper Fig. 1 and Fig. 6)\n\n");
        md.append(String.format(Locale.ROOT, "Data `%s`, %s, batch %d, lr %s, cosine schedule, seed %d; the"
                + " same recipe for every model. Errors are fractions of images misclassified: training error is the"
                + " running error of the last epoch (augmented images, as the paper plots it), test error is after"
                + " the last epoch.%n%n", rc.data().getFileName(), epochs(rc.epochs()), rc.batch(), fmt(rc.lr()), rc.seed()));
        MarkdownTable t = new MarkdownTable("model", "depth", "parameters", "train error", "test error",
                "training time (s)");
        for (ModelResult m : res.models()) {
            t.row(m.model(), m.depth(), String.format(Locale.ROOT, "%,d", m.params()), ExperimentOutput.pct(m.trainErr()),
                    ExperimentOutput.pct(m.testErr()), String.format(Locale.ROOT, "%.0f", m.trainSeconds()));
        }
        md.append(t).append('\n');
        md.append(String.format(Locale.ROOT, "- Degradation (deeper plain net has the higher **training** error): **%s**"
                        + " — %s %s vs %s %s.%n", yes(res.deeperPlainHigherTrainErr()), pN.model(),
                ExperimentOutput.pct(pN.trainErr()), p0.model(), ExperimentOutput.pct(p0.trainErr())));
        md.append(String.format(Locale.ROOT, "- Deeper ResNet has the lower test error: **%s** — %s %s vs %s %s"
                        + " (training error %s vs %s).%n%n", yes(res.deeperResnetLowerErr()), rN.model(),
                ExperimentOutput.pct(rN.testErr()), r0.model(), ExperimentOutput.pct(r0.testErr()),
                ExperimentOutput.pct(rN.trainErr()), ExperimentOutput.pct(r0.trainErr())));
        md.append("![plain nets](degradation-plain.png)\n\n![ResNets](degradation-resnet.png)\n\n"
                + "Thin lines: training error, bold lines: test error (paper's Fig. 6 style).\n");

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", NAME);
        json.put("recipe", rc.describe());
        Map<String, Object> models = new LinkedHashMap<>();
        for (ModelResult m : res.models()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("kind", m.kind());
            o.put("depth", m.depth());
            o.put("params", m.params());
            o.put("train_err", m.trainErr());
            o.put("test_err", m.testErr());
            o.put("train_seconds", m.trainSeconds());
            o.put("run", m.run());
            models.put(m.model(), o);
        }
        json.put("models", models);
        json.put("deeper_plain_higher_train_err", res.deeperPlainHigherTrainErr());
        json.put("deeper_resnet_lower_err", res.deeperResnetLowerErr());
        json.put("deeper_resnet_lower_train_err", res.deeperResnetLowerTrainErr());
        out.summary(md.toString(), json);
    }

    static String epochs(int n) { return n == 1 ? "1 epoch" : n + " epochs"; }

    static String yes(boolean b) { return b ? "yes" : "no"; }

    static String fmt(double v) { return String.format(Locale.ROOT, "%.4g", v); }
}
