package org.jresnet.engine;

/**
 * The JDK module jresnet's kernels are written in: the incubating Vector API,
 * {@value #NAME}. A JVM resolves an incubator module only when asked ({@code --add-modules
 * jdk.incubator.vector}, which {@code bin/jresnet}, the Maven build and Spark's executors pass);
 * without it the first kernel fails with a {@code NoClassDefFoundError:
 * jdk/incubator/vector/FloatVector} from deep inside a layer. The entry points ({@code Network}'s
 * factories, every {@link Engine}) ask {@link #require()} first, so that such a JVM gets one
 * sentence that says what to add.
 */
public final class VectorModule {
    /** The module's name. */
    public static final String NAME = "jdk.incubator.vector";

    /** What a JVM without the module is told. */
    public static final String MISSING = "jresnet needs the JDK module " + NAME
            + " (its kernels use the Vector API), and this JVM was started without it: add"
            + " --add-modules " + NAME + " to the java command (bin/jresnet does; for Maven's tests,"
            + " to Surefire's argLine)";

    private static volatile Boolean present;

    private VectorModule() {}

    /** Whether the Vector API's classes can be loaded by the class loader that loaded jresnet's. */
    public static boolean present() {
        Boolean p = present;
        if (p == null) {
            boolean found;
            try {
                Class.forName(NAME + ".FloatVector", false, VectorModule.class.getClassLoader());
                found = true;
            } catch (ClassNotFoundException | LinkageError e) {
                found = false;
            }
            present = p = found;
        }
        return p;
    }

    /** @throws IllegalStateException ({@link #MISSING}) when the module is not there */
    public static void require() {
        if (!present()) throw new IllegalStateException(MISSING);
    }
}
