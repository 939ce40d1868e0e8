package org.jresnet.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jresnet.io.AtomicFiles;

/**
 * Every plot jresnet draws has one look: white background, grey grid, one palette, the paper's
 * convention of thin lines for training / initial quantities and bold ones for test / trained ones.
 * Here are that look, the chart kinds the experiments draw, and the atomic PNG writer; the
 * training curves and the confusion matrix ({@code train/}) are built on them.
 */
public final class Charts {
    public static final Color RESIDUAL = new Color(0x1f77b4);
    public static final Color PLAIN = new Color(0xd62728);
    public static final Color[] PALETTE = {
        new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};
    public static final float THIN = 1.2f;
    public static final float BOLD = 3.0f;
    private static final float[] DASH = {7f, 5f};
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    private static final double POINT = 6;

    /** One line: points (x, y), its colour, width (0: no line), dashed or solid, with point markers or not. */
    public record Line(String name, double[] x, double[] y, Color color, float width, boolean dashed, boolean points) {
        public Line {
            if (x.length != y.length) throw new IllegalArgumentException(name + ": " + x.length + " x vs " + y.length + " y");
        }
    }

    /** A vertical marker at x (e.g. a down-sampling block). */
    public record Marker(double x, String label) {}

    private Charts() {}

    public static JFreeChart lines(String title, String xLabel, String yLabel, boolean logY, List<Line> lines,
                            List<Marker> markers) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            XYSeries s = new XYSeries(l.name(), false, true);
            for (int k = 0; k < l.x().length; k++) {
                double y = l.y()[k];
                if (Double.isFinite(y) && (!logY || y > 0)) s.add(l.x()[k], y);
            }
            data.addSeries(s);
            r.setSeriesPaint(i, l.color());
            r.setSeriesStroke(i, l.dashed()
                    ? new BasicStroke(l.width(), BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, DASH, 0f)
                    : new BasicStroke(l.width()));
            r.setSeriesShapesVisible(i, l.points());
            r.setSeriesLinesVisible(i, l.width() > 0);  // width 0: points only
            r.setSeriesShape(i, new Ellipse2D.Double(-POINT / 2, -POINT / 2, POINT, POINT));
        }
        NumberAxis x = new NumberAxis(xLabel);
        x.setAutoRangeIncludesZero(false);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());   // layers, blocks, iterations
        ValueAxis y;
        if (logY) {
            LogAxis log = new LogAxis(yLabel);
            log.setBase(10);
            log.setSmallestValue(1e-300);
            log.setNumberFormatOverride(new DecimalFormat("0.0#E0", DecimalFormatSymbols.getInstance(Locale.ROOT)));
            y = log;
        } else {
            NumberAxis n = new NumberAxis(yLabel);
            n.setAutoRangeIncludesZero(true);
            y = n;
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        style(plot);
        for (Marker m : markers) {
            ValueMarker v = new ValueMarker(m.x(), Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {3f, 3f}, 0f));
            v.setLabel(m.label());
            v.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            v.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(v);
        }
        return chart(title, plot);
    }

    /** Mean lines with a shaded band of one standard deviation. */
    public record Band(String name, double[] x, double[] mean, double[] std, Color color) {}

    public static JFreeChart bands(String title, String xLabel, String yLabel, List<Band> bands, Double horizontal,
                            String horizontalLabel) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        DeviationRenderer r = new DeviationRenderer(true, true);
        r.setAlpha(0.18f);
        for (int i = 0; i < bands.size(); i++) {
            Band b = bands.get(i);
            YIntervalSeries s = new YIntervalSeries(b.name());
            for (int k = 0; k < b.x().length; k++) {
                s.add(b.x()[k], b.mean()[k], b.mean()[k] - b.std()[k], b.mean()[k] + b.std()[k]);
            }
            data.addSeries(s);
            r.setSeriesPaint(i, b.color());
            r.setSeriesFillPaint(i, b.color());
            r.setSeriesStroke(i, new BasicStroke(BOLD));
            r.setSeriesShape(i, new Ellipse2D.Double(-POINT / 2, -POINT / 2, POINT, POINT));
        }
        NumberAxis x = new NumberAxis(xLabel);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, x, y, r);
        style(plot);
        if (horizontal != null) {
            ValueMarker m = new ValueMarker(horizontal, Color.DARK_GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {3f, 3f}, 0f));
            m.setLabel(horizontalLabel);
            m.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addRangeMarker(m);
        }
        return chart(title, plot);
    }

    /** Grouped bars: one group per category, one bar per series. */
    public static JFreeChart bars(String title, String categoryLabel, String valueLabel, DefaultCategoryDataset data) {
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        for (int i = 0; i < data.getRowCount(); i++) r.setSeriesPaint(i, PALETTE[(i + 1) % PALETTE.length]);
        CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(categoryLabel), new NumberAxis(valueLabel), r);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart c = new JFreeChart(title, TITLE, plot, true);
        c.setBackgroundPaint(Color.WHITE);
        return c;
    }

    /** The common look of an XY plot: white, with a light grey grid. */
    public static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }

    private static JFreeChart chart(String title, XYPlot plot) {
        JFreeChart c = new JFreeChart(title, TITLE, plot, true);
        c.setBackgroundPaint(Color.WHITE);
        return c;
    }

    /** Writes {@code chart} as a PNG of {@code width} x {@code height}, atomically. */
    public static void writePng(Path file, JFreeChart chart, int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(out, chart, width, height);
        AtomicFiles.writeBytes(file, out.toByteArray());
    }

    /** 1, 2, ..., n: x positions of per-layer values. */
    public static double[] indices(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i + 1;
        return x;
    }
}
