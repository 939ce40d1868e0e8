package org.jresnet.train;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jresnet.plot.Charts;

/** The confusion matrix as a heat map: share of each true class (row) predicted as each class. */
public final class ConfusionPlot {
    private static final int SHADES = 20;

    private ConfusionPlot() {}

    public static void writePng(Path file, Evaluation e) throws IOException {
        int k = e.classes().size();
        double[] xs = new double[k * k], ys = new double[k * k], zs = new double[k * k];
        for (int r = 0; r < k; r++) {
            long total = 0;
            for (long v : e.confusion()[r]) total += v;
            for (int c = 0; c < k; c++) {
                int i = r * k + c;
                xs[i] = c;
                ys[i] = r;
                zs[i] = total == 0 ? 0 : (double) e.confusion()[r][c] / total;
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("share", new double[][] {xs, ys, zs});
        String[] names = e.classes().toArray(new String[0]);
        NumberAxis x = new SymbolAxis("predicted class", names);
        SymbolAxis y = new SymbolAxis("true class", names);
        y.setInverted(true);
        XYBlockRenderer r = new XYBlockRenderer();
        LookupPaintScale scale = new LookupPaintScale(0, 1.0001, Color.WHITE);
        for (int s = 0; s < SHADES; s++) {
            float v = 1f - (float) s / SHADES;
            scale.add((double) s / SHADES, new Color(v * 0.85f + 0.15f * v, v * 0.9f + 0.1f, 1f));
        }
        r.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        JFreeChart chart = new JFreeChart(String.format(java.util.Locale.ROOT, "Confusion matrix (top-1 %.2f%%, %d images)",
                100 * e.top1(), e.n()), JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        NumberAxis legendAxis = new NumberAxis("share of the true class");
        legendAxis.setRange(0, 1);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        int size = Math.max(600, Math.min(2000, 60 * k + 200));
        Charts.writePng(file, chart, size + 120, size);
    }
}
