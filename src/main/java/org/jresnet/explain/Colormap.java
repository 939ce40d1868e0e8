package org.jresnet.explain;

/**
 * Colour for a heat-map value: matplotlib's "jet" (dark blue at 0, through cyan, yellow and red,
 * to dark red at 1), the colormap torchcam and pytorch-grad-cam draw with by default.
 */
public final class Colormap {
    private Colormap() {}

    /**
     * matplotlib's {@code _jet_data} ({@code matplotlib/_cm.py}): per channel, breakpoints
     * {x, value} joined linearly. Those are its defining constants, not tuned numbers.
     */
    private static final double[][] JET_RED = {{0, 0}, {0.35, 0}, {0.66, 1}, {0.89, 1}, {1, 0.5}};
    private static final double[][] JET_GREEN = {{0, 0}, {0.125, 0}, {0.375, 1}, {0.64, 1}, {0.91, 0}, {1, 0}};
    private static final double[][] JET_BLUE = {{0, 0.5}, {0.11, 1}, {0.34, 1}, {0.65, 0}, {1, 0}};

    /** Jet's colour of {@code v} (clamped to [0,1]; NaN as 0), as R, G, B in [0,1]. */
    public static double[] jet(double v) {
        double x = v >= 0 ? Math.min(v, 1) : 0;       // also maps NaN to 0
        return new double[] {piecewise(JET_RED, x), piecewise(JET_GREEN, x), piecewise(JET_BLUE, x)};
    }

    private static double piecewise(double[][] points, double x) {
        for (int i = 1; i < points.length; i++) {
            double x0 = points[i - 1][0], x1 = points[i][0];
            if (x <= x1) return points[i - 1][1] + (points[i][1] - points[i - 1][1]) * (x - x0) / (x1 - x0);
        }
        return points[points.length - 1][1];
    }
}
