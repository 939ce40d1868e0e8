package org.jresnet.experiments;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jresnet.plot.Charts;
import org.jresnet.nn.Shortcut;
import org.jresnet.train.CurvesPlot;
import org.jresnet.train.EpochMetrics;

/**
 * The paper's Table 3 in CIFAR form: one ResNet trained with each shortcut option — A (identity,
 * zero-padded down-sampling, no parameters), B (projections where the shape changes), C (projections
 * everywhere) — compared on parameters, training time and error.
 */
public final class ShortcutOptions {
    public static final String NAME = "shortcuts";
    public static final List<String> COLUMNS = List.of("option", "model", "params", "train_seconds", "train_err",
            "test_err", "run");

    public record Row(Shortcut option, String model, long params, double trainSeconds, double trainErr, double testErr,
                      String run) {}

    private ShortcutOptions() {}

    public static List<Row> run(RunStore store, ExperimentOutput out, int depth, List<Shortcut> options) throws IOException {
        Degradation.checkCifarDepth(depth);
        if (options.isEmpty() || options.contains(Shortcut.NONE)) {
            throw new IllegalArgumentException("--options takes shortcut options among A, B, C");
        }
        for (Shortcut s : options) {   // a repeat would train one net twice and plot it under one name
            if (options.indexOf(s) != options.lastIndexOf(s)) throw new IllegalArgumentException("--options repeats " + s);
        }
        List<Row> rows = new ArrayList<>();
        List<CurvesPlot.Run> curves = new ArrayList<>();
        for (Shortcut s : options) {
            TrainedModel m = store.obtain(ExperimentNames.resnet(depth), s);
            EpochMetrics last = m.last();
            rows.add(new Row(s, m.net().config.name(), m.net().parameterCount(), m.trainSeconds(), last.trainErr(),
                    last.testErr(), store.root().getParent().relativize(m.dir()).toString()));
            curves.add(new CurvesPlot.Run("option " + s, m.rows()));
        }
        List<List<Object>> csv = new ArrayList<>();
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        for (Row r : rows) {
            csv.add(List.of(r.option().name(), r.model(), r.params(), r.trainSeconds(), r.trainErr(), r.testErr(), r.run()));
            bars.addValue(100 * r.trainErr(), "train error", "option " + r.option());
            bars.addValue(100 * r.testErr(), "test error", "option " + r.option());
        }
        out.csv(ExperimentOutput.RESULTS, COLUMNS, csv);
        out.png("shortcuts-error.png", Charts.bars("ResNet-" + depth + " with shortcut options A, B, C", "shortcut option",
                "error (%)", bars));
        out.png("shortcuts-curves.png", CurvesPlot.chart("ResNet-" + depth + " by shortcut option", curves));

        StringBuilder md = new StringBuilder("# Shortcut options A, B, C (paper Table 3, CIFAR form)\n\n");
        md.append(String.format(Locale.ROOT, "ResNet-%d, %s on `%s`, one recipe. A: identity shortcuts, zero"
                        + " channels where the width grows (no parameters); B: 1x1 projections + BN where the shape"
                        + " changes; C: projections on every block.%n%n", depth, Degradation.epochs(store.recipe().epochs()),
                store.recipe().data().getFileName()));
        MarkdownTable t = new MarkdownTable("option", "parameters", "training time (s)", "train error", "test error");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", NAME);
        json.put("recipe", store.recipe().describe());
        json.put("depth", depth);
        Map<String, Object> opts = new LinkedHashMap<>();
        for (Row r : rows) {
            t.row(r.option(), String.format(Locale.ROOT, "%,d", r.params()), String.format(Locale.ROOT, "%.0f", r.trainSeconds()),
                    ExperimentOutput.pct(r.trainErr()), ExperimentOutput.pct(r.testErr()));
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("params", r.params());
            o.put("train_seconds", r.trainSeconds());
            o.put("train_err", r.trainErr());
            o.put("test_err", r.testErr());
            o.put("run", r.run());
            opts.put(r.option().name(), o);
        }
        json.put("options", opts);
        md.append(t).append("\nThe paper (ImageNet, ResNet-34, top-1 10-crop error): A 25.03%, B 24.52%, C 24.19%:"
                + " B slightly better than A, C marginally better than B, at many more parameters.\n\n"
                + "![errors](shortcuts-error.png)\n\n![curves](shortcuts-curves.png)\n");
        out.summary(md.toString(), json);
        return rows;
    }
}
