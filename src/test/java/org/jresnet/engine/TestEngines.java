package org.jresnet.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Engine settings for tests: {@link #use} binds to the calling thread an engine whose settings are
 * the current engine's, changed; {@link #reset} (in an {@code @AfterEach}) unbinds them all. Engines
 * are kept per settings and reused, so tests do not start a thread pool per call.
 */
public final class TestEngines {
    private static final Map<EngineConfig, Engine> ENGINES = new ConcurrentHashMap<>();
    private static final ThreadLocal<Deque<Engine.Scope>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);

    private TestEngines() {}

    /** An engine with these settings (shared, never closed). */
    public static Engine of(EngineConfig config) {
        return ENGINES.computeIfAbsent(config, Engine::create);
    }

    /** Binds an engine with the current settings changed by {@code change}; returns it. */
    public static Engine use(UnaryOperator<EngineConfig> change) {
        Engine e = of(change.apply(Engine.current().config()));
        SCOPES.get().push(e.bind());
        return e;
    }

    /** Unbinds every engine {@link #use} bound on this thread: back to the default engine. */
    public static void reset() {
        Deque<Engine.Scope> d = SCOPES.get();
        while (!d.isEmpty()) d.pop().close();
    }
}
