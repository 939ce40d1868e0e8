package org.jresnet.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jresnet.plot.Charts;

/**
 * Error curves in the style of the paper's Fig. 6: error (%) against iterations, a thin line for
 * training error and a bold line of the same colour for test error, one colour per run.
 */
public final class CurvesPlot {
    /** A named run's per-epoch rows. */
    public record Run(String name, List<EpochMetrics> rows) {}

    /** Runs of at most this many epochs also get a marker per epoch (a one-epoch run is otherwise invisible). */
    private static final int MARKERS_UP_TO_EPOCHS = 15;

    private CurvesPlot() {}

    public static JFreeChart chart(String title, List<Run> runs) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        int s = 0;
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            Color c = Charts.PALETTE[i % Charts.PALETTE.length];
            XYSeries train = new XYSeries(run.name() + " train", false, true);
            XYSeries test = new XYSeries(run.name() + " test", false, true);
            for (EpochMetrics m : run.rows()) {
                if (!Double.isNaN(m.trainErr())) train.add(m.iteration(), 100 * m.trainErr());
                if (!Double.isNaN(m.testErr())) test.add(m.iteration(), 100 * m.testErr());
            }
            boolean markers = run.rows().size() <= MARKERS_UP_TO_EPOCHS;
            r.setSeriesShapesVisible(s, markers);
            r.setSeriesShapesVisible(s + 1, markers);
            data.addSeries(train);
            r.setSeriesPaint(s, c);
            r.setSeriesStroke(s++, new BasicStroke(Charts.THIN));
            data.addSeries(test);
            r.setSeriesPaint(s, c);
            r.setSeriesStroke(s++, new BasicStroke(Charts.BOLD));
        }
        NumberAxis x = new NumberAxis("iterations");
        NumberAxis y = new NumberAxis("error (%)");
        y.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, x, y, r);
        Charts.style(plot);
        JFreeChart chart = new JFreeChart(title + " (thin: train, bold: test)", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
