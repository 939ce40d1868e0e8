package org.jresnet.spark.train;

/** Distances between two runs' weights, for the equivalence tests' tolerances. */
public final class Equivalence {
    private Equivalence() {}

    /** ||a - b|| / ||b||, in double. */
    public static double relativeL2(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) b[i] * b[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    public static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
