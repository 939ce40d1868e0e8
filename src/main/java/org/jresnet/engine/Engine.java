package org.jresnet.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The compute engine's state: its settings ({@link EngineConfig}) and its own thread pool
 * ({@link Parallel}). Kernels ask {@link #current()} for it: the engine bound to the calling
 * thread, else the process's default (built once from the system properties, see
 * {@link EngineConfig#fromSystem()}). An engine's workers are bound to it, so a kernel inside a
 * parallel loop sees the same engine as its caller.
 *
 * <p>A process may run several engines at once, each with its own pool (one per Spark task, one
 * per served model): bind one to a thread for a stretch of work with
 * <pre>{@code
 *   try (Engine e = Engine.create(EngineConfig.defaults().withThreads(2));
 *        Engine.Scope s = e.bind()) {
 *       net.forward(x);            // every kernel below runs on e's two threads
 *   }
 * }</pre>
 * Results depend on the settings (thread count, SIMD, Winograd), never on which engine or thread
 * runs them: two engines with the same settings give bit-identical results, concurrently or not.
 */
public final class Engine implements AutoCloseable {
    private static final ThreadLocal<Engine> CURRENT = new ThreadLocal<>();
    private static final AtomicInteger IDS = new AtomicInteger();

    /**
     * The process's default engine: settings read once, never closed. Made on first use rather than
     * in a class initialiser, so that a bad setting (JRESNET_THREADS=two) is an IllegalArgumentException
     * at every use, not an ExceptionInInitializerError once and a NoClassDefFoundError after.
     */
    private static volatile Engine defaultEngine;

    private final int id = IDS.getAndIncrement();
    private final EngineConfig config;
    private final boolean isDefault;
    private final Parallel parallel;
    private volatile boolean closed;

    private Engine(EngineConfig config, boolean isDefault) {
        VectorModule.require();   // one clear sentence, not a NoClassDefFoundError in the first kernel
        this.config = config;
        this.isDefault = isDefault;
        this.parallel = new Parallel(config.threads(), this);
    }

    /**
     * A new engine with its own thread pool; {@link #close()} it when done.
     *
     * @throws IllegalStateException when the JVM was started without {@code --add-modules
     *     jdk.incubator.vector} ({@link VectorModule})
     */
    public static Engine create(EngineConfig config) {
        return new Engine(config, false);
    }

    /** The engine bound to this thread ({@link #bind()}), else the default one. */
    public static Engine current() {
        Engine e = CURRENT.get();
        return e != null ? e : defaultEngine();
    }

    /** The process's default engine, configured by the system properties ({@link EngineConfig#fromSystem()}). */
    public static Engine defaultEngine() {
        Engine e = defaultEngine;
        if (e != null) return e;
        synchronized (Engine.class) {
            if (defaultEngine == null) defaultEngine = new Engine(EngineConfig.fromSystem(), true);
            return defaultEngine;
        }
    }

    static void bindWorker(Engine e) { CURRENT.set(e); }

    /** Binds this engine to the calling thread until the scope is closed (scopes nest). */
    public Scope bind() {
        if (closed) throw new IllegalStateException("engine " + id + " is closed");
        Engine previous = CURRENT.get();
        CURRENT.set(this);
        return new Scope(this, previous);
    }

    /** Runs {@code work} on the calling thread with this engine bound. */
    public <T> T call(Supplier<T> work) {
        try (Scope s = bind()) {
            return work.get();
        }
    }

    /** Runs {@code work} on the calling thread with this engine bound. */
    public void run(Runnable work) {
        try (Scope s = bind()) {
            work.run();
        }
    }

    /** The binding of an engine to a thread; closing it restores the thread's previous engine. */
    public static final class Scope implements AutoCloseable {
        private final Engine engine, previous;
        private final Thread owner = Thread.currentThread();
        private boolean open = true;

        private Scope(Engine engine, Engine previous) {
            this.engine = engine;
            this.previous = previous;
        }

        public Engine engine() { return engine; }

        @Override public void close() {
            if (!open) return;
            if (Thread.currentThread() != owner) throw new IllegalStateException("an engine scope must be closed by its thread");
            open = false;
            if (previous == null) CURRENT.remove();
            else CURRENT.set(previous);
        }
    }

    public EngineConfig config() { return config; }
    public int threads() { return config.threads(); }
    public boolean simd() { return config.simd(); }
    public boolean winograd() { return config.winograd(); }
    public boolean winogradWeightGradient() { return config.winograd() && config.winogradWeightGradient(); }
    public boolean winogradF4() { return config.winograd() && config.winogradF4(); }
    public int winogradBlockFloats() { return config.winogradBlockFloats(); }
    public boolean fusedInference() { return config.fusedInference(); }
    /** The engine's thread pool. */
    public Parallel parallel() { return parallel; }
    int id() { return id; }

    /** Stops the pool's workers. The default engine lives as long as the process and cannot be closed. */
    @Override public void close() {
        if (isDefault) throw new IllegalStateException("the default engine cannot be closed");
        if (closed) return;
        closed = true;
        parallel.shutdown();
    }

    @Override public String toString() { return "engine " + id + " (" + config + ")"; }
}
